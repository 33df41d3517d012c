"""A portal to test against: a small corpus run through the pipeline, a dashboard site laid
out per pair (`pairs/<supporting>_<recipient>/`, `pairs.json`), accounts of every role, and
`bangfu serve` on a free loopback port, driven over HTTP as a browser would."""

from __future__ import annotations

import html
import html.parser
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import xlsxwriter
from formfiles import LINXIA_TITLE, SHAOXING_TITLE, activity_sheet, write_xlsx

from pipelines.settings import REPO_ROOT

LINXIA, HEZHENG = "临夏回族自治州人民医院", "和政县人民医院"
SHAOXING, WUCHUAN = "绍兴市中医院", "务川仡佬族苗族自治县中医院"
PAIRS = {(LINXIA, HEZHENG): "甘肃省", (SHAOXING, WUCHUAN): "贵州省"}
PASSWORD = "一个足够长的测试密码-2026"
# name → (role, --hospital / --province)
ACCOUNTS = {
    "admin": ("admin", None),
    "hz": ("submitter", ["--hospital", "和政县医院"]),  # an alias: resolved to 和政县人民医院
    "wc": ("submitter", ["--hospital", "务川自治县中医院"]),
    "lx": ("reviewer", ["--hospital", LINXIA]),
    "sx": ("reviewer", ["--hospital", SHAOXING]),
    "gs": ("viewer", ["--province", "甘肃省"]),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pair_folder(supporting: str, recipient: str) -> str:
    return f"{supporting}_{recipient}"


def write_site(site: Path) -> None:
    """A site as dashboards' builder lays it out: every pair's pages, data and reports under
    pairs/<folder>/, site-wide pages at the top, shared assets, and pairs.json."""
    listing = []
    for (supporting, recipient), province in PAIRS.items():
        folder = pair_folder(supporting, recipient)
        listing.append({"folder": f"pairs/{folder}/", "supporting_hospital": supporting,
                        "recipient_hospital": recipient, "recipient_province": province})
        root = site / "pairs" / folder
        (root / "data").mkdir(parents=True)
        names = f"{supporting} → {recipient}"
        (root / "index.html").write_text(
            f'<!doctype html><meta charset="utf-8"><title>{names}</title>'
            f'<script src="../../assets/site.js"></script><h1>{names}</h1>'
            '<a href="leadership.html">领导看板</a> <a href="report_2022.html">年度报告</a>'
            ' <a href="data/trend.csv">趋势 CSV</a> <a href="report_2022.xlsx">年度报告 Excel</a>'
            ' <a href="data/">数据文件</a>', encoding="utf-8")
        (root / "leadership.html").write_text(
            f'<!doctype html><meta charset="utf-8"><h1>{names} 五年趋势</h1>'
            '<a href="index.html">返回</a>', encoding="utf-8")
        (root / "report_2022.html").write_text(
            f'<!doctype html><meta charset="utf-8"><h1>{recipient} 2022 年度报告</h1>',
            encoding="utf-8")
        (root / "data" / "trend.csv").write_text(
            f"supporting_hospital,recipient_hospital,year,value\n{supporting},{recipient},2022,1\n",
            encoding="utf-8")
        book = xlsxwriter.Workbook(str(root / "report_2022.xlsx"))
        book.add_worksheet("年终汇报").write_row(0, 0, [supporting, recipient, 2022])
        book.close()
    (site / "pairs.json").write_text(json.dumps({"pairs": listing}, ensure_ascii=False),
                                     encoding="utf-8")
    everyone = "".join(f'<a href="{e["folder"]}">{e["folder"]}</a> ' for e in listing)
    for page in ("index.html", "explorer.html", "quality.html"):
        (site / page).write_text(f'<!doctype html><meta charset="utf-8"><h1>全部帮扶关系</h1>'
                                 f'{everyone}<a href="explorer.html">分析</a>'
                                 '<a href="quality.html">数据质量</a>', encoding="utf-8")
    (site / "assets").mkdir()
    (site / "assets" / "site.js").write_text("// the site's script\n", encoding="utf-8")
    # A link inside one pair's folder to the other's: never followed.
    (site / "pairs" / pair_folder(LINXIA, HEZHENG) / "leak").symlink_to(
        site / "pairs" / pair_folder(SHAOXING, WUCHUAN))


def write_corpus(raw: Path) -> None:
    write_xlsx(raw / "临夏州人民医院/和政县人民医院/2020/心内科_2020年第1季度.xlsx", activity_sheet(
        title=LINXIA_TITLE, period="2020年第1季度", labels=["填报科室：心内科"],
        rows=[["张三", 40, 2, 0, 0, 0, 0, 0, 0, 0]]))
    write_xlsx(raw / "绍兴市中医院/务川自治县中医院/2020/骨科_2020年第1季度.xlsx", activity_sheet(
        title=SHAOXING_TITLE, period="2020年第1季度", labels=["填报科室：骨科"],
        rows=[["李四", 30, 3, 0, 0, 0, 0, 0, 0, 0]]))


@dataclass
class World:
    root: Path
    env: dict[str, str]
    base: str = ""
    process: subprocess.Popen | None = None

    @property
    def raw(self) -> Path:
        return Path(self.env["BANGFU_RAW_DIR"])

    @property
    def warehouse(self) -> Path:
        return Path(self.env["BANGFU_WAREHOUSE"])

    @property
    def site(self) -> Path:
        return Path(self.env["BANGFU_SITE_DIR"])

    def bangfu(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        env = self.env
        if args[:1] == ("run",):
            # A run builds its own site beside the one served, which is laid out per pair.
            env = {**env, "BANGFU_SITE_DIR": str(self.root / "built-site")}
        return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], input=stdin,
                              env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=600, check=False)

    def start(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        log = (self.root / "serve.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--port", str(port)],
            env=self.env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.root / "serve.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("bangfu serve did not start: " + (self.root / "serve.log").read_text())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def client(self, username: str | None = None) -> Client:
        client = Client(self.base)
        if username:
            client.login(username, PASSWORD)
        return client


def make_world(root: Path, **settings: str) -> World:
    env = {**os.environ, "BANGFU_RAW_DIR": str(root / "raw"),
           "BANGFU_WAREHOUSE": str(root / "warehouse" / "bangfu.duckdb"),
           "BANGFU_SITE_DIR": str(root / "site"), "BANGFU_SETTLE_SECONDS": "0",
           "DAGSTER_HOME": str(root / "dagster"), **settings}
    env.pop("BANGFU_APPROVAL_REQUIRED", None)
    world = World(root, env)
    (root / "dagster").mkdir()
    write_corpus(world.raw)
    done = world.bangfu("run")
    assert done.returncode == 0, done.stdout + done.stderr
    write_site(world.site)
    for name, (role, where) in ACCOUNTS.items():
        added = world.bangfu("user", "add", name, "--role", role, *(where or []),
                             stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    return world


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links_of(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.links


def text_of(response: requests.Response) -> str:
    """What a response says: its text, or the text of every part of a zip (xlsx, docx), with
    XML's character references (&#32461;) read."""
    body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(BytesIO(body)) as archive:
            return html.unescape("".join(archive.read(n).decode("utf-8", "replace")
                                         for n in archive.namelist()))
    return body.decode("utf-8", "replace")


@dataclass
class Client:
    base: str
    session: requests.Session = field(default_factory=requests.Session)

    def url(self, path: str) -> str:
        return urljoin(self.base, path)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.url(path), allow_redirects=False, timeout=120, **kwargs)

    def csrf(self) -> str:
        if "csrftoken" not in self.session.cookies:
            self.get("/login/")
        return self.session.cookies["csrftoken"]

    def post(self, path: str, data=None, files=None, token: bool = True) -> requests.Response:
        data = dict(data or {})
        if token:
            data["csrfmiddlewaretoken"] = self.csrf()
        return self.session.post(self.url(path), data=data, files=files,
                                 allow_redirects=False, timeout=300)

    def login(self, username: str, password: str) -> requests.Response:
        response = self.post("/login/", {"username": username, "password": password})
        assert response.status_code in (200, 302, 429), response.status_code
        return response

    def upload(self, *paths: Path) -> requests.Response:
        files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
        return self.post("/upload/", files=files)

    def crawl(self, start: str = "/", limit: int = 800) -> dict[str, requests.Response]:
        """Every same-origin URL reachable from `start` by links (GET only)."""
        seen: dict[str, requests.Response] = {}
        queue = [start]
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            assert len(seen) < limit, "the crawl does not end"
            response = self.get(path)
            seen[path] = response
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            for link in links_of(response.text):
                target = urlsplit(urljoin(self.url(path), link))
                if target.netloc != urlsplit(self.base).netloc:
                    continue
                # The admin's sorting and filtering links show the same rows again.
                query = "" if target.path.startswith("/admin/") else target.query
                found = target.path + (f"?{query}" if query else "")
                if found not in seen:
                    queue.append(found)
        return seen
