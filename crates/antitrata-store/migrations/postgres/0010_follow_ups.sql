-- Tasks with due dates on cases. The title may name people: sealed.

create table follow_ups (
    id uuid primary key,
    country text not null references countries (iso2),
    case_id uuid not null references cases (id),
    key_id bigint not null,
    title_sealed bytea not null,
    due_on text not null,
    assignee uuid references users (id),
    created_by text not null,
    created_at bigint not null,
    done_at bigint
);
create index follow_ups_case on follow_ups (case_id);
create index follow_ups_due on follow_ups (country, due_on) where done_at is null;
create index follow_ups_assignee on follow_ups (assignee, due_on) where done_at is null;
