-- The public hotline directory: countries and their lines, seeded from seed/directory.json.
create table countries (
    iso2 text primary key check (length(iso2) = 2 and iso2 = upper(iso2)),
    calling_code text not null,
    name_es text not null,
    name_en text not null,
    name_fr text not null,
    emergency_number text not null,
    emergency_notes text,
    emergency_source_urls jsonb not null,
    authority text,
    authority_source_urls jsonb not null
);

create table hotlines (
    id uuid primary key,
    country text not null references countries (iso2),
    position integer not null,
    name text not null,
    scope text not null,
    number text,
    number_vanity text,
    institution text,
    hours text,
    free boolean,
    channels jsonb not null,
    languages jsonb not null,
    interpretation boolean not null,
    languages_note text,
    email text,
    sms text,
    web text,
    source_urls jsonb not null,
    source_year integer,
    confidence text not null check (confidence in ('confirmed', 'single_source', 'not_found')),
    verified_on date,
    notes text,
    unique (country, position)
);
