"""Third-party documentation (Great Expectations' Data Docs, dbt's docs) made safe to open
with no network: every resource such a page would fetch from the internet is removed, and
links out become plain text. The site promises that no request leaves the machine."""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

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
    """Copy a folder of HTML documentation to `dest`, every page made offline."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    for page in dest.rglob("*.html"):
        html = without_remote_resources(page.read_text(encoding="utf-8"),
                                        keep_inline_scripts=keep_inline_scripts)
        if not keep_inline_scripts:
            html = html.replace("</head>", f"{FALLBACK_STYLE}</head>", 1)
        page.write_text(html, encoding="utf-8")
    return dest


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
    (dest / "index.html").write_text(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<title>数据校验报告（Great Expectations）</title>{FALLBACK_STYLE}</head><body>"
        "<h1>数据校验报告</h1><p>每次导入新文件时，各校验规则套件（Great Expectations）"
        "对新数据的校验结果。</p><h2>校验规则套件</h2>"
        f"<ul>{suite_items or '<li>暂无</li>'}</ul><h2>校验记录（最新在前）</h2>"
        "<table><tr><th>校验时间（UTC）</th><th>套件</th><th>结果</th><th>运行编号</th></tr>"
        f"{run_rows or '<tr><td colspan=4>暂无</td></tr>'}</table></body></html>",
        encoding="utf-8",
    )
    return dest


def _run_time(stamp: str) -> str:
    """GX's folder name 20261122T152241.513779Z as 2026-11-22 15:22:41."""
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}"
