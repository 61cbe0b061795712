-- The public site's content pages (warning signs, know your rights, what happens when you call),
-- one Markdown text per page and language, every saved text kept: the newest version is what the
-- site shows, and any earlier one can be brought back as a new version (`reverted_from`). Not
-- personal data: campaign content, written for everyone to read. `saved_by` and `saved_at` are
-- null for the starter text seeded at first start.
create table content_versions (
    page text not null,
    lang text not null,
    version bigint not null,
    markdown text not null,
    saved_by uuid references users (id),
    saved_at bigint,
    reverted_from bigint,
    primary key (page, lang, version)
);
