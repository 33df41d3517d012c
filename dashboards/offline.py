"""Third-party documentation (Great Expectations' Data Docs, dbt's docs) made safe to open
with no network: every resource such a page would fetch from the internet is removed, and
links out become plain text. The site promises that no request leaves the machine.

What the removed libraries did is put back where a reader needs it, in plain local code: the
status icons (Font Awesome from a CDN) become characters, the "Failed Only" filter and the
"Show more info" toggles (jQuery, Bootstrap) a few lines of script; GX's newsletter banner is
dropped, its favicon link mended, its UTC times shown in Beijing time; dbt's icons no longer
request their unrendered template URLs. Each page gets a link back to the site.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from dashboards.html import format_time

_REMOTE = r"""(?:https?:)?//[^"'\s>]+"""
_REMOTE_SCRIPT = re.compile(
    rf"""<script\b[^>]*\bsrc\s*=\s*["']{_REMOTE}["'][^>]*>\s*</script>""", re.IGNORECASE)
_ANY_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
_REMOTE_LINK = re.compile(rf"""<link\b[^>]*\bhref\s*=\s*["']{_REMOTE}["'][^>]*/?>""", re.IGNORECASE)
_REMOTE_IMG = re.compile(rf"""<img\b[^>]*\bsrc\s*=\s*["']{_REMOTE}["'][^>]*/?>""", re.IGNORECASE)
_REMOTE_ANCHOR = re.compile(
    rf"""<a\b[^>]*\bhref\s*=\s*["']{_REMOTE}["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_REMOTE_IFRAME = re.compile(
    rf"""<iframe\b[^>]*\bsrc\s*=\s*["']{_REMOTE}["'][^>]*>.*?</iframe>""",
    re.IGNORECASE | re.DOTALL)

# Plain, local styling for pages that lost their CDN stylesheet (Bootstrap).
FALLBACK_STYLE = """<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top}th{background:#f3f3f3}.hide,.d-none,.modal{display:none}
</style>"""


def without_remote_resources(html: str, *, keep_inline_scripts: bool) -> str:
    """The page without anything it would fetch from the network. Inline scripts go too
    unless the page is an application that needs them (dbt docs): without their libraries
    (jQuery, Bootstrap from a CDN) they would only fail."""
    html = _REMOTE_SCRIPT.sub("", html)
    if not keep_inline_scripts:
        html = _ANY_SCRIPT.sub("", html)
    html = _REMOTE_LINK.sub("", html)
    html = _REMOTE_IMG.sub("", html)
    html = _REMOTE_IFRAME.sub("", html)
    return _REMOTE_ANCHOR.sub(r"\1", html)


def offline_copy(source: Path, dest: Path, *, keep_inline_scripts: bool) -> Path:
    """Copy a folder of HTML documentation to `dest`, every page made offline.

    `dest` is the section's folder in the site (dbt-docs/, data-docs/): pages link back to the
    site's index one level above it."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    for page in dest.rglob("*.html"):
        html = without_remote_resources(page.read_text(encoding="utf-8"),
                                        keep_inline_scripts=keep_inline_scripts)
        depth = len(page.relative_to(dest).parts)  # the section's folder, then any below it
        if keep_inline_scripts:
            html = _mend_dbt_docs(html)
        else:
            html = _mend_data_docs(html, page, dest)
            html = html.replace("</head>", f"{FALLBACK_STYLE}</head>", 1)
        html = _with_link_back(html, "../" * depth, fixed=keep_inline_scripts)
        page.write_text(html, encoding="utf-8")
    return dest


_ICON_LINK = re.compile(r"""<link\b[^>]*\brel=["'](?:shortcut )?icon["'][^>]*>""", re.IGNORECASE)

# dbt docs' Angular templates write `xlink:href="{{ getIcon(…) }}"` on SVG <use> elements:
# the browser asks for that literal URL before Angular fills it in, once per tree entry (the
# hundreds of "Unsafe attempt to load URL" errors). `ng-attr-` sets it only once interpolated.
_DBT_TEMPLATE_HREF = re.compile(r"""(<use\b[^>]*?\s)xlink:href=(\\?["'])\{\{""")


# dbt docs render links out of markdown (the overview, macro docs) in the browser: they are made
# plain text as they appear, like the links out of every other page.
UNLINK_SCRIPT = """<script>
(function () {
  function unlink(root) {
    root.querySelectorAll('a[href^="http:"], a[href^="https:"], a[href^="//"]')
      .forEach(function (a) { a.removeAttribute("href"); a.removeAttribute("target"); });
  }
  unlink(document);
  new MutationObserver(function () { unlink(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
</script>"""


def _mend_dbt_docs(html: str) -> str:
    """Also drops the favicon link, left as an unbuilt `${require('./assets/…')}`."""
    html = _ICON_LINK.sub("", _DBT_TEMPLATE_HREF.sub(r"\1ng-attr-xlink:href=\2{{", html))
    return html.replace("</body>", f"{UNLINK_SCRIPT}</body>", 1)


_GX_FOOTER = re.compile(r"<footer\b[^>]*>.*?</footer>", re.IGNORECASE | re.DOTALL)
# 2026-12-01T21:38:57Z, 2026-12-01T21:38:57.123456+00:00 and GX's 20261201T213857.936769Z.
_UTC_TIME = re.compile(
    r"\b(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?(?:Z|\+00:?00)(?![\w/])")

# Font Awesome's icons that GX uses, as characters; the stylesheet with its font is remote.
ICON_STYLE = """<style>
.fas,.far,.fa{font-style:normal;font-weight:700}
.fa-check-circle::before{content:"\\2714\\FE0E"}.fa-times::before,.fa-times-circle::before{content:"\\2716\\FE0E"}
.fa-question-circle::before{content:"?"}.fa-exclamation-triangle::before{content:"\\26A0\\FE0E"}
.text-success{color:#2f855a}.text-danger{color:#c53030}.text-warning{color:#b7791f}
.collapse:not(.show){display:none}.sticky{position:static}
.bangfu-back{font-size:.9rem;margin:0 0 1rem;padding:.4rem .6rem;background:#f3f4f6;
  border-bottom:3px solid #1d4ed8}
</style>"""

# GX's "Validation Filter" radio buttons call these; without jQuery they are plain DOM.
FILTER_SCRIPT = """<script>
function bangfuSucceeded(show) {
  document.querySelectorAll(".hide-succeeded-validation-target-child").forEach(function (e) {
    e.parentElement.hidden = !show; });
  document.querySelectorAll(".hide-succeeded-validation-target").forEach(function (e) {
    e.hidden = !show; });
  document.querySelectorAll(".hide-succeeded-validations-column-section-target-child")
    .forEach(function (e) {
      var section = e.parentElement.parentElement;
      section.hidden = !show;
      document.querySelectorAll('a[href$="' + section.id + '"]').forEach(function (a) {
        a.hidden = !show; });
    });
}
function showAllValidations() { bangfuSucceeded(true); }
function hideSucceededValidations() { bangfuSucceeded(false); }
document.addEventListener("click", function (event) {
  var toggle = event.target.closest('[data-toggle="collapse"]');
  if (!toggle) { return; }
  event.preventDefault();
  var target = document.getElementById(
    (toggle.getAttribute("href") || toggle.dataset.target || "").replace(/^#/, ""));
  if (target) { target.classList.toggle("show"); }
});
</script>"""


def _mend_data_docs(html: str, page: Path, site: Path) -> str:
    html = _GX_FOOTER.sub("", html)  # the newsletter banner, fixed over the content
    favicon = site / "static" / "images" / "favicon.ico"
    icon = ""
    if favicon.is_file():
        href = "../" * (len(page.relative_to(site).parts) - 1) + "static/images/favicon.ico"
        icon = f'<link rel="icon" href="{escape(href)}">'
    html = _ICON_LINK.sub("", html).replace("</head>", f"{icon}{ICON_STYLE}</head>", 1)
    html = _in_beijing_time(html)
    return html.replace("</body>", f"{FILTER_SCRIPT}</body>", 1)


def _in_beijing_time(html: str) -> str:
    """UTC times in the page's text as the site shows times; attribute values and paths keep
    theirs (a run's folder is named by its UTC time)."""

    def convert(match: re.Match) -> str:
        moment = datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
        return format_time(moment)

    parts = re.split(r"(<[^>]*>)", html)
    return "".join(part if part.startswith("<") else _UTC_TIME.sub(convert, part)
                   for part in parts)


def _with_link_back(html: str, root: str, *, fixed: bool) -> str:
    """A link to the site's index at the top of the page; over dbt's full-window application,
    a small one in the corner its own header leaves free."""
    style = ("position:fixed;top:30px;left:140px;z-index:1000;"
             "background:#fff;border:1px solid #d1d5db;border-radius:4px;padding:2px 8px;"
             "font:13px sans-serif" if fixed else "")
    link = (f'<nav class="bangfu-back" style="{style}" aria-label="返回站点">'
            f'<a href="{root}index.html">← 返回对口帮扶成效数据</a></nav>')
    return re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + link, html, count=1)


def offline_data_docs(local_site: Path, dest: Path) -> Path:
    """Great Expectations' Data Docs, offline. Its suite and validation pages are plain HTML,
    but its index is drawn by scripts from a CDN, so the copy gets an index of its own: the
    suites, then every recorded validation, newest first."""
    offline_copy(local_site, dest, keep_inline_scripts=False)
    suites = sorted(p.relative_to(dest).as_posix() for p in (dest / "expectations").glob("*.html"))
    # validations/<suite>/<run name>/<run time>/<batch>.html
    runs = sorted(
        (p.relative_to(dest).parts for p in (dest / "validations").glob("*/*/*/*.html")),
        key=lambda parts: parts[3], reverse=True,
    )
    suite_items = "".join(
        f'<li><a href="{escape(path)}">{escape(Path(path).stem)}</a></li>' for path in suites)
    run_rows = "".join(
        f'<tr><td>{escape(_run_time(parts[3]))}</td><td>{escape(parts[1])}</td>'
        f'<td><a href="{escape("/".join(parts))}">查看结果</a></td><td>{escape(parts[2])}</td></tr>'
        for parts in runs
    )
    index = (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>数据校验报告（Great Expectations）</title>{FALLBACK_STYLE}</head><body>"
        "<h1>数据校验报告</h1><p>每次导入新文件时，各校验规则套件（Great Expectations）"
        "对新数据的校验结果。</p><h2>校验规则套件</h2>"
        f"<ul>{suite_items or '<li>暂无</li>'}</ul><h2>校验记录（最新在前）</h2>"
        "<table><tr><th>校验时间</th><th>套件</th><th>结果</th><th>运行编号</th></tr>"
        f"{run_rows or '<tr><td colspan=4>暂无</td></tr>'}</table></body></html>"
    )
    index = _with_link_back(index.replace("</head>", f"{ICON_STYLE}</head>", 1), "../",
                            fixed=False)
    (dest / "index.html").write_text(index, encoding="utf-8")
    return dest


def _run_time(stamp: str) -> str:
    """GX's folder name 20261122T152241.513779Z (UTC) in Beijing time."""
    return _in_beijing_time(stamp)
