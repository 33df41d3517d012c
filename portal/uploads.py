"""Receiving forms in the browser: each file checked at once with `bangfu check`'s reader and
suites (in its bounded worker processes), its annotated copy written, and, when it is in the
submitter's scope and names its pair, stored in the raw folder as a new version for the next
run: `<supporting>/<recipient>/<year>/<name>`, a name already taken becoming `<name>（第2版）`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from pipelines.catalogue import seed
from pipelines.checking import CheckedFile, check
from pipelines.settings import Settings
from portal.models import Upload
from portal.places import portal_dir
from portal.registry import Pair, registry
from portal.scopes import Scope

log = logging.getLogger(__name__)

# One check at a time: each already uses the reading workers, and GX is not shared safely
# between threads.
_checking = threading.Lock()
# What may not be in a stored file's name (besides path separators, which never pass).
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class Received:
    name: str  # as the browser named it
    content: bytes


class UploadRefused(Exception):
    """The whole request is refused (too many or too large files); nothing was kept."""


def limits_problem(files: list[tuple[str, int]]) -> str | None:
    """Why an upload of these (name, size) files is refused, or None."""
    if not files:
        return "请选择要上传的文件。"
    if len(files) > settings.MAX_UPLOAD_FILES:
        return (f"一次最多上传 {settings.MAX_UPLOAD_FILES} 个文件（选择了 {len(files)} 个）。"
                "请分批上传。")
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    too_large = [name for name, size in files if size > limit]
    if too_large:
        return (f"文件“{'”“'.join(too_large)}”超过 {settings.MAX_UPLOAD_MB:g} MB，未接收。"
                "统计表通常只有几十 KB；请删除多余的工作表和图片后重新上传。")
    return None


def safe_name(name: str) -> str:
    """The file name to keep: its last path part, without control or reserved characters,
    never hidden, never empty, not too long (its extension kept)."""
    name = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem[:MAX_NAME_CHARS] or "上传文件"
    return f"{stem}.{suffix[:10]}" if suffix else stem


@dataclass
class Placement:
    pair: Pair | None
    folder: str | None  # relative to the raw folder
    refusal: str  # empty when it may be stored
    # The file is another hospital's: nothing read from it is shown or kept, not even to
    # the one who sent it (no account sees another pair's rows).
    out_of_scope: bool = False


def _file_level_errors() -> frozenset[str]:
    return frozenset(row["code"] for row in seed("issue_codes")
                     if row["level"] == "file" and row["severity"] == "error")


def placement(file: CheckedFile, scope: Scope) -> Placement:
    """Where a checked file goes in the raw folder, or why it is not stored."""
    reports = file.parsed.reports if file.parsed else []
    current = registry()
    pairs = {current.pair(r.supporting_hospital, r.recipient_hospital) for r in reports}
    pair = next(iter(pairs)) if len(pairs) == 1 else None
    if any(p.code in _file_level_errors() for p in file.problems if p.severity == "error"):
        return Placement(pair, None, "文件有错误，整份文件无法接收，未存入。"
                                     "请按下面的错误改正后重新上传。")
    if not reports or None in pairs:
        return Placement(None, None, "无法确定文件属于哪一对帮扶关系，未存入。"
                                     "请在标题或“支援单位”“受援单位”栏写明医院全称后重新上传。")
    if len(pairs) > 1:
        return Placement(None, None, "一个文件中有多对帮扶关系的报表，未存入。"
                                     "请每对帮扶关系分别提交一个文件。")
    if not scope.allows(pair.supporting, pair.recipient):
        return Placement(None, None, "文件中的医院不在您的账号权限范围内，未存入。"
                                     "只能上传本院作为支援或受援单位的报表。", out_of_scope=True)
    years = [r.period_start.year for r in reports if r.period_start]
    years += [v.year for r in reports for v in r.capacity]
    year = (min if reports[0].form_type == "activity" else max)(years) if years else None
    if year is None:
        return Placement(pair, None, "无法确定统计年份，未存入。请填写统计周期后重新上传。")
    return Placement(pair, f"{pair.supporting}/{pair.recipient}/{year}", "")


def store(content: bytes, raw_dir: Path, folder: str, name: str) -> str:
    """Write `content` into `raw_dir/folder/` under `name`, or its next free version name:
    never over an existing file, even when two uploads arrive at once (the name is taken by
    a hard link, which fails when it exists). Returns the path relative to the raw folder."""
    target = raw_dir / folder
    target.mkdir(parents=True, exist_ok=True)
    # Hidden while written: the run's scan skips hidden files.
    partial = target / f".{uuid.uuid4().hex}.part"
    partial.write_bytes(content)
    try:
        stem, suffix = Path(name).stem, Path(name).suffix
        version = 1
        while True:
            candidate = name if version == 1 else f"{stem}（第{version}版）{suffix}"
            try:
                os.link(partial, target / candidate)
            except FileExistsError:
                version += 1
                continue
            return f"{folder}/{candidate}"
    finally:
        partial.unlink()


def annotated_path(upload: Upload) -> Path:
    return portal_dir() / "annotated" / f"{upload.pk}.xlsx"


def receive(received: list[Received], user, scope: Scope) -> list[Upload]:
    """Check every file, keep what may be kept, record each upload, and make the annotated
    copies (in the reader's bounded workers, as a run makes them)."""
    from pipelines.authoring.annotate import CopyJob, write_copies

    raw_dir = Settings.from_env().raw_dir
    incoming = portal_dir() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    uploads, jobs = [], []
    with tempfile.TemporaryDirectory(dir=incoming) as staging:
        paths = []
        for position, file in enumerate(received):
            path = Path(staging) / str(position) / safe_name(file.name)
            path.parent.mkdir()
            path.write_bytes(file.content)
            paths.append(path)
        with _checking:
            checked, _ = check(paths, raw_dir)
        written = dt.datetime.now(dt.UTC)
        for file, form in zip(received, checked, strict=True):
            name = safe_name(file.name)
            form.name = name
            form.problems = [dataclasses.replace(p, file=name) for p in form.problems]
            place = placement(form, scope)
            if place.out_of_scope:
                form.parsed, form.problems = None, []
            stored = store(file.content, raw_dir, place.folder, name) if place.folder else ""
            upload = Upload.objects.create(
                uploaded_by=user, original_name=name, size_bytes=len(file.content),
                sha256=hashlib.sha256(file.content).hexdigest(),
                supporting_hospital=place.pair.supporting if place.pair else "",
                recipient_hospital=place.pair.recipient if place.pair else "",
                outcome=Upload.STORED if stored else Upload.REFUSED, refusal=place.refusal,
                stored_path=stored, checked=form.as_json())
            if form.problems:
                opened = form.parsed is not None and form.parsed.sheet_count > 0
                target = annotated_path(upload)
                jobs.append((upload, CopyJob(form.path if opened else None, name,
                                             tuple(form.problems), written, target.parent,
                                             target.name)))
            log.info("upload %s by %s: %s %s", upload.pk, user.username, upload.outcome,
                     stored or place.refusal)
            uploads.append(upload)
        for (upload, _), copy in zip(jobs, write_copies([job for _, job in jobs]), strict=True):
            upload.has_annotated = copy.path is not None
            upload.save(update_fields=["has_annotated"])
    return uploads
