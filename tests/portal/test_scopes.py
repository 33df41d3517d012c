"""Contract "Portal": an account sees only its pairs. The URLs tried are those an admin's crawl
of the whole portal finds (pages, the site's per-pair pages and data files, uploads, their
annotated copies, reports waiting for review), not a list written here. A URL whose content
(as the admin sees it) names only another pair's hospitals must answer 403 or 404 to a
scoped account; a page across pairs (home, lists) may answer, filtered; and nothing a scoped
account is given may name a hospital outside its scope."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from formfiles import LINXIA_TITLE, SHAOXING_TITLE, activity_sheet, write_xlsx
from portal_world import HEZHENG, LINXIA, SHAOXING, WUCHUAN, World, text_of

from pipelines.registry.load import in_force


def names_of(*hospitals: str) -> set[str]:
    """The hospitals' names and every alias of theirs."""
    return {alias for alias, name in in_force().hospital_aliases.items() if name in hospitals}


GANSU, GUIZHOU = names_of(LINXIA, HEZHENG), names_of(SHAOXING, WUCHUAN)
# Each scoped account: the names of its pair, and those it must never be shown.
SCOPED = {
    "hz": (GANSU, GUIZHOU),  # submitter of 和政县人民医院
    "lx": (GANSU, GUIZHOU),  # reviewer of 临夏 (the supporting hospital)
    "gs": (GANSU, GUIZHOU),  # viewer of 甘肃省
    "wc": (GUIZHOU, GANSU),  # submitter of 务川
}
# What the crawl must reach of every pair for the test to mean anything.
KINDS = {
    "site page": r"^/site/pairs/[^/]+/.*\.html$",
    "site data file": r"^/site/pairs/[^/]+/.*\.(csv|xlsx)$",
    "site-wide page": r"^/site/(index|explorer|quality)\.html$|^/site/$",
    "upload": r"^/uploads/\d+/$",
    "uploaded file": r"^/uploads/\d+/file$",
    "annotated copy": r"^/uploads/\d+/annotated$",
    "report to review": r"^/review/[^/]+/$",
}


def mentions(text: str, names: set[str]) -> list[str]:
    return sorted(name for name in names if name in text)


@pytest.fixture(scope="module")
def crawled(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("forms")
    # Each pair's submitter uploads a form with a faulty row: stored, and annotated.
    for user, title, name in (("hz", LINXIA_TITLE, "和政_儿科.xlsx"),
                              ("wc", SHAOXING_TITLE, "务川_儿科.xlsx")):
        path = write_xlsx(folder / name, activity_sheet(
            title=title, period="2021年第2季度", labels=["填报科室：儿科"],
            rows=[["王五", 20, -1, 0, 0, 0, 0, 0, 0, 0]]))
        response = world.client(user).upload(path)
        assert response.status_code == 200 and "已存入报送文件夹" in response.text
    return world.client("admin").crawl()


def test_the_admins_crawl_reaches_every_kind_of_url_of_both_pairs(crawled: dict) -> None:
    for kind, pattern in KINDS.items():
        for names in (GANSU, GUIZHOU):
            found = [url for url, response in crawled.items() if re.search(pattern, url)
                     and response.status_code == 200 and mentions(text_of(response), names)]
            assert found, f"the admin's crawl found no {kind} of {sorted(names)[0]}"


@pytest.mark.parametrize("username", sorted(SCOPED))
def test_a_scoped_account_gets_nothing_of_another_pair(world: World, crawled: dict,
                                                       username: str) -> None:
    client = world.client(username)
    own, foreign = SCOPED[username]
    denied, given = [], []
    for url, seen_by_admin in crawled.items():
        response = client.get(url)
        if response.status_code == 200:
            given.append(url)
            assert not mentions(text_of(response), foreign), (url, mentions(text_of(response),
                                                                             foreign))
        shown = text_of(seen_by_admin)
        if mentions(shown, foreign) and not mentions(shown, own):
            assert response.status_code in (403, 404), (url, response.status_code)
            denied.append(url)
    assert denied and given
    # Its own pair's pages are served to it.
    assert any(url.startswith("/site/pairs/") for url in given)


def test_without_a_session_nothing_but_the_login_and_its_style(world: World,
                                                               crawled: dict) -> None:
    anonymous = world.client()
    for url in crawled:
        response = anonymous.get(url)
        if url.startswith("/static/"):
            assert response.status_code == 200
            continue
        assert response.status_code in (302, 404), (url, response.status_code)
        if response.status_code == 302:
            # Wherever it leads (the admin's pages through its own login URL), it ends at the
            # login page.
            final = anonymous.session.get(anonymous.url(response.headers["Location"]),
                                          timeout=60)
            assert urlsplit(final.url).path == "/login/" and 'name="password"' in final.text, url


def test_home_lists_exactly_the_pairs_of_the_scope(world: World) -> None:
    page = world.client("gs").get("/").text
    assert HEZHENG in page and WUCHUAN not in page
    page = world.client("admin").get("/").text
    assert HEZHENG in page and WUCHUAN in page

