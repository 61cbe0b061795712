-- Statistical datasets: imported CTDC files, stored column by column as dictionary codes. No
-- personal data: these are anonymised or synthetic records.

create table datasets (
    id uuid primary key,
    name text not null unique,
    format text not null,
    file_name text not null,
    -- SHA-256 of the imported file, set when the import commits: the same file is never stored
    -- twice.
    content_sha256 bytea unique,
    row_count bigint not null,
    skipped_rows bigint not null,
    -- JSON arrays of column names.
    columns text not null,
    ignored_columns text not null,
    imported_at text not null,
    imported_by text not null
);

-- One row per column: its values in code order (code 1 first; code 0 is missing), as JSON.
create table dataset_columns (
    dataset_id uuid not null references datasets (id),
    position integer not null,
    name text not null,
    dictionary text not null,
    primary key (dataset_id, position)
);

-- Rows in chunks: each chunk holds, column after column, a byte giving the code width (1 or 2)
-- and one little-endian code of that width per row.
create table dataset_chunks (
    dataset_id uuid not null references datasets (id),
    chunk integer not null,
    row_count integer not null,
    codes bytea not null,
    primary key (dataset_id, chunk)
);
