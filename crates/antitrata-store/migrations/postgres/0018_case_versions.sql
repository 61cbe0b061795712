-- Each case has a version, raised by every write to its row. The API gives it as the case's
-- ETag, and a replacing update names the version it read (If-Match): one made from an older
-- version is refused (412) instead of silently undoing another person's work.
alter table cases add column version bigint not null default 1;
