-- Hotline work: contacts, their drafts, cases and their reference sequences. Times are unix
-- seconds (integer comparisons and ordering on both backends); dates are `YYYY-MM-DD` text.
-- Multi-valued picklists are codes joined as `;A;B;`. Personal fields are sealed (`*_sealed`).

create table case_sequences (
    country text not null references countries (iso2),
    year integer not null,
    last integer not null,
    primary key (country, year)
);

create table cases (
    id blob primary key,
    country text not null references countries (iso2),
    year integer not null,
    sequence integer not null,
    status text not null,
    closure_reason text,
    key_id integer not null,
    closure_note_sealed blob,
    assigned_to blob references users (id),
    risk text,
    exploitation_types text not null default ';',
    sectors text not null default ';',
    means_of_control text not null default ';',
    recruitment text not null default ';',
    citizenship text not null default ';',
    exploitation_countries text not null default ';',
    transit_countries text not null default ';',
    exploitation_began text,
    has_minor integer not null default 0,
    opened_by text not null,
    opened_at integer not null,
    updated_at integer not null,
    unique (country, year, sequence)
);
create index cases_country_status on cases (country, status, updated_at);
create index cases_assigned on cases (assigned_to, status);

create table contacts (
    id blob primary key,
    country text not null references countries (iso2),
    key_id integer not null,
    recorded_by text not null,
    channel text not null,
    direction text not null,
    started_at integer not null,
    ended_at integer not null,
    language text not null,
    caller_role text not null,
    caller_country text,
    caller_locality text,
    heard_via text,
    summary_sealed blob,
    notes_sealed blob,
    outcome text not null,
    immediate_danger integer not null,
    danger_handled_at integer,
    screening text not null,
    screening_result text not null,
    case_id blob references cases (id)
);
create index contacts_country_started on contacts (country, started_at);
create index contacts_danger on contacts (country, danger_handled_at) where immediate_danger = 1;
create index contacts_case on contacts (case_id);

-- One unsent contact form per operator (the actor id), sealed, so a closed tab or a crash loses nothing.
create table contact_drafts (
    owner text primary key,
    key_id integer not null,
    draft_sealed blob not null,
    updated_at integer not null
);
