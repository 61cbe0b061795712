-- Staff accounts, one-time setup links, sessions and login throttling. Times that expire are unix
-- seconds so that comparisons are plain integer comparisons on both backends.

create table users (
    id uuid primary key,
    email text not null unique,
    display_name text not null,
    language text not null,
    roles jsonb not null,
    country text references countries (iso2),
    password_hash text,
    totp_sealed bytea,
    totp_enabled boolean not null default false,
    recovery_hashes jsonb not null default '[]',
    disabled boolean not null default false,
    created_at text not null
);

-- Only the SHA-256 of a setup token is stored: the database never holds a usable link.
create table setup_tokens (
    token_hash bytea primary key,
    user_id uuid not null references users (id),
    expires_at bigint not null
);
create index setup_tokens_user on setup_tokens (user_id);
