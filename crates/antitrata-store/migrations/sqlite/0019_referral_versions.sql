-- Each referral has a version, raised by every move of its status, as cases have (0018): the API
-- gives it as the referral's ETag, and a status update that names the version it read
-- (If-Match) is refused (412) when the referral moved on since.
alter table referrals add column version integer not null default 1;
