"""The site's folder and the folders beside it while it is rebuilt: one built next to it
(`.<site>.building-*`), the previous one renamed aside for an instant (`.<site>.retired-*`).
Light on purpose (nothing but pathlib): the scan asks whether a site is there, and a run that
starts cleans what a killed build left, without importing the site builder."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

INDEX = "index.html"


def is_built(site_dir: Path) -> bool:
    """Whether a complete site is in place (its index is written last, then renamed in)."""
    return (site_dir / INDEX).is_file()


def new_building_folder(site_dir: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))


def retired_folder(site_dir: Path) -> Path:
    return site_dir.with_name(f".{site_dir.name}.retired-{uuid.uuid4().hex}")


def remove_leftovers(site_dir: Path) -> list[Path]:
    """What a killed build left beside the site: the site it was building, and the old site it
    had renamed aside (put back first if the new one never arrived). Only to be called when no
    build can be running (the run lock held)."""
    retired = sorted(site_dir.parent.glob(f".{site_dir.name}.retired-*"))
    if retired and not site_dir.exists():
        retired.pop().rename(site_dir)
    leftovers = [*site_dir.parent.glob(f".{site_dir.name}.building-*"), *retired]
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)
    return leftovers
