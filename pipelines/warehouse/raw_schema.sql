-- The raw layer: what the Python loader writes and dbt reads as sources.
-- See docs/data-model.md for the meaning of every column.
create schema if not exists raw;

create table if not exists raw.file_versions (
    file_path     varchar   not null,
    sha256        varchar   not null,
    size_bytes    bigint    not null,
    modified_at   timestamp not null,
    first_seen_at timestamp not null,
    last_seen_at  timestamp not null,
    is_present    boolean   not null,
    archive_path  varchar   not null,
    primary key (file_path, sha256)
);

create table if not exists raw.parsed_files (
    sha256         varchar   primary key,
    parsed_path    varchar   not null,
    form_type      varchar   not null,
    sheet_count    integer   not null,
    parsed_at      timestamp not null,
    reader_version varchar   not null
);

create table if not exists raw.reports (
    report_id           varchar primary key,
    sha256              varchar not null,
    sheet               varchar,
    sheet_index         integer not null,
    form_type           varchar not null,
    supporting_hospital varchar,
    recipient_hospital  varchar,
    department          varchar,
    period_start        date,
    period_end          date,
    header_row          integer
);

create table if not exists raw.report_columns (
    report_id     varchar not null,
    sha256        varchar not null,
    metric_code   varchar not null,
    column_name   varchar not null,
    column_letter varchar not null
);

create table if not exists raw.activity_rows (
    report_id   varchar not null,
    sha256      varchar not null,
    sheet       varchar,
    row_number  integer not null,
    row_kind    varchar not null,
    person_name varchar,
    person_key  varchar,
    name_cell   varchar,
    person_title varchar
);
-- Added after the first warehouses were built.
alter table raw.activity_rows add column if not exists person_title varchar;

create table if not exists raw.activity_values (
    report_id   varchar not null,
    sha256      varchar not null,
    row_number  integer not null,
    metric_code varchar not null,
    cell        varchar not null,
    raw_text    varchar not null,
    value       double
);

create table if not exists raw.capacity_values (
    report_id      varchar not null,
    sha256         varchar not null,
    sheet          varchar,
    row_number     integer not null,
    cell           varchar not null,
    metric_code    varchar not null,
    indicator_name varchar not null,
    year           integer not null,
    raw_text       varchar not null,
    value          double
);

create table if not exists raw.issues (
    sha256      varchar not null,
    sheet       varchar,
    row_number  integer,
    column_name varchar,
    cell        varchar,
    severity    varchar not null,
    code        varchar not null,
    message     varchar not null,
    value_found varchar,
    source      varchar not null
);

-- What the raw folder holds that is not read, as the latest scan saw it: hidden and system
-- files, symbolic links (never followed), files still being written, folders that cannot
-- be opened. Replaced by every scan.
create table if not exists raw.skipped_files (
    file_path varchar   not null,
    code      varchar   not null,
    severity  varchar   not null,
    message   varchar   not null,
    seen_at   timestamp not null
);
