"""What is in the raw folder now: every submitted file with its sha256, size and mtime, and
an archived copy of each version taken before anything else touches it.

The archived copy is what was hashed and what is read: a file is copied into the archive
first, the copy's bytes are hashed as they are written, and the copy is named by that hash
once the scan's new copies are all on disk.
A file still being written (its size or mtime moved during the copy, or it changed less
than the settle time ago) waits for the next run. Everything in the folder is recorded,
whatever its name: what is not read (hidden and system files, symbolic links, which are
never followed, folders that cannot be opened) is listed with a code saying why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.errors import OperatorError
from pipelines.issues import Issue

# Office lock files (~$报表.xlsx), WPS backups and system files are not submissions.
_SKIPPED_PREFIXES = ("~$", ".~", ".")
_SKIPPED_NAMES = {"Thumbs.db", "desktop.ini"}
# The archive is read by the service's group (the dashboards' web server, a backup job).
ARCHIVE_FILE_MODE = 0o640
ARCHIVE_FOLDER_MODE = 0o750
_BLOCK = 1 << 20
# A copy on its way into the archive; one left by a killed run is removed by the next scan.
INCOMING_PREFIX = ".incoming-"

MANIFEST_SCHEMA = {
    "file_path": pl.String,
    "sha256": pl.String,
    "size_bytes": pl.Int64,
    "modified_at": pl.Datetime("us"),
    "archive_path": pl.String,
}
SKIPPED_SCHEMA = {
    "file_path": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "message": pl.String,
}


@dataclass(frozen=True)
class KnownVersion:
    """What the ledger remembers of a path's present version."""

    sha256: str
    size_bytes: int
    modified_at: dt.datetime
    archive_path: str


@dataclass(frozen=True)
class Entry:
    """One thing found in the raw folder: `path` to open it, `name` to record it by, and
    why it is not read (`skip`: an issue code and its detail), if it is not."""

    path: Path
    name: str
    skip: tuple[str, str] | None = None


@dataclass(frozen=True)
class Scan:
    files: pl.DataFrame  # MANIFEST_SCHEMA: the versions present (and read or to be read)
    skipped: pl.DataFrame  # SKIPPED_SCHEMA: everything else in the folder, with its code
    # When the last file still changing will have been unchanged for the settle time (UTC):
    # a run from then on reads it. None when no file waits.
    settled_at: dt.datetime | None = None


def recorded_name(relative: str) -> str:
    """A path as the warehouse records it: itself when it is valid UTF-8; otherwise its bytes
    that are not UTF-8 written as \\xNN (a name in GBK bytes, from a zip made on Windows).
    Backslashes are doubled, so the bytes on disk can always be told back (`disk_name`)."""
    raw = os.fsencode(relative).replace(b"\\", b"\\\\")
    return raw.decode("utf-8", "backslashreplace")


def disk_name(recorded: str) -> str:
    """The name on disk (as Python's os functions spell it) of a `recorded_name`."""
    out, i = bytearray(), 0
    while i < len(recorded):
        if recorded.startswith("\\\\", i):
            out += b"\\"
            i += 2
        elif recorded.startswith("\\x", i):
            out.append(int(recorded[i + 2:i + 4], 16))
            i += 4
        else:
            out += recorded[i].encode()
            i += 1
    return os.fsdecode(bytes(out))


def walk_raw_folder(raw_dir: Path) -> Iterator[Entry]:
    """Everything under the raw folder, in path order; links are reported, never followed."""
    yield from _walk(raw_dir, "")


def _walk(folder: Path, prefix: str) -> Iterator[Entry]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        yield Entry(folder, recorded_name(prefix.rstrip("/") or "."),
                    ("unreadable_file", f"文件夹无法打开：{exc.strerror}"))
        return
    for entry in entries:
        relative = prefix + entry.name
        name = recorded_name(relative)
        path = Path(entry.path)
        if entry.is_symlink():
            yield Entry(path, name, ("symbolic_link", recorded_name(os.readlink(path))))
        elif entry.is_dir(follow_symlinks=False):
            if entry.name.startswith("."):
                yield Entry(path, name + "/", ("hidden_file", "隐藏文件夹"))
            else:
                yield from _walk(path, relative + "/")
        elif not entry.is_file(follow_symlinks=False):
            yield Entry(path, name, ("unsupported_format", "不是普通文件（设备、管道或套接字）"))
        elif entry.name.startswith(_SKIPPED_PREFIXES) or entry.name in _SKIPPED_NAMES:
            lock = entry.name.startswith(("~$", ".~"))
            kind = "Office 临时锁定文件" if lock else "隐藏或系统文件"
            yield Entry(path, name, ("hidden_file", kind))
        else:
            yield Entry(path, name)


