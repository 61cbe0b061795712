-- The differential-privacy budget of each country and year: every release adds the ε and δ it
-- spends, and a release that would pass the yearly limit is refused. ε is kept in millionths and δ
-- in units of 10^-15, so that sums are exact integers.

create table privacy_budget (
    country text not null references countries (iso2),
    year integer not null,
    epsilon_micros bigint not null,
    delta_femtos bigint not null,
    primary key (country, year)
);

-- One row per release that spent budget.
create table privacy_spends (
    release_id uuid primary key,
    country text not null references countries (iso2),
    year integer not null,
    method text not null,
    epsilon_micros bigint not null,
    delta_femtos bigint not null,
    recorded_at text not null,
    recorded_by text not null
);
