"""The browser libraries the site ships, taken from the npm packages of dashboards/vendor/.

`make setup` installs them (`npm ci`, versions locked by vendor/package-lock.json); the build
copies them into the site's `assets/`, so no page ever loads a script from a CDN. Each asset is
one file, shared by every page and so parsed from the browser's cache after the first page:

- `plotly.min.js`: plotly.js's cartesian partial bundle (scatter, bar, heatmap … everything the
  site draws, at a third of the full bundle's size) with the zh-CN locale registered after it.
- `tables.js`, `tables.css`: DataTables with its Buttons (and JSZip) and ColumnControl
  extensions: sorting, filtering by column, paging, a search box and CSV/Excel downloads, all
  made in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NODE_MODULES = Path(__file__).parent / "vendor" / "node_modules"

# The locale files are CommonJS modules; in the page they register themselves with plotly.js.
_LOCALE_HEAD = "(function () {\nvar module = { exports: {} };\n"
_LOCALE_TAIL = "\nPlotly.register(module.exports);\n})();\n"


@dataclass(frozen=True)
class Asset:
    name: str
    parts: tuple[str, ...]  # files under node_modules, concatenated in this order
    locale: str | None = None  # a plotly.js-locales module to register after the parts


ASSETS = (
    Asset(
        "plotly.min.js",
        ("plotly.js-cartesian-dist-min/plotly-cartesian.min.js",),
        locale="plotly.js-locales/zh-cn.js",
    ),
    Asset(
        "tables.js",
        (
            "jszip/dist/jszip.min.js",
            "datatables.net/js/dataTables.min.js",
            "datatables.net-dt/js/dataTables.dataTables.min.js",
            "datatables.net-buttons/js/dataTables.buttons.min.js",
            "datatables.net-buttons-dt/js/buttons.dataTables.min.js",
            "datatables.net-buttons/js/buttons.html5.min.js",
            "datatables.net-columncontrol/js/dataTables.columnControl.min.js",
            "datatables.net-columncontrol-dt/js/columnControl.dataTables.min.js",
        ),
    ),
    Asset(
        "tables.css",
        (
            "datatables.net-dt/css/dataTables.dataTables.min.css",
            "datatables.net-buttons-dt/css/buttons.dataTables.min.css",
            "datatables.net-columncontrol-dt/css/columnControl.dataTables.min.css",
        ),
    ),
)

class VendorMissing(RuntimeError):
    """The npm packages are not installed: the site cannot be built without its libraries."""


def write_vendor_assets(assets: Path, node_modules: Path = NODE_MODULES) -> list[Path]:
    """Write every asset of ASSETS into the folder `assets`; the paths written."""
    written = []
    for asset in ASSETS:
        sources = [node_modules / part for part in asset.parts]
        if asset.locale:
            sources.append(node_modules / asset.locale)
        missing = [str(path) for path in sources if not path.is_file()]
        if missing:
            raise VendorMissing(
                f"browser libraries missing ({', '.join(missing)}): run `make setup`, "
                f"which runs `npm ci --prefix {node_modules.parent}`"
            )
        texts = [path.read_text(encoding="utf-8") for path in sources[: len(asset.parts)]]
        if asset.locale:
            locale = (node_modules / asset.locale).read_text(encoding="utf-8")
            texts.append(_LOCALE_HEAD + locale + _LOCALE_TAIL)
        target = assets / asset.name
        # A newline between parts: a minified file may end in a line comment (source map).
        target.write_text("\n".join(texts), encoding="utf-8")
        written.append(target)
    return written
