-- People in the records (sealed fields), their blind indexes, and the hash-chained audit log.

create table persons (
    id uuid primary key,
    country text not null references countries (iso2),
    -- The key that sealed this row's fields, so rotation can find rows still on an old key.
    key_id integer not null,
    name_sealed bytea not null,
    phone_sealed bytea,
    created_at text not null
);
create index persons_country on persons (country);

-- Keyed HMAC digests of normalized tokens of sealed fields; see crypto/blind_index.rs.
create table blind_index (
    field text not null,
    digest bytea not null,
    record_id uuid not null,
    primary key (field, digest, record_id)
);
create index blind_index_record on blind_index (record_id);

-- Append-only. Each entry carries the hash of the previous one; audit_head holds the last.
create table audit_log (
    seq bigint primary key,
    at text not null,
    actor text not null,
    role text not null,
    country text,
    action text not null,
    record_type text,
    record_id text,
    request_id text,
    prev_hash bytea not null,
    hash bytea not null
);

create table audit_head (
    id integer primary key check (id = 1),
    seq bigint not null,
    hash bytea not null
);
insert into audit_head (id, seq, hash) values (1, 0, decode(repeat('00', 32), 'hex'));

-- Defence in depth: the application never updates or deletes audit entries. `audit verify` is
-- what detects tampering by someone who can drop these triggers.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
