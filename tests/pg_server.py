"""A real, throwaway PostgreSQL cluster for tests: Debian's postgresql 15 (installed when it is
missing and the tests run as root, else one line saying what to install), `initdb` in a
temporary folder, listening on loopback at a free port and on a unix socket in that folder,
trust authentication, no password; stopped and removed at the end."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"


def ensure_postgresql() -> Path:
    """The folder of Debian's PostgreSQL 15 programs, installing the package when missing."""
    if (PG_BIN / "initdb").exists():
        return PG_BIN
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
                       check=False, capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 is needed: apt-get install postgresql "
                    f"({PG_BIN / 'initdb'} not found)", pytrace=False)
    return PG_BIN


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner(owner: str | None) -> list[str]:
    """initdb and postgres refuse to run as root: as root, they run as `owner`."""
    return ["runuser", "-u", owner, "--"] if owner else []


class PostgresServer:
    """One cluster. `url(db, user)` gives the contract's URL form for a database on it."""

    def __init__(self, folder: Path, port: int, owner: str | None):
        self.folder, self.port, self.owner = folder, port, owner
        self.data = folder / "data"
        self.socket_dir = folder

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres", user: str = SUPERUSER) -> str:
        done = subprocess.run(
            [str(PG_BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", self.url(database, user), "-c", sql],
            capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self.psql(f'create database "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    bin_dir = ensure_postgresql()
    # A short path: a unix socket's path may not exceed 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="bangfu-pg-", dir="/tmp"))
    owner = None
    if os.geteuid() == 0:
        owner = SUPERUSER if _user_exists(SUPERUSER) else "nobody"
        shutil.chown(folder, owner)
    server = PostgresServer(folder, _free_port(), owner)
    log = folder / "server.log"
    try:
        subprocess.run(
            [*_as_owner(owner), str(bin_dir / "initdb"), "-D", str(server.data), "-U", SUPERUSER,
             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True)
        options = (f"-c listen_addresses=127.0.0.1 -c port={server.port} "
                   f"-c unix_socket_directories={folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=60 -c shared_buffers=64MB")
        subprocess.run(
            [*_as_owner(owner), str(bin_dir / "pg_ctl"), "-D", str(server.data), "-l", str(log),
             "-o", options, "-w", "-t", "60", "start"],
            check=True, capture_output=True)
        _wait_ready(server)
        yield server
    finally:
        subprocess.run([*_as_owner(owner), str(bin_dir / "pg_ctl"), "-D", str(server.data),
                        "-m", "immediate", "-w", "stop"], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _wait_ready(server: PostgresServer, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            server.psql("select 1")
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
