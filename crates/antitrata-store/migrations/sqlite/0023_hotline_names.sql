-- A line's name in the site's languages, and the language its one stored name is written in, so a
-- Spanish page shows "Línea nacional…" or, for a proper name kept as it is, marks it lang="en".
-- Left empty here: seeding fills them for the seeded lines that have none yet.
alter table hotlines add column name_lang text;
alter table hotlines add column names text not null default '{}';
