-- The number a caller called from, sealed like every personal field; its blind index (field
-- `contact.phone`) finds earlier contacts from the same number within the country.
alter table contacts add column caller_phone_sealed blob;
-- A person of a case can be corrected: each person has a version, raised by every write to its
-- row, which the API gives as its ETag and a correction names (If-Match).
alter table persons add column version integer not null default 1;
