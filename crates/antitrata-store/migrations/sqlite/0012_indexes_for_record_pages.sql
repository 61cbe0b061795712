-- Indexes for what every case page reads, found by the load benchmark (issue 4).

-- A case's contacts are listed oldest first. With an index on case_id alone, SQLite's planner
-- preferred walking every contact of the country in time order (contacts_country_started) to
-- avoid a sort: 20 ms per case page at 30,000 contacts, growing with the country. The index now
-- serves the filter and the order together.
drop index contacts_case;
create index contacts_case on contacts (case_id, started_at);

-- "Who read this record" on the case and person pages, and a country's audit page, scanned the
-- whole log (ten or more entries per case).
create index audit_log_record on audit_log (record_type, record_id, seq);
create index audit_log_country on audit_log (country, seq);
