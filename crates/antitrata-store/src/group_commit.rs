//! Group commit: writes that arrive together share one transaction, and so one write turn and one
//! flush to disk.
//!
//! Every commit waits for the disk, and SQLite commits one writer at a time; committed one by
//! one, concurrent writes queue for a flush each. For the two kinds of write that every operator
//! makes all day, the audit entries that reads owe and recorded contacts, one task per kind
//! takes every job waiting (up to [`JOBS_PER_COMMIT`]), does them all in one transaction, and
//! answers each job once that transaction has committed. Nothing is acknowledged before its
//! commit, and a job whose caller stopped waiting is still done or refused as a whole. Each
//! transaction's number of jobs is recorded (`antitrata_group_commit_jobs`, by kind).

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::{Store, StoreError};

/// The most jobs one transaction takes; more wait for the next.
const JOBS_PER_COMMIT: usize = 64;
/// Jobs that may queue for the task before the next caller waits to hand its job in.
const QUEUE: usize = 1024;

/// A kind of write done in groups.
pub(crate) trait Grouped: Send + Sized + 'static {
    /// The kind's name in metrics (`antitrata_group_commit_jobs{kind}`).
    const KIND: &'static str;

    /// What the caller of one job is answered.
    type Done: Send + 'static;

    /// Does `jobs` (in one transaction, if they can share it) and answers each, in order: one
    /// answer per job.
    fn commit(store: &Store, jobs: Vec<Self>) -> impl Future<Output = Vec<Self::Done>> + Send;
}

/// Where callers hand in jobs of one kind. Cheap to clone; the task stops when the last clone
/// is dropped.
pub(crate) struct GroupCommit<J: Grouped>(mpsc::Sender<(J, oneshot::Sender<J::Done>)>);

/// Jobs may carry personal data (a contact's summary): they are never printed.
impl<J: Grouped> std::fmt::Debug for GroupCommit<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupCommit")
    }
}

impl<J: Grouped> Clone for GroupCommit<J> {
    fn clone(&self) -> Self {
        GroupCommit(self.0.clone())
    }
}

impl<J: Grouped> GroupCommit<J> {
    /// Starts the task that commits for `store`, which must not hand its own jobs to a
    /// `GroupCommit` (it would wait for itself).
    pub(crate) fn start(store: Store) -> GroupCommit<J> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(commit_groups(store, queue));
        GroupCommit(jobs)
    }

    /// Hands `job` in and waits for its answer, given once its transaction has ended.
    pub(crate) async fn submit(&self, job: J) -> Result<J::Done, StoreError> {
        let (done, answer) = oneshot::channel();
        self.0.send((job, done)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

/// Either end of a group's channel gone means the runtime is shutting the store down.
fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

impl Store {
    /// Does `job` through `group`; without one (in the store a group's task commits with), in a
    /// transaction of its own.
    pub(crate) async fn commit_job<J: Grouped>(
        &self,
        group: Option<&GroupCommit<J>>,
        job: J,
    ) -> Result<J::Done, StoreError> {
        match group {
            Some(group) => group.submit(job).await,
            None => J::commit(self, vec![job]).await.pop().ok_or_else(stopped),
        }
    }
}

async fn commit_groups<J: Grouped>(
    store: Store,
    mut queue: mpsc::Receiver<(J, oneshot::Sender<J::Done>)>,
) {
    let mut waiting = Vec::with_capacity(JOBS_PER_COMMIT);
    while queue.recv_many(&mut waiting, JOBS_PER_COMMIT).await > 0 {
        let (jobs, answers): (Vec<J>, Vec<_>) = waiting.drain(..).unzip();
        metrics::histogram!("antitrata_group_commit_jobs", "kind" => J::KIND)
            .record(jobs.len() as f64);
        for (done, answer) in J::commit(&store, jobs).await.into_iter().zip(answers) {
            // A caller that stopped waiting has nothing to be told.
            let _ = answer.send(done);
        }
    }
}
