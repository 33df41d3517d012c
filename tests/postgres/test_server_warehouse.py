"""Write-audit-publish on a real PostgreSQL server, and who may read it.

One warehouse, built by `bangfu run` processes in turn (the tests of this file run in order on
it): a first run publishes; a BI reader and a hospital's role are granted; a reader's open
transaction keeps the old `main` while the next run's publish waits for it; a run killed with
kill -9 during dbt's build leaves `main` as it was and the next run clean; the policies hold
after every publish; two runs take turns."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from formfiles import activity_sheet, write_xlsx
from test_crash import bangfu_run, corpus, in_dbt, kill_when

from pipelines.errors import OperatorError
from pipelines.warehouse import postgres
from pipelines.warehouse.location import parse_warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]
FOLDER = "临夏州人民医院/和政县人民医院"
OTHER_FOLDER = "绍兴市中医院/务川仡佬族苗族自治县中医院"
HEZHENG = "和政县人民医院"
WUCHUAN = "务川仡佬族苗族自治县中医院"


class Server:
    """The module's warehouse: its database, environment and raw folder."""

    def __init__(self, root: Path, url: str, server) -> None:
        self.root, self.url, self.server = root, url, server
        self.raw = root / "raw"
        self.env = {**os.environ, "BANGFU_RAW_DIR": str(self.raw), "BANGFU_WAREHOUSE": url,
                    "BANGFU_FILES_DIR": str(root / "files"), "BANGFU_SITE_DIR": str(root / "site"),
                    "DAGSTER_HOME": str(root / "dagster"), "BANGFU_SETTLE_SECONDS": "0"}
        self.location = parse_warehouse(url, REPO_ROOT)

    def run(self) -> None:
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], env=self.env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    def connect(self, role: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url.replace("postgres@", f"{role}@", 1))

    def main(self) -> dict[str, list[tuple]]:
        """Every table of main, every row, in order."""
        with self.connect() as con:
            names = [n for (n,) in con.execute(
                "select tablename from pg_tables where schemaname = 'main' order by 1")]
            return {n: sorted(con.execute(f'select * from main."{n}"').fetchall(), key=repr)
                    for n in names}

    def schemas(self) -> set[str]:
        with self.connect() as con:
            return {n for (n,) in con.execute("select nspname from pg_namespace")}


def add_form(raw: Path, name: str, month: int, people: list) -> None:
    write_xlsx(raw / FOLDER / f"{name}_2021年{month}月_统计表.xlsx", activity_sheet(
        period=f"2021年{month}月", labels=[f"填报科室：{name}"], rows=people),
        mtime=dt.datetime(2021, month + 1, 2))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pg_server) -> Server:
    root = tmp_path_factory.mktemp("server")
    warehouse = Server(root, pg_server.create_database("wap"), pg_server)
    corpus(warehouse.raw)
    write_xlsx(warehouse.raw / OTHER_FOLDER / "骨科_2021年3月_统计表.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：骨科"],
        rows=[["钱七", 5, 0, 0, 0, 0, 0, 0, 0, 0]]), mtime=dt.datetime(2021, 4, 2))
    warehouse.run()
    return warehouse


def grant(server: Server, role: str, *options: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "warehouse", "grant", role,
                           *options], env=server.env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_published_in_the_published_schemas_only(server: Server) -> None:
    schemas = server.schemas()
    assert {"raw", "seeds", "intermediate", "main"} <= schemas
    assert not {s for s in schemas if s.endswith(("__build", "__retired"))}
    assert {"ingest_files", "ingest_issues", "mart_capacity_trend"} <= set(server.main())


