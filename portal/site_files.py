"""The dashboard site served through the portal, one pair at a time.

Everything about a pair lies under `<site>/pairs/<folder>/`, and `<site>/pairs.json` says
whose each folder is (dashboards' site builder writes both). A path is served when it lies
inside the site (no `..`, no hidden parts, no link leading out) and:
- under `pairs/<folder>/`: the folder's pair is in the account's scope;
- under `assets/`: the scripts and styles every page loads, to any account;
- anywhere else (the overview, explorer, quality pages across pairs, pairs.json): admin only.
Anything else answers 404, whether or not it exists, so that a URL tells nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.http import Http404

from pipelines.settings import Settings
from portal.registry import Pair
from portal.scopes import Scope

PAIRS_FOLDER = "pairs"
PAIRS_INDEX = "pairs.json"
SHARED_FOLDERS = frozenset({"assets"})


def site_dir() -> Path:
    return Settings.from_env().site_dir


def pair_folders(site: Path | None = None) -> dict[str, Pair]:
    """pairs.json, as dashboards' site builder writes it (`{"pairs": [{"folder":
    "pairs/<slug>/", "supporting_hospital": …, "recipient_hospital": …, …}]}`): the name of
    each pair's folder under pairs/ → its pair. No list (no site built yet): no pair folders."""
    path = (site or site_dir()) / PAIRS_INDEX
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["pairs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    folders = {}
    for entry in listed:
        folder = PurePosixPath(entry["folder"])
        if folder.parent == PurePosixPath(PAIRS_FOLDER):
            folders[folder.name] = Pair(entry["supporting_hospital"], entry["recipient_hospital"])
    return folders


@dataclass(frozen=True)
class SiteEntry:
    path: Path  # on disk, inside the site
    relative: PurePosixPath
    pair: Pair | None  # the pair it belongs to, None for the site-wide parts


def _parts(relative: str) -> tuple[str, ...]:
    """The URL path's parts, refusing anything that could leave the site or reach what is
    hidden: `..`, `.x`, empty parts, backslashes, NUL."""
    parts = tuple(relative.split("/")) if relative else ()
    if parts and parts[-1] == "":
        parts = parts[:-1]  # a folder's trailing slash
    for part in parts:
        if not part or part.startswith(".") or "\\" in part or "\x00" in part:
            raise Http404
    return parts


def resolve(relative: str, scope: Scope) -> SiteEntry:
    """The site file or folder at `relative` if `scope` may see it, else Http404."""
    parts = _parts(relative)
    site = site_dir()
    pair = None
    if parts[:1] == (PAIRS_FOLDER,) and len(parts) >= 2:
        pair = pair_folders(site).get(parts[1])
        if pair is None or not scope.allows(pair.supporting, pair.recipient):
            raise Http404
    elif not (parts[:1] and parts[0] in SHARED_FOLDERS and len(parts) > 1) and not scope.everything:
        raise Http404
    root = site.resolve()
    path = (site.joinpath(*parts)).resolve()
    # A link inside the site that leads out of it (or out of the pair's folder) is not followed.
    allowed_root = root.joinpath(*parts[:2]) if pair else root
    if path != allowed_root and allowed_root not in path.parents:
        raise Http404
    if not path.exists():
        raise Http404
    return SiteEntry(path, PurePosixPath(*parts) if parts else PurePosixPath(), pair)
