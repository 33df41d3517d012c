"""The operator's registry workbook through the portal: download the one in force, upload a
new one, which takes effect only when `bangfu registry check` finds no error in it (the
previous one is kept beside it, dated)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from pipelines.settings import REPO_ROOT
from portal.scopes import ADMIN
from portal.views import attachment, needs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REGISTRY_MB = 10


def registry_path() -> Path:
    path = Path(os.environ.get("BANGFU_REGISTRY") or "registry/登记表.xlsx")
    return path if path.is_absolute() else REPO_ROOT / path


def registry_check(path: Path) -> tuple[int, list[str]]:
    """`bangfu registry check PATH`: its exit status and its lines."""
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "registry", "check", str(path)],
        capture_output=True, text=True, timeout=300, check=False)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return done.returncode, lines


def _replace(content: bytes) -> tuple[bool, list[str]]:
    target = registry_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, candidate = tempfile.mkstemp(dir=target.parent, prefix=".登记表-", suffix=".xlsx")
    with os.fdopen(descriptor, "wb") as fh:
        fh.write(content)
    candidate = Path(candidate)
    status, lines = registry_check(candidate)
    if status != 0:
        candidate.unlink()
        return False, lines
    if target.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        os.link(target, target.with_name(f"{target.stem}.{stamp}{target.suffix}"))
    os.replace(candidate, target)
    return True, lines


@needs(lambda scope: scope.role == ADMIN)
def registry_page(request):
    lines: list[str] = []
    if request.method == "POST":
        sent = request.FILES.get("registry")
        if sent is None or not sent.name.lower().endswith(".xlsx"):
            messages.error(request, "请选择登记表工作簿（.xlsx）。")
        elif sent.size > MAX_REGISTRY_MB * 1024 * 1024:
            messages.error(request, f"登记表超过 {MAX_REGISTRY_MB} MB，未接收。")
        else:
            taken, lines = _replace(sent.read())
            if taken:
                messages.success(request,
                                 "新登记表检查通过，已生效；下次运行时应用到全部报送文件。")
                return HttpResponseRedirect(reverse("registry"))
            messages.error(request, "新登记表有错误，未生效（仍使用原登记表）。"
                                    "请按下列各行改正后重新上传。")
    path = registry_path()
    return render(request, "portal/registry.html", {
        "exists": path.is_file(), "path": path, "lines": lines,
        "modified": dt.datetime.fromtimestamp(path.stat().st_mtime) if path.is_file() else None})


@needs(lambda scope: scope.role == ADMIN)
def registry_download(request):
    path = registry_path()
    if not path.is_file():
        raise Http404
    return attachment(path, path.name, XLSX)
