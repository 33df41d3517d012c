"""What every page is rendered from: the marts, the build time and the site's other parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboards.html import Markup
from dashboards.marts import Marts


@dataclass(frozen=True)
class Page:
    filename: str
    title: str
    summary: str
    render: Callable[[SiteContext], Markup]


@dataclass(frozen=True)
class Section:
    """A part of the site made by another tool (dbt docs, data docs, feedback lists)."""

    folder: str
    title: str
    summary: str


@dataclass(frozen=True)
class SiteContext:
    marts: Marts
    warehouse: Path
    built_at: datetime
    pages: tuple[Page, ...]
    # Extra sections present in the site being built, with the relative link to each.
    sections: tuple[tuple[Section, str], ...]
