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
class Document:
    """One HTML file of the site, before the shared template and navigation are put around it."""

    path: str  # from the site's root, "/"-separated
    title: str
    body: Markup
    navigation: str  # the navigation link it belongs under, marked as the current one


@dataclass(frozen=True)
class Section:
    """A folder of the site: the feedback lists, or another tool's output (dbt docs, data docs)."""

    folder: str
    title: str
    summary: str


@dataclass(frozen=True)
class SiteContext:
    marts: Marts
    built_at: datetime
    pages: tuple[Page, ...]
    # The sections of the site being built (the feedback lists, other tools' output present),
    # each with the link to it from the site's root.
    sections: tuple[tuple[Section, str], ...]
    # The warehouse's folder, which holds the annotated copies the run recorded
    # (ingest_files.annotated_copy is relative to it); None where there is none to read from.
    warehouse_dir: Path | None = None

    def framing(self) -> tuple:
        """What every page is put in besides the code: the pages and sections the navigation
        links to, each page's render function by its name."""
        pages = tuple(
            (page.filename, page.title, page.summary,
             f"{page.render.__module__}.{page.render.__qualname__}")
            for page in self.pages
        )
        return (pages, self.sections)
