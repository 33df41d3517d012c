"""What is in the raw folder now: every submitted file with its sha256, size and mtime, and
an archived copy of each version taken before anything else touches it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.errors import OperatorError

# Office lock files (~$报表.xlsx) and hidden files (.DS_Store, Thumbs.db) are not submissions.
_SKIPPED_PREFIXES = ("~$", ".")
_SKIPPED_NAMES = {"Thumbs.db", "desktop.ini"}

MANIFEST_SCHEMA = {
    "file_path": pl.String,
    "sha256": pl.String,
    "size_bytes": pl.Int64,
    "modified_at": pl.Datetime("us"),
    "archive_path": pl.String,
}


@dataclass(frozen=True)
class KnownVersion:
    """What the ledger remembers of a path, so unchanged files are not hashed again."""

    sha256: str
    size_bytes: int
    modified_at: dt.datetime


def check_raw_folder(raw_dir: Path) -> None:
    """Refuse a raw folder that is not there: read as empty, it would withdraw every file
    and empty the published marts (an unmounted share, a mistyped BANGFU_RAW_DIR)."""
    todo = "请检查共享盘是否已挂载、BANGFU_RAW_DIR 是否正确；已发布的数据库和网站未改动"
    if not raw_dir.exists():
        raise OperatorError("raw_folder_missing", f"拒绝运行：原始文件夹 {raw_dir} 不存在。{todo}")
    if not raw_dir.is_dir():
        raise OperatorError("raw_folder_not_a_folder",
                            f"拒绝运行：原始文件夹 {raw_dir} 不是文件夹。{todo}")
    try:
        with os.scandir(raw_dir) as entries:
            next(entries, None)
    except OSError as exc:
        raise OperatorError("raw_folder_unreadable",
                            f"拒绝运行：原始文件夹 {raw_dir} 无法读取（{exc.strerror}）。"
                            "请检查运行账户对此文件夹的读取权限；已发布的数据库和网站未改动"
                            ) from exc


def check_withdrawals(present_before: int, withdrawn: int, accepted: bool) -> None:
    """Refuse a run that would withdraw more than half of the files present so far, unless
    the operator said so: a half-synchronised or wrongly mounted folder looks like that."""
    if withdrawn * 2 > present_before and not accepted:
        raise OperatorError(
            "mass_withdrawal",
            f"拒绝运行：本次将撤回 {withdrawn} 个文件（现有 {present_before} 个，超过一半）。"
            "请确认原始文件夹完整；如确需撤回，请运行 bangfu run --accept-withdrawals；"
            "已发布的数据库和网站未改动")


def submitted_files(raw_dir: Path) -> list[Path]:
    if not raw_dir.is_dir():
        return []
    return sorted(
        path for path in raw_dir.rglob("*")
        if path.is_file()
        and not path.name.startswith(_SKIPPED_PREFIXES)
        and path.name not in _SKIPPED_NAMES
        and not any(part.startswith(".") for part in path.relative_to(raw_dir).parts[:-1])
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_relative_path(sha256: str, suffix: str) -> str:
    return f"archive/{sha256[:2]}/{sha256}{suffix.lower()}"


def archive(path: Path, sha256: str, warehouse_dir: Path) -> str:
    """Copy a file version into the content-addressed archive (once; atomically)."""
    relative = archive_relative_path(sha256, path.suffix)
    target = warehouse_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp,
            path.open("rb") as source,
        ):
            shutil.copyfileobj(source, tmp)
        os.replace(tmp.name, target)
    return relative


def scan(raw_dir: Path, warehouse_dir: Path,
         known: dict[str, KnownVersion] | None = None) -> pl.DataFrame:
    """The manifest of the raw folder. A path whose size and mtime match what the ledger
    knows keeps its sha256 without being read again."""
    known = known or {}
    records = []
    for path in submitted_files(raw_dir):
        relative = path.relative_to(raw_dir).as_posix()
        stat = path.stat()
        modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
        remembered = known.get(relative)
        unchanged = remembered and (remembered.size_bytes, remembered.modified_at) == (
            stat.st_size, modified)
        sha256 = remembered.sha256 if unchanged else sha256_of(path)
        records.append({
            "file_path": relative,
            "sha256": sha256,
            "size_bytes": stat.st_size,
            "modified_at": modified,
            "archive_path": archive(path, sha256, warehouse_dir),
        })
    return pl.DataFrame(records, schema=MANIFEST_SCHEMA, orient="row")