def submitted_files(raw_dir: Path) -> list[Path]:
    """The files of the raw folder that are read (not hidden, not links)."""
    return [entry.path for entry in walk_raw_folder(raw_dir) if entry.skip is None]


def folder_ledger(raw_dir: Path, previous: dict[str, list]) -> tuple[dict[str, list], int]:
    """The sensor's ledger of the raw folder, path → [size, mtime_ns, ctime_ns, sha256], and
    how many files are still changing. A file is hashed once its stat held since the
    `previous` ledger (the last tick), and not again while it holds; until then its sha256
    is None. Nothing is copied: that is the run's work."""
    ledger, changing = {}, 0
    if not raw_dir.is_dir():
        return ledger, changing
    for entry in walk_raw_folder(raw_dir):
        if entry.skip is not None:
            continue
        try:
            stat = os.stat(entry.path, follow_symlinks=False)
            signature = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]
            known = previous.get(entry.name)
            sha256 = None
            if known and known[:3] == signature:
                sha256 = known[3] or content_hash(entry.path)[0]
        except (OSError, StillChanging):
            signature, sha256 = [None, None, None], None
        changing += sha256 is None
        ledger[entry.name] = [*signature, sha256]
    return ledger, changing


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_relative_path(sha256: str, suffix: str) -> str:
    # Only a plain extension goes into the archive's name (a name may be in any bytes).
    suffix = suffix.lower() if suffix.isascii() and suffix[1:].isalnum() else ""
    return f"archive/{sha256[:2]}/{sha256}{suffix}"


class StillChanging(Exception):
    """The file moved while it was being copied or hashed."""


def _stable_stat(fd: int, before: os.stat_result) -> None:
    after = os.fstat(fd)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise StillChanging


def _open_no_follow(path: Path) -> int:
    # A file replaced by a link between the listing and the open is not followed either.
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))


def content_hash(path: Path) -> tuple[str, os.stat_result]:
    """sha256 of the file in place, and its stat, checked unchanged across the read."""
    fd = _open_no_follow(path)
    try:
        before = os.fstat(fd)
        digest = hashlib.sha256()
        with os.fdopen(os.dup(fd), "rb") as fh:
            for block in iter(lambda: fh.read(_BLOCK), b""):
                digest.update(block)
        _stable_stat(fd, before)
        return digest.hexdigest(), before
    finally:
        os.close(fd)


def stage_into_archive(path: Path, warehouse_dir: Path,
                       expected_sha256: str) -> tuple[str, os.stat_result, Path]:
    """Copy a file into the archive's incoming area, hashing the bytes written; (its archive
    path, the file's stat, the incoming copy), for `commit_to_archive` to name once it is on
    disk. Raises StillChanging, and discards the copy, when the file's size or mtime moved
    during the copy or the copy's bytes are not the ones hashed before (the sender is still
    writing)."""
    archive_dir = warehouse_dir / "archive"
    fd = _open_no_follow(path)
    tmp_fd, tmp_name = tempfile.mkstemp(dir=archive_dir, prefix=INCOMING_PREFIX)
    try:
        before = os.fstat(fd)
        digest = hashlib.sha256()
        with os.fdopen(tmp_fd, "wb") as tmp, os.fdopen(os.dup(fd), "rb") as source:
            for block in iter(lambda: source.read(_BLOCK), b""):
                tmp.write(block)
                digest.update(block)
        _stable_stat(fd, before)
        sha256 = digest.hexdigest()
        if sha256 != expected_sha256:
            raise StillChanging
        os.chmod(tmp_name, ARCHIVE_FILE_MODE)
        return archive_relative_path(sha256, path.suffix), before, Path(tmp_name)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def commit_to_archive(staged: dict[str, Path], warehouse_dir: Path) -> None:
    """Give incoming copies (archive path → copy) their names. The copies reach the disk
    first, all together (an fsync each cost seconds per thousand files), so that a name in
    the archive always holds its bytes, whenever the machine stops; then the names do,
    before anything that refers to them is loaded."""
    if not staged:
        return
    os.sync()
    for relative, incoming in staged.items():
        target = warehouse_dir / relative
        target.parent.mkdir(mode=ARCHIVE_FOLDER_MODE, exist_ok=True)
        os.chmod(target.parent, ARCHIVE_FOLDER_MODE)
        os.replace(incoming, target)
    os.sync()


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None)


