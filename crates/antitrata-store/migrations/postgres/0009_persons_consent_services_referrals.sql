-- The people of a case, their consent, the services directory and referrals. Personal fields are
-- sealed (`*_sealed`); gender, nationality, age band and minority stay clear for counting.

alter table persons add column case_id uuid references cases (id);
alter table persons add column role text;
alter table persons add column aliases_sealed bytea;
alter table persons add column address_sealed bytea;
alter table persons add column born_on_sealed bytea;
alter table persons add column age_band text;
alter table persons add column gender text;
alter table persons add column nationality text;
alter table persons add column languages text not null default ';';
alter table persons add column is_minor boolean not null default false;
create index persons_case on persons (case_id);

-- After the Open Referral Human Services Data Specification; not personal data.
create table services (
    id uuid primary key,
    country text not null references countries (iso2),
    organization text not null,
    name text not null,
    categories text not null,
    locality text not null,
    address text,
    phone text,
    email text,
    hours text,
    languages text not null,
    eligibility text,
    active boolean not null,
    updated_at bigint not null
);
create index services_country on services (country, active);

create table consents (
    id uuid primary key,
    country text not null references countries (iso2),
    case_id uuid not null references cases (id),
    person_id uuid not null references persons (id),
    scope text not null,
    service_id uuid references services (id),
    given_by text not null,
    given_at bigint not null,
    expires_on text,
    withdrawn_at bigint,
    recorded_by text not null
);
create index consents_person on consents (person_id, scope);
create index consents_case on consents (case_id);

create table referrals (
    id uuid primary key,
    country text not null references countries (iso2),
    case_id uuid not null references cases (id),
    person_id uuid not null references persons (id),
    service_id uuid not null references services (id),
    status text not null,
    consent_id uuid references consents (id),
    override_by text,
    key_id bigint not null,
    override_reason_sealed bytea,
    notes_sealed bytea,
    requested_by text not null,
    requested_at bigint not null,
    updated_at bigint not null,
    check (consent_id is not null or override_reason_sealed is not null)
);
create index referrals_case on referrals (case_id);
create index referrals_pending on referrals (country, status, updated_at);
