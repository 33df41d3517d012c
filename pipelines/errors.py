"""Errors an operator can act on: one line saying what happened, where, and what to do.

Pipeline code raises `OperatorError` where a run must stop without touching what was
published (a raw folder that is not there, a run that would withdraw most files, a
warehouse folder that cannot be written, a run lock held too long). `bangfu run` prints its
line, not a traceback; Dagster shows the same line as the step's error.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path


class OperatorError(Exception):
    """A refusal or an environment problem, with the code operators and tests look for."""

    def __init__(self, code: str, line: str):
        super().__init__(f"{line}（{code}）")
        self.code = code
        self.line = str(self)


# What the operating system says → what an operator should do about it.
_ENVIRONMENT_PROBLEMS = {
    errno.ENOSPC: ("disk_full", "磁盘已满", "请清理磁盘空间后重新运行"),
    errno.EDQUOT: ("disk_full", "磁盘配额已用完", "请清理磁盘空间后重新运行"),
    errno.EROFS: ("folder_read_only", "文件夹是只读的", "请检查挂载方式或换一个可写的位置"),
    errno.EACCES: ("folder_not_writable", "没有写入权限", "请检查运行账户对此文件夹的权限"),
    errno.EPERM: ("folder_not_writable", "没有写入权限", "请检查运行账户对此文件夹的权限"),
}


@contextlib.contextmanager
def environment_errors(where: Path) -> Iterator[None]:
    """Turn a full disk or an unwritable folder met while writing under `where` into one
    line for the operator; any other error stays what it is."""
    try:
        yield
    except OSError as exc:
        known = _ENVIRONMENT_PROBLEMS.get(exc.errno or 0)
        if known is None:
            raise
        code, what, todo = known
        raise OperatorError(code, f"无法写入 {exc.filename or where}：{what}。{todo}；"
                                  "已发布的数据库和网站未改动") from exc
    except Exception as exc:
        # DuckDB reports the same conditions as its own IOException / PermissionException.
        name = type(exc).__name__
        text = str(exc)
        if name in {"IOException", "PermissionException"} and (
                "No space left" in text or "Permission denied" in text or "Read-only" in text):
            code = "disk_full" if "No space left" in text else "folder_not_writable"
            raise OperatorError(code, f"无法写入 {where}：{text.splitlines()[0]}。"
                                      "请检查磁盘空间和文件夹权限；已发布的数据库和网站未改动"
                                ) from exc
        raise
