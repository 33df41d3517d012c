"""Where the warehouse is: `BANGFU_WAREHOUSE` parsed once, into a DuckDB file or a PostgreSQL
server (a `postgresql://USER@HOST:PORT/DB` URL, the password from PGPASSWORD or ~/.pgpass,
as libpq reads them), and the folder on disk that holds what a server does not: the archive
of submitted files, Great Expectations' results, run logs.

`warehouse_location()` is the one parser of the setting; the portal reads it to put its own
tables beside the warehouse (`engine`, `dsn`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipelines.errors import OperatorError

DUCKDB = "duckdb"
POSTGRES = "postgres"
DEFAULT_WAREHOUSE = "warehouse/bangfu.duckdb"
# The folder on disk beside a server warehouse (BANGFU_FILES_DIR), relative to the repository.
DEFAULT_FILES_DIR = "warehouse"
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# Any other URL is refused rather than taken for a relative path (a folder named `mysql:`).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class WarehouseLocation:
    """The published warehouse: a DuckDB file (`path`) or a PostgreSQL database (`dsn`, a
    libpq connection URL), and `files_dir`, the folder on disk for the archive, Great
    Expectations' results and logs (the DuckDB file's own folder, or BANGFU_FILES_DIR)."""

    engine: Literal["duckdb", "postgres"]
    files_dir: Path
    path: Path | None = None
    dsn: str | None = None

    @property
    def is_server(self) -> bool:
        return self.engine == POSTGRES

    def describe(self) -> str:
        """The warehouse as messages name it (a URL without its password)."""
        if self.path is not None:
            return str(self.path)
        import psycopg.conninfo

        parts = psycopg.conninfo.conninfo_to_dict(self.dsn)
        parts.pop("password", None)
        host, port = parts.get("host", "localhost"), parts.get("port", "5432")
        return f"postgresql://{parts.get('user', '')}@{host}:{port}/{parts.get('dbname', '')}"

    def connection_parameters(self) -> dict[str, str]:
        """host, port, user, dbname of a server warehouse, as libpq resolves them from the
        URL and the environment (PGHOST, PGUSER …); the password is left to libpq."""
        import psycopg.conninfo

        given = psycopg.conninfo.conninfo_to_dict(self.dsn)
        return {
            "host": str(given.get("host") or os.environ.get("PGHOST") or "localhost"),
            "port": str(given.get("port") or os.environ.get("PGPORT") or "5432"),
            "user": str(given.get("user") or os.environ.get("PGUSER") or _login()),
            "dbname": str(given["dbname"]),
        }


def _login() -> str:
    import getpass

    return getpass.getuser()


def parse_warehouse(value: str | os.PathLike | None, root: Path,
                    files_dir: str | os.PathLike | None = None) -> WarehouseLocation:
    """`value` as BANGFU_WAREHOUSE gives it (a path relative to `root`, or a PostgreSQL URL);
    `files_dir` as BANGFU_FILES_DIR gives it (only a server warehouse has one of its own)."""
    text = os.fspath(value) if value else DEFAULT_WAREHOUSE
    if text.startswith(_POSTGRES_SCHEMES):
        import psycopg.conninfo

        try:
            parts = psycopg.conninfo.conninfo_to_dict(text)
        except psycopg.ProgrammingError as error:
            raise OperatorError("warehouse_url_invalid",
                                f"BANGFU_WAREHOUSE 不是有效的 PostgreSQL 地址：{error}") from error
        if not parts.get("dbname"):
            raise OperatorError(
                "warehouse_url_invalid",
                "BANGFU_WAREHOUSE 的 PostgreSQL 地址缺少数据库名，应为 "
                "postgresql://用户@主机:端口/数据库")
        folder = Path(files_dir or DEFAULT_FILES_DIR)
        return WarehouseLocation(POSTGRES, folder if folder.is_absolute() else root / folder,
                                 dsn=text)
    if _URL.match(text):
        raise OperatorError(
            "warehouse_url_unsupported",
            f"BANGFU_WAREHOUSE={text.split('://')[0]}://… 不受支持：应为 DuckDB 文件路径或 "
            "postgresql://用户@主机:端口/数据库")
    path = Path(text)
    path = path if path.is_absolute() else root / path
    return WarehouseLocation(DUCKDB, path.parent, path=path)


def warehouse_location() -> WarehouseLocation:
    """The warehouse this process's environment names (BANGFU_WAREHOUSE, BANGFU_FILES_DIR)."""
    from pipelines.settings import REPO_ROOT

    return parse_warehouse(os.environ.get("BANGFU_WAREHOUSE"), REPO_ROOT,
                           os.environ.get("BANGFU_FILES_DIR"))


def as_location(warehouse: WarehouseLocation | str | os.PathLike) -> WarehouseLocation:
    """A location given as itself, a DuckDB file's path, or a PostgreSQL URL (whose files
    folder is BANGFU_FILES_DIR's), for functions that take any of them."""
    if isinstance(warehouse, WarehouseLocation):
        return warehouse
    from pipelines.settings import REPO_ROOT

    return parse_warehouse(warehouse, REPO_ROOT, os.environ.get("BANGFU_FILES_DIR"))
