"""The site in parts, and a rebuild that makes anew only the parts whose inputs changed.

A part is some files of the site that one function makes: `make(context, *arguments)` returns
them, each a Document (a page, put in the site's template) or a File. A part's files depend on
nothing but
- the code: bangfu's sources (dbt's project included: it sets the programme's years), the
  browser libraries the site ships, the Python and the libraries installed (`code_digest`);
- the part's function and its arguments, plain values whose repr is the same in every process;
- what frames every page: the pages and the sections the navigation links to;
- the answers the part gets from the marts: it is made from a view of them that notes every
  question it asks (`Marts.noting_reads`);
- the annotated copies the run recorded, named by their own sha256 (an argument): the same
  name, the same bytes;
- and the build time, which its pages show: on purpose no input (see below).

The manifest in the site (MANIFEST) keeps, for each part, a digest of the first four (its key),
the questions it asked with one digest of their answers, the sha256 of each of its files and
when it was made.
The next build takes a part from the previous site when its key is the same, its questions get
the same answers now and its files there still have those digests; anything else (no manifest or
one of another format, a part not in it, a question that is no question, a file changed or
gone) makes it anew. The questions are those the part's code asked when it was made, not a list
kept by hand: a page that starts reading another table is keyed by it from its next build on,
since a change of code makes every part anew.

Taken files are hard links to the previous site's (copies where a link cannot be made). Nothing
writes into a published site, and the previous one is deleted once the new one is in place.

Times: a part taken over keeps its files byte for byte, so each page says when it was made,
that is when what it shows last changed. The index asks for the warehouse's update time: it is
made anew whenever a warehouse was published, and says when the site was built from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dashboards.assets import NODE_MODULES, source_files
from dashboards.context import Document, SiteContext
from dashboards.marts import Marts, Read
from pipelines.warehouse.build_record import build_inputs_digest

MANIFEST = "build-manifest.json"
# A manifest of another format is not read: every part is made anew.
FORMAT = 1


@dataclass(frozen=True)
class File:
    path: str  # from the site's root, "/"-separated
    content: bytes


@dataclass(frozen=True)
class Part:
    name: str  # unique in the site, and the same for the same thing in the next build
    make: Callable[..., Iterable[Document | File]]
    arguments: tuple = ()


def build_parts(
    parts: Iterable[Part],
    context: SiteContext,
    site: Path,
    previous: Path,
    render: Callable[[Document, SiteContext], str],
) -> list[str]:
    """Write each part into the folder `site`, taken from the site in `previous` when it can
    be (see above), then the manifest; return the names of the parts made anew. `render`
    puts a Document in the site's template."""
    parts = list(parts)
    repeated = [name for name, count in Counter(p.name for p in parts).items() if count > 1]
    if repeated:
        raise ValueError(f"parts named more than once: {repeated}")
    code, framing = code_digest(), context.framing()
    _require_plain(framing, "the site's frame")
    previous_entries = _manifest_entries(previous / MANIFEST)
    entries, made = {}, []
    for part in parts:
        key = _key(code, framing, part)
        entry = _take(previous_entries.get(part.name), key, context.marts, previous, site)
        if entry is None:
            entry = _make(part, key, context, site, render)
            made.append(part.name)
        entries[part.name] = entry
    manifest = {"format": FORMAT, "parts": entries}
    _write_new(site / MANIFEST,
               json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode())
    return made


def code_digest() -> str:
    """One digest of the code that makes the site: bangfu's sources, the browser libraries
    the site ships, the Python running and the distributions installed."""
    digest = hashlib.sha256(build_inputs_digest().encode())
    for path in source_files():
        digest.update(os.path.relpath(path, NODE_MODULES).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")
    digest.update(sys.version.encode())
    digest.update("\n".join(_installed_distributions()).encode())
    return digest.hexdigest()


def _installed_distributions() -> list[str]:
    """Every distribution installed, by its metadata folder's name (name and version)."""
    return sorted({
        entry.name
        for folder in sys.path
        if os.path.isdir(folder)
        for entry in os.scandir(folder)
        if entry.name.endswith((".dist-info", ".egg-info"))
    })


def _key(code: str, framing: tuple, part: Part) -> str:
    _require_plain(part.arguments, part.name)
    make = f"{part.make.__module__}.{part.make.__qualname__}"
    return _sha256(repr((code, framing, part.name, make, part.arguments)).encode())


def _require_plain(value: object, owner: str) -> None:
    """A value whose repr is its content: no object that a repr shows by its address."""
    if value is None or isinstance(value, str | int | float | dt.date):
        return
    if isinstance(value, tuple):
        for item in value:
            _require_plain(item, owner)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _require_plain(getattr(value, field.name), owner)
    else:
        raise TypeError(f"{owner}: {type(value).__name__} cannot key a part of the site")


def _make(part: Part, key: str, context: SiteContext, site: Path,
          render: Callable[[Document, SiteContext], str]) -> dict:
    noting = dataclasses.replace(context, marts=context.marts.noting_reads())
    files = {}
    for output in part.make(noting, *part.arguments):
        if isinstance(output, Document):
            output = File(output.path, render(output, context).encode("utf-8"))
        _write_new(site / output.path, output.content)
        files[output.path] = _sha256(output.content)
    reads = sorted(noting.marts.reads)
    return {
        "key": key,
        "made_at": context.built_at.isoformat(),
        "reads": [list(read) for read in reads],
        "answers": _answers(context.marts, reads),
        "files": files,
    }


def _take(entry: object, key: str, marts: Marts, previous: Path, site: Path) -> dict | None:
    """Link the part's files from the previous site into `site` and return its manifest entry,
    if the previous build made it from the same inputs; else None."""
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    try:
        if _answers(marts, sorted(tuple(read) for read in entry["reads"])) != entry["answers"]:
            return None
        files = dict(entry["files"])
        for path, digest in files.items():
            if _sha256((previous / _inside_the_site(path)).read_bytes()) != digest:
                return None
    except (KeyError, TypeError, ValueError, OSError):
        return None
    for path in files:
        link_or_copy(previous / path, site / path)
    return entry


def _answers(marts: Marts, reads: list[Read]) -> str:
    digest = hashlib.sha256()
    for read in reads:
        digest.update(json.dumps(read, ensure_ascii=False).encode())
        digest.update(marts.answer_digest(read).encode())
    return digest.hexdigest()


def _manifest_entries(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return {}
    entries = manifest.get("parts")
    return entries if isinstance(entries, dict) else {}


def _inside_the_site(path: object) -> PurePosixPath:
    relative = PurePosixPath(path)  # TypeError for what is no path
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"not a path inside the site: {path!r}")
    return relative


def _write_new(path: Path, content: bytes) -> None:
    """Write a file that must not exist yet: two parts never write the same path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as file:
        file.write(content)


def link_or_copy(source: Path | str, target: Path | str) -> None:
    """A hard link to `source` at `target`; a copy where no link can be made."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
