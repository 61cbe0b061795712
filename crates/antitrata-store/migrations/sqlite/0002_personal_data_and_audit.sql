-- People in the records (sealed fields), their blind indexes, and the hash-chained audit log.

create table persons (
    id blob primary key,
    country text not null references countries (iso2),
    -- The key that sealed this row's fields, so rotation can find rows still on an old key.
    key_id integer not null,
    name_sealed blob not null,
    phone_sealed blob,
    created_at text not null
);
create index persons_country on persons (country);

-- Keyed HMAC digests of normalized tokens of sealed fields; see crypto/blind_index.rs.
create table blind_index (
    field text not null,
    digest blob not null,
    record_id blob not null,
    primary key (field, digest, record_id)
);
create index blind_index_record on blind_index (record_id);

-- Append-only. Each entry carries the hash of the previous one; audit_head holds the last.
create table audit_log (
    seq integer primary key,
    at text not null,
    actor text not null,
    role text not null,
    country text,
    action text not null,
    record_type text,
    record_id text,
    request_id text,
    prev_hash blob not null,
    hash blob not null
);

create table audit_head (
    id integer primary key check (id = 1),
    seq integer not null,
    hash blob not null
);
insert into audit_head (id, seq, hash) values (1, 0, zeroblob(32));

-- Defence in depth: the application never updates or deletes audit entries. `audit verify` is
-- what detects tampering by someone who can drop these triggers.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
