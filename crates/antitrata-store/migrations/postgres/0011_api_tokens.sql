-- Service accounts and their API bearer tokens. A service account never signs in to the console
-- (it has no password and gets no setup link); it reaches the JSON API with a token. Only the
-- SHA-256 of a token is stored.

alter table users add column service boolean not null default false;

create table api_tokens (
    id uuid primary key,
    user_id uuid not null references users (id),
    -- What the token is for ("case-management bridge"), to tell tokens apart when revoking.
    name text not null,
    token_hash bytea not null unique,
    created_at bigint not null,
    expires_at bigint not null,
    revoked_at bigint,
    last_used_at bigint
);
create index api_tokens_user on api_tokens (user_id);
