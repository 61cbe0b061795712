-- The data key the database belongs to: one row, written at the first start with keys, holding
-- the key file's fingerprint and a value sealed under its current key. Every start checks it, so
-- a missing or different key file is refused before anything is read or sealed.
create table key_check (
    id uuid primary key,
    key_id bigint not null,
    fingerprint text not null,
    check_sealed bytea not null
);

-- The caller's locality is free text typed by the operator (a village, a street): sealed like
-- every narrative. The plain column stays for databases migrated before; the first start with
-- the data keys seals what it holds and empties it.
alter table contacts add column caller_locality_sealed bytea;
