-- Consents and follow-ups have a version too, as cases (0018) and referrals (0019) have: raised
-- by their one change (withdrawn, done), given by the API as their ETag, and named by a client
-- (If-Match) or a console button that read them, so a step from a stale read is refused (412).
alter table consents add column version integer not null default 1;
alter table follow_ups add column version integer not null default 1;
