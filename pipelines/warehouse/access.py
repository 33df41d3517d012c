"""Who may read a PostgreSQL warehouse: roles, not one password.

Every reader role (an analyst, a BI tool's account) is a member of `bangfu_readers`, which may
read schema `main` and nothing else, and write nothing. Its scope is a row of
`bangfu.reader_scopes`: a hospital (it reads the rows of the pairs whose supporting or
recipient hospital that is, as the portal scopes its accounts) or none (every row). Row-level
security on every table of `main` enforces it: tables that carry a pair are filtered by it,
the others are read by unscoped readers only. Each publish makes `main` anew, so `apply` runs
inside the publishing transaction: no reader ever sees a `main` without its policies.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

READERS_ROLE = "bangfu_readers"
# bangfu's own bookkeeping on the server, never swapped by a publish: readers' scopes, the
# holder of the run lock (pipelines/warehouse/postgres.py).
CONTROL_SCHEMA = "bangfu"
PUBLISHED_SCHEMA = "main"
POLICY = "bangfu_reader_scope"
PAIR_COLUMNS = ("supporting_hospital", "recipient_hospital")

_SETUP = f"""
create schema if not exists {CONTROL_SCHEMA};
create table if not exists {CONTROL_SCHEMA}.reader_scopes (
    role_name text primary key,
    hospital text  -- NULL: every row
);
-- Called by the policies with the reader's current_user; SECURITY DEFINER so that readers
-- need no right on the scopes table. search_path pinned, as PostgreSQL's manual advises.
create or replace function {CONTROL_SCHEMA}.may_read_pair(reader text, supporting text,
                                                          recipient text)
returns boolean language sql stable security definer
set search_path = pg_catalog, {CONTROL_SCHEMA} as $$
    select exists (
        select 1 from {CONTROL_SCHEMA}.reader_scopes s
        where s.role_name = reader
          and (s.hospital is null or s.hospital = supporting or s.hospital = recipient))
$$;
create or replace function {CONTROL_SCHEMA}.may_read_all(reader text)
returns boolean language sql stable security definer
set search_path = pg_catalog, {CONTROL_SCHEMA} as $$
    select exists (
        select 1 from {CONTROL_SCHEMA}.reader_scopes s
        where s.role_name = reader and s.hospital is null)
$$;
revoke all on function {CONTROL_SCHEMA}.may_read_pair(text, text, text) from public;
revoke all on function {CONTROL_SCHEMA}.may_read_all(text) from public;
"""


def _readers_role_exists(con: psycopg.Connection) -> bool:
    return con.execute("select 1 from pg_roles where rolname = %s",
                       [READERS_ROLE]).fetchone() is not None


def grant_reader(con: psycopg.Connection, role: str, hospital: str | None,
                 password: str | None = None) -> None:
    """Create (or update) the login role `role`, a reader of `main` scoped to `hospital`
    (None: every row), and apply the access to the published warehouse at once."""
    if not _readers_role_exists(con):
        con.execute(sql.SQL("create role {} nologin").format(sql.Identifier(READERS_ROLE)))
    exists = con.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
    verb = "alter" if exists else "create"
    con.execute(sql.SQL("{} role {} login {}").format(
        sql.SQL(verb), sql.Identifier(role),
        sql.SQL("password {}").format(sql.Literal(password)) if password else sql.SQL("")))
    con.execute(sql.SQL("grant {} to {}").format(sql.Identifier(READERS_ROLE),
                                                 sql.Identifier(role)))
    con.execute(_SETUP)
    con.execute(
        f"insert into {CONTROL_SCHEMA}.reader_scopes values (%s, %s) "
        "on conflict (role_name) do update set hospital = excluded.hospital", [role, hospital])
    apply(con)


def apply(con: psycopg.Connection) -> None:
    """Grant `bangfu_readers` the reading of `main` and put the scope policy on each of its
    tables (in the caller's transaction). Nothing to do before the first reader exists."""
    if not _readers_role_exists(con):
        return
    con.execute(_SETUP)
    readers = sql.Identifier(READERS_ROLE)
    con.execute(sql.SQL("grant usage on schema {} to {}").format(
        sql.Identifier(CONTROL_SCHEMA), readers))
    for function in ("may_read_pair(text, text, text)", "may_read_all(text)"):
        con.execute(sql.SQL("grant execute on function {}.{} to {}").format(
            sql.Identifier(CONTROL_SCHEMA), sql.SQL(function), readers))
    if not con.execute("select 1 from pg_namespace where nspname = %s",
                       [PUBLISHED_SCHEMA]).fetchone():
        return
    con.execute(sql.SQL("grant usage on schema {} to {}").format(
        sql.Identifier(PUBLISHED_SCHEMA), readers))
    tables = con.execute(
        "select c.relname, array_agg(a.attname::text) filter (where a.attname = any(%s)) "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 "
        "and not a.attisdropped "
        "where n.nspname = %s and c.relkind in ('r', 'p') group by c.relname",
        [list(PAIR_COLUMNS), PUBLISHED_SCHEMA]).fetchall()
    for table, pair_columns in tables:
        name = sql.Identifier(PUBLISHED_SCHEMA, table)
        con.execute(sql.SQL("grant select on {} to {}").format(name, readers))
        con.execute(sql.SQL("alter table {} enable row level security").format(name))
        con.execute(sql.SQL("drop policy if exists {} on {}").format(sql.Identifier(POLICY),
                                                                     name))
        if set(pair_columns or ()) == set(PAIR_COLUMNS):
            scope = sql.SQL("{}.may_read_pair(current_user, supporting_hospital, "
                            "recipient_hospital)").format(sql.Identifier(CONTROL_SCHEMA))
        else:
            scope = sql.SQL("{}.may_read_all(current_user)").format(
                sql.Identifier(CONTROL_SCHEMA))
        con.execute(sql.SQL("create policy {} on {} for select to {} using ({})").format(
            sql.Identifier(POLICY), name, readers, scope))
