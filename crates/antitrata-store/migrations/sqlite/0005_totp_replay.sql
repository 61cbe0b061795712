-- The last TOTP time step each account used, so a code cannot be replayed within its window.
alter table users add column totp_last_step bigint;
