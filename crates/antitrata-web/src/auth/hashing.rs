//! Argon2 off the async threads. A password check takes about 100 ms of one core and 64 MiB: run
//! on the async workers, a burst of sign-ins would stall the public directory and every operator.
//! Here each runs on the blocking pool, at most [`Hashing::WORKERS`] at once; a few more wait
//! their turn, and beyond that the sign-in is answered "busy, try again in a second" at once.

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::auth::password;
use crate::error::AppError;

/// The Argon2 runs in flight and waiting.
#[derive(Debug)]
pub(crate) struct Hashing {
    /// Held while Argon2 runs.
    running: Semaphore,
    /// Held while running or waiting to run: when none is left, the caller is told to come back.
    admitted: Semaphore,
}

impl Default for Hashing {
    fn default() -> Hashing {
        Hashing::new(Hashing::WORKERS, Hashing::QUEUE)
    }
}

impl Hashing {
    /// Argon2 runs at once: one core's worth on the project's two-core machine, so that the other
    /// stays free for pages, whatever the burst.
    pub(crate) const WORKERS: usize = 1;
    /// Sign-ins that may wait for a turn (each about 100 ms) before the next is refused.
    pub(crate) const QUEUE: usize = 16;

    pub(crate) fn new(workers: usize, queue: usize) -> Hashing {
        Hashing {
            running: Semaphore::new(workers),
            admitted: Semaphore::new(workers + queue),
        }
    }

    /// A turn to hash, or "busy" when the queue is full. Take it before anything that a refusal
    /// should not leave behind (a sign-in attempt counted).
    pub(crate) fn admit(&self) -> Result<Turn<'_>, AppError> {
        match self.admitted.try_acquire() {
            Ok(admitted) => Ok(Turn {
                hashing: self,
                _admitted: admitted,
            }),
            Err(_) => {
                tracing::warn!("password hashing is saturated: a caller was asked to retry");
                Err(AppError::Busy)
            }
        }
    }
}

/// An admitted caller: it will hash once a worker is free.
pub(crate) struct Turn<'a> {
    hashing: &'a Hashing,
    _admitted: SemaphorePermit<'a>,
}

impl Turn<'_> {
    /// Whether `password` matches the PHC string `phc`.
    pub(crate) async fn verify(self, password: &str, phc: &str) -> Result<bool, AppError> {
        let (password, phc) = (password.to_owned(), phc.to_owned());
        self.run(move || password::verify_password(&password, &phc))
            .await
    }

    /// The PHC string of `password` with `salt`.
    pub(crate) async fn hash(self, password: &str, salt: [u8; 16]) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move || password::hash_password(&password, &salt))
            .await?
            .map_err(|e| {
                tracing::error!(error = %e, "hashing a password failed");
                AppError::Internal
            })
    }

    async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _running = self
            .hashing
            .running
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable)?;
        tokio::task::spawn_blocking(work).await.map_err(|e| {
            tracing::error!(error = %e, "a password hashing task failed");
            AppError::Internal
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::mpsc;

    use super::*;

    /// Waits until `n` callers are admitted (running or waiting).
    async fn admitted(hashing: &Hashing, n: usize) {
        while hashing.admitted.available_permits() != 1 + 2 - n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn argon2_runs_beside_the_async_tasks_not_on_their_thread() {
        // On a one-thread runtime, a hash computed on the async thread would keep every other
        // task (every page) from running until it ends: here another task must run meanwhile.
        let hashing = Hashing::new(1, 0);
        let (meanwhile, ran) = mpsc::channel::<()>();
        let other = tokio::spawn(async move { meanwhile.send(()).unwrap() });
        let ran_beside = hashing
            .admit()
            .unwrap()
            .run(move || ran.recv_timeout(std::time::Duration::from_secs(30)).is_ok())
            .await
            .unwrap();
        assert!(ran_beside, "another task ran while the hash was computed");
        other.await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_is_told_to_come_back_and_the_rest_wait_their_turn() {
        let hashing = Arc::new(Hashing::new(1, 2));
        // One run holds the only worker until told to finish.
        let (finish, finished) = mpsc::channel::<()>();
        let first = tokio::spawn({
            let hashing = Arc::clone(&hashing);
            async move { hashing.admit()?.run(move || finished.recv().is_ok()).await }
        });
        admitted(&hashing, 1).await;
        let hash = password::hash_password("lamp-orbit-violet-cactus", &[7; 16]).unwrap();
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let (hashing, hash) = (Arc::clone(&hashing), hash.clone());
                tokio::spawn(async move {
                    hashing
                        .admit()?
                        .verify("lamp-orbit-violet-cactus", &hash)
                        .await
                })
            })
            .collect();
        admitted(&hashing, 3).await;
        // The queue is full: the next is refused at once, without waiting for the worker.
        assert_eq!(hashing.admit().err(), Some(AppError::Busy));
        finish.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(true));
        for check in waiting {
            assert_eq!(
                check.await.unwrap(),
                Ok(true),
                "a waiting check ran in its turn"
            );
        }
        // Once the burst is over, everyone is admitted again.
        assert_eq!(
            hashing.admit().unwrap().verify("wrong", &hash).await,
            Ok(false)
        );
    }
}
