"""Where a pair's part of the site lives: one folder per pair, `pairs/<supporting>_<recipient>/`.

Everything that shows one pair is in its folder: its leadership scorecard and year-end report
pages, its explorer (with a data file per department), its quality page and its 退回清单. The
portal gives an account the folders of its pairs by this prefix, and `pairs.json` lists them.
Pages about every pair (the index, the leadership overview, the site-wide quality summary)
stay at the site's root.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from dashboards.marts import Pair

PAIRS_FOLDER = "pairs"
PAIRS_LIST = "pairs.json"

LEADERSHIP = "leadership.html"
EXPLORER = "explorer.html"
QUALITY = "quality.html"
FEEDBACK = "feedback"

# Characters that Windows, zip archives or URLs do not take in a file name, and runs of space.
UNSAFE_IN_FILE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')
# A file name may have 255 bytes; a Chinese character takes 3 of them.
MAX_NAME_LENGTH = 60


def pair_slug(pair: Pair) -> str:
    """The pair's folder name; the portal scopes accounts by it, so it is exactly this."""
    return f"{pair.supporting}_{pair.recipient}"


def pair_folder(pair: Pair) -> str:
    return f"{PAIRS_FOLDER}/{pair_slug(pair)}"


def pair_path(pair: Pair, name: str) -> str:
    """A file of the pair's folder, from the site's root."""
    return f"{pair_folder(pair)}/{name}"


def href(path: str) -> str:
    """A relative link to a file whose name may hold Chinese, spaces, # or %."""
    return quote(path)


def root_of(path: str) -> str:
    """The way up from a file of the site (from its root, "/"-separated) to the root."""
    return "../" * path.count("/")


def file_names(names: Iterable[str]) -> list[str]:
    """A file name for each name, in order. Names that clean up to the same file name, also
    when only the letter case differs (case-insensitive file systems), get -2, -3, …"""
    taken: set[str] = set()
    found = []
    for name in names:
        base = UNSAFE_IN_FILE_NAME.sub("_", name).strip("._")[:MAX_NAME_LENGTH] or "_"
        candidate, number = base, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate.casefold())
        found.append(candidate)
    return found
