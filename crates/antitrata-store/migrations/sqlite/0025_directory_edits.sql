-- Country administrators edit their country's lines. Each line gets a version (every edit raises
-- it, and an edit applies only at the version the administrator read), descriptions in the site's
-- languages, and a history: every edit's line before and after, who and when.
alter table hotlines add column descriptions text not null default '{}';
alter table hotlines add column version integer not null default 1;
create table hotline_changes (
    hotline_id blob not null references hotlines (id),
    version integer not null,
    changed_by blob references users (id),
    changed_at integer not null,
    before text not null,
    after text not null,
    primary key (hotline_id, version)
);
-- The public site's version, raised in the same transaction as every change of the directory or
-- of a content page: each instance on one database compares it with the version its pages were
-- rendered from, and renders them again when another instance changed something.
create table site_version (
    id integer primary key check (id = 1),
    version integer not null
);
insert into site_version (id, version) values (1, 1);
