"""Build the static dashboard site from the warehouse's marts and publish it atomically.

Pages about every pair are at the site's root; each pair's pages and data files are in its
folder, `pairs/<supporting>_<recipient>/` (dashboards.pair_site), listed in `pairs.json`, and
each is a part of the site of its own, made anew only when the pair's rows changed.

The site works from file:// with no network: the browser libraries (plotly.js, DataTables) are
copied into `assets/` from the npm packages installed in dashboards/vendor/ (`make setup`), one
file each so that every page reuses the copy the browser already has; styles and scripts are
local, fonts are the system's.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from string import Template

from dashboards import feedback
from dashboards.assets import vendor_assets
from dashboards.context import Document, Section, SiteContext
from dashboards.figures import has_figures
from dashboards.html import Markup, esc, format_time, has_tables, join, tag
from dashboards.marts import Marts, Pair, load_marts
from dashboards.pages import PAGES, explorer, leadership, quality
from dashboards.pair_site import PAIRS_FOLDER, PAIRS_LIST, pair_folder
from dashboards.parts import File, Part, build_parts, link_or_copy
from dashboards.site_folder import new_building_folder, retired_folder
from pipelines.warehouse.location import WarehouseLocation, as_location

log = logging.getLogger(__name__)

SITE_TITLE = "对口帮扶成效数据"

# Sections other tools produce into the site; linked from the navigation when present.
EXTRA_SECTIONS = (
    Section("dbt-docs", "数据模型文档", "数据仓库各表的定义、字段说明和数据血缘（dbt 生成）。"),
    Section("data-docs", "数据校验报告", "每批文件的数据校验结果（Great Expectations 生成）。"),
)

TEMPLATES = resources.files("dashboards") / "templates"
PAGE_TEMPLATE = Template(TEMPLATES.joinpath("page.html").read_text(encoding="utf-8"))


def build_site(
    warehouse: WarehouseLocation | Path | str,
    site_dir: Path,
    extra_sections: Mapping[str, Path] | None = None,
    *,
    built_at: datetime | None = None,
) -> Path:
    """Write the site for `warehouse` to `site_dir` and return the path of its index.html.

    `extra_sections` maps a section folder of EXTRA_SECTIONS (e.g. "dbt-docs") to a folder to
    copy there. A section folder already in the current site is kept when not given anew.
    The feedback section (退回清单) is built from the warehouse. A part of the site whose
    inputs did not change since the current site was built is taken from it (dashboards.parts);
    the others are made anew. The site is written beside `site_dir` and renamed into place only
    when complete: a failed build leaves the previous site as it was.
    """
    location, site_dir = as_location(warehouse), Path(site_dir)
    sources = _section_sources(site_dir, extra_sections or {})
    marts = load_marts(location)
    built_at = (built_at or datetime.now()).astimezone()

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = new_building_folder(site_dir)
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the published site is readable
        for folder, source in sources.items():
            # The current site's own section is linked, like an unchanged part; another
            # tool's folder is copied: that tool may write into it again.
            shutil.copytree(source, staging / folder,
                            copy_function=link_or_copy if source.parent == site_dir
                            else shutil.copy2)
        context = SiteContext(
            marts=marts,
            built_at=built_at,
            pages=PAGES,
            sections=((feedback.SECTION, feedback.INDEX), *_present_sections(staging)),
            warehouse_dir=location.files_dir,
        )
        pairs = site_pairs(marts)
        parts = [
            Part("assets", _asset_files),
            *(Part(page.filename, _page_document, (page.filename,)) for page in PAGES),
            Part(PAIRS_LIST, _pairs_list),
            *leadership.pair_parts(marts, pairs),
            *explorer.pair_parts(pairs),
            *quality.pair_parts(pairs),
            *feedback.parts(context),
        ]
        made = build_parts(parts, context, staging, site_dir, _render)
        _swap_into_place(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("dashboards published at %s: %d parts, %d made anew, the others unchanged",
             site_dir, len(parts), len(made))
    return site_dir / "index.html"


def _page_document(context: SiteContext, filename: str) -> list[Document]:
    page = next(page for page in context.pages if page.filename == filename)
    return [Document(page.filename, page.title, page.render(context), page.filename)]


def _pairs_list(context: SiteContext) -> list[File]:
    """pairs.json: each pair's folder with its hospitals and the recipient's province, for the
    portal, which gives an account the folders of its pairs."""
    marts = context.marts
    provinces = leadership.pair_provinces(marts)
    pairs = site_pairs(marts)
    listed = [
        {"folder": f"{pair_folder(pair)}/", "supporting_hospital": pair.supporting,
         "recipient_hospital": pair.recipient, "recipient_province": provinces.get(pair)}
        for pair in pairs
    ]
    text = json.dumps({"pairs": listed}, ensure_ascii=False, indent=1)
    return [File(PAIRS_LIST, text.encode("utf-8"))]


def site_pairs(marts: Marts) -> list[Pair]:
    """The pairs that have a folder: those of any of the pages in it."""
    return sorted(set(marts.pairs()) | set(marts.pairs("mart_person_activity", "ingest_issues")))


def _page_key(path: str) -> str:
    """What the page's body says it is (its styles depend on it): the first folder, or for a
    pair's page, what it is of the pair (leadership, report, explorer, quality, feedback)."""
    parts = path.split("/")
    if parts[0] != PAIRS_FOLDER or len(parts) < 3:
        return parts[0].removesuffix(".html")
    if len(parts) > 3:
        return parts[2]
    return parts[2].removesuffix(".html").split("_")[0]


