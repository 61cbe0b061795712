-- A contact in immediate danger is taken by one worker (an operator or a supervisor), who is
-- shown beside it in the queue until it is handled. Open dangers are listed newest first: the
-- index holds only those, in that order, so the queue's first page reads a few rows.
alter table contacts add column danger_taken_by uuid references users (id);
alter table contacts add column danger_taken_at bigint;
create index contacts_open_dangers on contacts (country, started_at, id)
    where immediate_danger and danger_handled_at is null;