def test_the_read_only_role_reads_main_and_writes_nothing(server: Server) -> None:
    grant(server, "fenxi")
    with server.connect("fenxi") as con:
        files = con.execute("select count(*) from main.ingest_files").fetchone()[0]
        assert files == len(server.main()["ingest_files"]) > 0
        for statement in ("insert into main.ingest_files (file_path) values ('x')",
                          "update main.mart_capacity_trend set value = 0",
                          "delete from main.ingest_issues",
                          "create table main.mine (x int)",
                          "select count(*) from raw.file_versions",
                          "select count(*) from intermediate.int_file_status"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(statement)
            con.rollback()


def _pairs_seen(server: Server, role: str) -> set[tuple[str, str]]:
    with server.connect(role) as con:
        return set(con.execute(
            "select distinct supporting_hospital, recipient_hospital from main.ingest_files "
            "union select distinct supporting_hospital, recipient_hospital "
            "from main.mart_capacity_trend").fetchall())


def test_row_level_security_scopes_a_role_to_its_hospitals_pairs(server: Server) -> None:
    grant(server, "hezheng", "--hospital", HEZHENG)
    everything = _pairs_seen(server, "fenxi")
    assert any(HEZHENG in pair for pair in everything)
    assert any(WUCHUAN in pair for pair in everything)
    scoped = _pairs_seen(server, "hezheng")
    assert scoped and all(HEZHENG in pair for pair in scoped), scoped
    assert scoped < everything
    issues = "select supporting_hospital, recipient_hospital from main.ingest_issues"
    with server.connect("hezheng") as con:
        scoped_issues = con.execute(issues).fetchall()
    with server.connect("fenxi") as con:
        all_issues = con.execute(issues).fetchall()
    # Its pair's issues; not those of a file whose hospitals were never found (坏文件.xlsx).
    assert scoped_issues and all(HEZHENG in pair for pair in scoped_issues)
    assert (None, None) in all_issues and len(scoped_issues) < len(all_issues)


def test_an_open_reader_sees_the_old_main_while_a_run_publishes(server: Server) -> None:
    before = server.main()
    reader = server.connect("fenxi")
    reader.execute("set transaction isolation level repeatable read, read only")
    seen_files = reader.execute("select count(*) from main.ingest_files").fetchone()[0]

    add_form(server.raw, "眼科", 5, [["孙八", 8, 0, 0, 0, 0, 0, 0, 0, 0]])
    run = bangfu_run(server.env)
    waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock' " \
              "and application_name = 'bangfu'"
    with server.connect() as watcher:
        watcher.autocommit = True
        deadline = time.monotonic() + 600
        while watcher.execute(waiting).fetchone()[0] == 0:
            assert run.poll() is None, "the run ended without waiting for the reader"
            assert time.monotonic() < deadline
            time.sleep(0.2)
    # The run has built and tested; its publish waits for the reader, who still reads the
    # old warehouse, table after table.
    assert reader.execute("select count(*) from main.ingest_files").fetchone()[0] == seen_files
    assert sorted(reader.execute("select * from main.ingest_issues").fetchall(), key=repr) \
        == before["ingest_issues"]
    assert run.poll() is None
    reader.rollback()
    reader.close()
    assert run.wait(timeout=300) == 0
    with server.connect("fenxi") as later:
        assert later.execute("select count(*) from main.ingest_files").fetchone()[0] \
            == seen_files + 1


def test_kill_9_during_the_build_leaves_main_as_it_was(server: Server) -> None:
    before = server.main()
    add_form(server.raw, "口腔科", 6, [["周九", 3, 0, 0, 0, 0, 0, 0, 0, 0]])
    kill_when(server.env, in_dbt)
    assert server.main() == before
    assert any(s.endswith("__build") for s in server.schemas()), \
        "the kill should have left the run's build schemas behind"
    server.run()
    assert not {s for s in server.schemas() if s.endswith(("__build", "__retired"))}
    after = server.main()
    assert len(after["ingest_files"]) == len(before["ingest_files"]) + 1
    with server.connect() as con:
        statuses = {status for (status,) in con.execute(
            "select status from main.ingest_files")}
    assert statuses <= {"accepted", "partial", "rejected"}


def test_policies_hold_after_every_publish(server: Server) -> None:
    scoped = _pairs_seen(server, "hezheng")
    assert scoped and all(HEZHENG in pair for pair in scoped)
    assert len(_pairs_seen(server, "fenxi")) > len(scoped)


def test_two_runs_take_turns(server: Server) -> None:
    """The advisory lock: a second run waits for the first, then gives up after the
    lock timeout with one line, touching nothing."""
    with postgres.exclusive_run(server.location, "first", 5, lambda line: None):
        said: list[str] = []
        started = time.monotonic()
        with pytest.raises(OperatorError) as refused, \
                postgres.exclusive_run(server.location, "second", 2, said.append):
            pass
        assert refused.value.code == "run_lock_timeout"
        assert time.monotonic() - started >= 2
        assert said and "另一次运行正在使用" in said[0]
    # Released: the next one takes it at once.
    got = threading.Event()
    with postgres.exclusive_run(server.location, "third", 1, lambda line: None):
        got.set()
    assert got.is_set()
