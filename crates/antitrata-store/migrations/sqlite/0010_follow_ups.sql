-- Tasks with due dates on cases. The title may name people: sealed.

create table follow_ups (
    id blob primary key,
    country text not null references countries (iso2),
    case_id blob not null references cases (id),
    key_id integer not null,
    title_sealed blob not null,
    due_on text not null,
    assignee blob references users (id),
    created_by text not null,
    created_at integer not null,
    done_at integer
);
create index follow_ups_case on follow_ups (case_id);
create index follow_ups_due on follow_ups (country, due_on) where done_at is null;
create index follow_ups_assignee on follow_ups (assignee, due_on) where done_at is null;
