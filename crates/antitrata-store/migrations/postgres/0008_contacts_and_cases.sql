-- Hotline work: contacts, their drafts, cases and their reference sequences. Times are unix
-- seconds (integer comparisons and ordering on both backends); dates are `YYYY-MM-DD` text.
-- Multi-valued picklists are codes joined as `;A;B;`. Personal fields are sealed (`*_sealed`).

create table case_sequences (
    country text not null references countries (iso2),
    year bigint not null,
    last bigint not null,
    primary key (country, year)
);

create table cases (
    id uuid primary key,
    country text not null references countries (iso2),
    year bigint not null,
    sequence bigint not null,
    status text not null,
    closure_reason text,
    key_id bigint not null,
    closure_note_sealed bytea,
    assigned_to uuid references users (id),
    risk text,
    exploitation_types text not null default ';',
    sectors text not null default ';',
    means_of_control text not null default ';',
    recruitment text not null default ';',
    citizenship text not null default ';',
    exploitation_countries text not null default ';',
    transit_countries text not null default ';',
    exploitation_began text,
    has_minor boolean not null default false,
    opened_by text not null,
    opened_at bigint not null,
    updated_at bigint not null,
    unique (country, year, sequence)
);
create index cases_country_status on cases (country, status, updated_at);
create index cases_assigned on cases (assigned_to, status);

create table contacts (
    id uuid primary key,
    country text not null references countries (iso2),
    key_id bigint not null,
    recorded_by text not null,
    channel text not null,
    direction text not null,
    started_at bigint not null,
    ended_at bigint not null,
    language text not null,
    caller_role text not null,
    caller_country text,
    caller_locality text,
    heard_via text,
    summary_sealed bytea,
    notes_sealed bytea,
    outcome text not null,
    immediate_danger boolean not null,
    danger_handled_at bigint,
    screening text not null,
    screening_result text not null,
    case_id uuid references cases (id)
);
create index contacts_country_started on contacts (country, started_at);
create index contacts_danger on contacts (country, danger_handled_at) where immediate_danger;
create index contacts_case on contacts (case_id);

-- One unsent contact form per operator (the actor id), sealed, so a closed tab or a crash loses nothing.
create table contact_drafts (
    owner text primary key,
    key_id bigint not null,
    draft_sealed bytea not null,
    updated_at integer not null
);
