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


def source_files(node_modules: Path = NODE_MODULES) -> list[Path]:
    """The files under node_modules that the assets are made of, in ASSETS' order."""
    return [node_modules / part for asset in ASSETS
            for part in (*asset.parts, *((asset.locale,) if asset.locale else ()))]


def vendor_assets(node_modules: Path = NODE_MODULES) -> dict[str, str]:
    """The text of each asset of ASSETS, by its file name."""
    missing = [str(path) for path in source_files(node_modules) if not path.is_file()]
    if missing:
        raise VendorMissing(
            f"browser libraries missing ({', '.join(missing)}): run `make setup`, "
            f"which runs `npm ci --prefix {node_modules.parent}`"
        )
    assets = {}
    for asset in ASSETS:
        texts = [(node_modules / part).read_text(encoding="utf-8") for part in asset.parts]
        if asset.locale:
            locale = (node_modules / asset.locale).read_text(encoding="utf-8")
            texts.append(_LOCALE_HEAD + locale + _LOCALE_TAIL)
        # A newline between parts: a minified file may end in a line comment (source map).
        assets[asset.name] = "\n".join(texts)
    return assets
