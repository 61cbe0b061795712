-- The files of every release that spent privacy budget (data.csv, any further tables, report.html,
-- manifest.json), sealed with the data key, written in the transaction that records the spend: a
-- release is never paid for without a bundle that can be fetched again (the supervisors' console
-- lists it, `antitrata releases fetch` writes it out), even when the first download or folder
-- failed. Releases paid before this table existed have no rows here. A file's id is derived from
-- its release, place and name (UUID v5), and is the row its contents are sealed for, so a file
-- moved, renamed or copied to another release fails to open; key rotation reseals it like every
-- sealed column.
create table release_files (
    id uuid primary key,
    release_id uuid not null references privacy_spends (release_id),
    position integer not null,
    name text not null,
    bytes bigint not null,
    key_id bigint not null,
    contents_sealed bytea not null,
    unique (release_id, position)
);
