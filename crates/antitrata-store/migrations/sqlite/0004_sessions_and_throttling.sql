-- Console sessions (only the SHA-256 of the cookie's token is stored) and login throttling.

create table sessions (
    token_hash blob primary key,
    user_id blob not null references users (id),
    -- The CSRF token of the session, compared with the one in every state-changing form.
    csrf_token text not null,
    -- Whether the second factor was passed; a session without it can only finish signing in.
    second_factor_done boolean not null,
    created_at bigint not null,
    last_seen_at bigint not null
);
create index sessions_user on sessions (user_id);

-- Failed sign-ins per account (`account:<id>`) and per source address (`address:<ip>`).
create table login_throttle (
    key text primary key,
    failures bigint not null,
    last_failure_at bigint not null
);
