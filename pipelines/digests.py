"""What changed, as content digests: one digest per class of input, from which each step
decides whether its last result still holds. Nothing here is a version bumped by hand: a
digest is of the files' names and bytes, so editing a file is what changes it.

- `reader`: the modules that read a file, judge its rows and annotate it (found by their
  imports, from READER_ENTRY_MODULES), the reader's vocabulary, the
  suites and the seeds. Ingest reads again a content parsed under another reader key.
- `code`: every source of bangfu (pipelines, dbt project, suites, dashboards). A run whose
  files and code the published warehouse records stops after the scan; the site's parts key
  on it.
- `dbt_project`: the dbt project alone. dbt's selection (unit tests) and the docs.

- `forms`: each file's sha256 (the scan's ledger); a folder's settled contents as one digest
  (`forms_digest`) are the sensor's state.

The registry is compared by its rows; each site part by its answers (dashboards/parts.py).
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pipelines.settings import REPO_ROOT

CODE = ("pipelines", "dbt_project", "expectations", "dashboards")
DBT_PROJECT = ("dbt_project",)
# Where reading a file starts: the worker pool (reader), the suites (one file's rows judged)
# and the annotated copy a content with errors is recorded with.
READER_ENTRY_MODULES = ("pipelines.forms.pool", "pipelines.validation.suites",
                        "pipelines.authoring.annotate")
# The data the reader and the suites read besides their modules (the raw layer shapes a batch).
READER_DATA = ("pipelines/forms/vocabulary.yml", "expectations", "dbt_project/seeds",
               "dbt_project/models/staging/sources.yml")

# Generated files under the inputs are not inputs.
_GENERATED = {"target", "logs", "site", "node_modules", "__pycache__", "dbt_packages"}
_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json", ".md", ".html", ".css", ".js",
             ".jinja"}


def _files(tops: Iterable[str], root: Path) -> list[Path]:
    found = []
    for top in tops:
        path = root / top
        candidates = [path] if path.is_file() else path.rglob("*")
        for candidate in candidates:
            relative = candidate.relative_to(root)
            if (candidate.suffix in _SUFFIXES and candidate.is_file()
                    and not _GENERATED.intersection(relative.parts)):
                found.append(candidate)
    return sorted(set(found))


def content_digest(tops: Iterable[str], root: Path = REPO_ROOT) -> str:
    """One digest of every source file under `tops` (folders or files): names and bytes."""
    digest = hashlib.sha256()
    for path in _files(tops, root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def module_path(module: str, root: Path = REPO_ROOT) -> Path | None:
    """The source file of one of bangfu's modules, if it is one."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """The modules a source file imports (absolute imports, at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def module_closure(entries: Iterable[str], root: Path = REPO_ROOT) -> set[str]:
    """The bangfu modules the entries import, directly or not (with their packages)."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        module = todo.pop()
        path = module_path(module, root)
        if module in seen or path is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:n]) for n in range(1, len(parts))]
        todo += sorted(m for m in imported_modules(path) if m.split(".")[0] == parts[0])
    return seen


def forms_digest(contents: dict[str, str], registry_digest: str) -> str:
    """One name for a folder's settled contents (path → sha256) read with a registry (its
    digest): the sensor's state."""
    text = json.dumps([sorted(contents.items()), registry_digest], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def reader_key(root: Path = REPO_ROOT) -> str:
    """The key a parse is stored under (`raw.parsed_files.reader_version`): a content parsed
    under another key is read again. It changes with any module the reader or the suites run,
    their vocabulary, the suites and the seeds — never by hand."""
    modules = sorted(module_closure(READER_ENTRY_MODULES, root))
    sources = [str(module_path(m, root).relative_to(root)) for m in modules]
    return content_digest([*sources, *READER_DATA], root)[:16]


@cache
def code_digest(root: Path = REPO_ROOT) -> str:
    """Every source file of bangfu; once per process (the code does not change in a run)."""
    return content_digest(CODE, root)


@cache
def dbt_project_digest(root: Path = REPO_ROOT) -> str:
    return content_digest(DBT_PROJECT, root)