def scan(raw_dir: Path, warehouse_dir: Path, known: dict[str, KnownVersion] | None = None,
         settle_seconds: float = 0, now: float | None = None, archive: bool = True) -> Scan:
    """The manifest of the raw folder. Every file is hashed by content on every run (an edit
    that keeps size and mtime, as `cp -p` makes, is still seen); a content not yet archived
    is copied in first and hashed as copied. A file that is still changing keeps the
    version the ledger knows, if any, and is listed as waiting. With `archive=False` nothing
    is written (a look outside the run lock): a content not archived yet has no
    archive_path."""
    known = known or {}
    now = time.time() if now is None else now
    files, skipped = [], []
    settling: list[float] = []  # when each waiting file will have settled
    staged: dict[str, Path] = {}  # archive path → the incoming copy of a new content
    if archive:
        archive_dir = warehouse_dir / "archive"
        archive_dir.mkdir(mode=ARCHIVE_FOLDER_MODE, parents=True, exist_ok=True)
        os.chmod(archive_dir, ARCHIVE_FOLDER_MODE)
        for leftover in archive_dir.glob(INCOMING_PREFIX + "*"):
            leftover.unlink(missing_ok=True)

    def skip(name: str, code: str, detail: str) -> None:
        issue = Issue(code, detail=detail, source="scan")
        skipped.append({"file_path": name, "code": code, "severity": issue.severity,
                        "message": issue.message})

    for entry in walk_raw_folder(raw_dir):
        if entry.skip is not None:
            skip(entry.name, *entry.skip)
            continue
        try:
            version = _archived_version(entry, warehouse_dir, now - settle_seconds,
                                        staged if archive else None)
        except StillChanging:
            version = None
        except OSError as exc:
            skip(entry.name, "unreadable_file", f"没有读取权限或读取出错：{exc.strerror}")
            continue
        if version is None:
            settling.append(_changed_at(entry.path, now) + settle_seconds)
            skip(entry.name, "file_not_settled", f"至少稳定 {settle_seconds:g} 秒后读取")
            remembered = known.get(entry.name)
            if remembered is not None:  # the version already in the warehouse stays present
                files.append({"file_path": entry.name, "sha256": remembered.sha256,
                              "size_bytes": remembered.size_bytes,
                              "modified_at": remembered.modified_at,
                              "archive_path": remembered.archive_path})
            continue
        files.append({"file_path": entry.name, **version})
    commit_to_archive(staged, warehouse_dir)
    return Scan(pl.DataFrame(files, schema=MANIFEST_SCHEMA, orient="row"),
                pl.DataFrame(skipped, schema=SKIPPED_SCHEMA, orient="row"),
                _utc(max(settling)) if settling else None)


def _changed_at(path: Path, now: float) -> float:
    """When a file that is still changing changed last (now, when that cannot be told)."""
    try:
        stat = os.stat(path, follow_symlinks=False)
    except OSError:
        return now
    return max(stat.st_mtime, stat.st_ctime)


def _archived_version(entry: Entry, warehouse_dir: Path, settled_before: float,
                      staged: dict[str, Path] | None) -> dict | None:
    """The file's version, its content staged into the archive when new (`staged` None: a
    look that writes nothing); None when it changed after `settled_before`."""
    before = os.stat(entry.path, follow_symlinks=False)
    if max(before.st_mtime, before.st_ctime) > settled_before:
        return None
    sha256, stat = content_hash(entry.path)
    relative = archive_relative_path(sha256, entry.path.suffix)
    if relative not in (staged or {}) and not (warehouse_dir / relative).is_file():
        if staged is None:
            return {"sha256": sha256, "size_bytes": stat.st_size,
                    "modified_at": _utc(stat.st_mtime), "archive_path": None}
        relative, stat, incoming = stage_into_archive(entry.path, warehouse_dir, sha256)
        staged[relative] = incoming
    return {"sha256": sha256, "size_bytes": stat.st_size, "modified_at": _utc(stat.st_mtime),
            "archive_path": relative}