def _section_sources(site_dir: Path, given: Mapping[str, Path]) -> dict[str, Path]:
    known = {section.folder for section in EXTRA_SECTIONS}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(f"unknown site sections {unknown}; known: {sorted(known)}")
    sources = {}
    for section in EXTRA_SECTIONS:
        source = Path(given.get(section.folder) or site_dir / section.folder)
        if source.is_dir():
            sources[section.folder] = source
        elif section.folder in given:
            log.warning("section %s: %s is not a folder; not linked", section.folder, source)
    return sources


def _present_sections(site: Path) -> tuple[tuple[Section, str], ...]:
    """Each extra section folder in the site, linked to its index.html or else to the folder."""
    present = []
    for section in EXTRA_SECTIONS:
        folder = site / section.folder
        if folder.is_dir():
            entry = folder / "index.html"
            present.append(
                (
                    section,
                    f"{section.folder}/index.html" if entry.is_file() else f"{section.folder}/",
                )
            )
    return tuple(present)


def _assets() -> dict[str, str]:
    """The text of each file of the site's assets/: the browser libraries, the site's own
    styles and script."""
    return {
        **vendor_assets(),
        **{name: TEMPLATES.joinpath(name).read_text(encoding="utf-8")
           for name in ("style.css", "leadership.css", "site.js")},
    }


def _asset_files(context: SiteContext) -> list[File]:
    return [File(f"assets/{name}", text.encode("utf-8")) for name, text in _assets().items()]


def _navigation(current: str, context: SiteContext, root: str) -> Markup:
    """Links to every page and section, from a document `root` (e.g. "../") below the site's."""
    entries = [(page.filename, page.title) for page in context.pages]
    entries += [(href, section.title) for section, href in context.sections]
    return join(
        tag("a", title, href=root + href, aria_current="page" if href == current else None)
        for href, title in entries
    )


def _resources(body: Markup, root: str) -> dict[str, str]:
    """The scripts and styles a page loads from the site's assets: the plotly bundle and the
    table library only where the page has a figure or a table."""
    libraries = [name for name, needed in (("plotly.min.js", has_figures(body)),
                                           ("tables.js", has_tables(body))) if needed]
    scripts = [f'<script src="{root}assets/{name}"></script>' for name in (*libraries, "site.js")]
    styles = [f'<link rel="stylesheet" href="{root}assets/{name}">'
              for name in (("tables.css",) if has_tables(body) else ())
              + ("style.css", "leadership.css")]
    return {"scripts": "\n".join(scripts), "styles": "\n".join(styles)}


def _render(document: Document, context: SiteContext) -> str:
    root = "../" * document.path.count("/")
    return PAGE_TEMPLATE.substitute(
        title=esc(document.title),
        site_title=SITE_TITLE,
        root=root,
        page=_page_key(document.path),
        navigation=_navigation(document.navigation, context, root),
        body=document.body,
        built_at=format_time(context.built_at),
        **_resources(document.body, root),
    )


def _swap_into_place(staging: Path, site_dir: Path) -> None:
    """Rename the finished site over the old one.

    Directories cannot be replaced by one rename, so the old site is first renamed aside: for
    that instant `site_dir` is absent, but it is never half-written.
    """
    if not site_dir.exists():
        staging.rename(site_dir)
        return
    retired = retired_folder(site_dir)
    site_dir.rename(retired)
    try:
        staging.rename(site_dir)
    except OSError:
        retired.rename(site_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
