"""The usual attacks on the portal, each against the running server: forged requests (CSRF),
paths that climb out of a pair's folder, another hospital's ids, oversized and too many
uploads, guessing passwords, uploads served back as pages, missing security headers."""

from __future__ import annotations

import http.client
import re
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from formfiles import LINXIA_TITLE, SHAOXING_TITLE, activity_sheet, write_csv, write_xlsx
from portal_world import HEZHENG, LINXIA, PASSWORD, SHAOXING, WUCHUAN, World, pair_folder

MINE, THEIRS = pair_folder(LINXIA, HEZHENG), pair_folder(SHAOXING, WUCHUAN)


def raw_get(world: World, path: str, cookie: str) -> int:
    """A GET sent exactly as written (no client-side normalising of `..` or `%2e`)."""
    parts = urlsplit(world.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.putheader("Cookie", cookie)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def cookie_of(client) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.session.cookies)


@pytest.fixture(scope="module")
def uploads(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """One stored upload per pair, each with an annotated copy: user → upload id."""
    folder = tmp_path_factory.mktemp("attack-forms")
    ids = {}
    for user, title, name in (("hz", LINXIA_TITLE, "和政_眼科.xlsx"),
                              ("wc", SHAOXING_TITLE, "务川_眼科.xlsx")):
        path = write_xlsx(folder / name, activity_sheet(
            title=title, period="2021年第3季度", labels=["填报科室：眼科"],
            rows=[["赵六", 20, -1, 0, 0, 0, 0, 0, 0, 0]]))
        page = world.client(user).upload(path).text
        ids[user] = int(re.search(r'href="/uploads/(\d+)/annotated"', page)[1])
    return ids


def test_a_post_without_the_csrf_token_is_refused(world: World, tmp_path: Path) -> None:
    client = world.client("hz")
    form = write_xlsx(tmp_path / "心内科.xlsx", activity_sheet(
        title=LINXIA_TITLE, period="2021年第4季度", labels=["填报科室：心内科"],
        rows=[["张三", 1, 0, 0, 0, 0, 0, 0, 0, 0]]))
    files = [("files", (form.name, form.read_bytes(), "application/octet-stream"))]
    before = sorted(world.raw.rglob("*"))
    assert client.post("/upload/", files=files, token=False).status_code == 403
    assert sorted(world.raw.rglob("*")) == before
    # The login form too: a forged login would sign a victim in as the attacker.
    assert world.client().post("/login/", {"username": "hz", "password": PASSWORD},
                               token=False).status_code == 403
    reviewer = world.client("lx")
    assert reviewer.post("/review/x/act", {"action": "approve"}, token=False).status_code == 403


@pytest.mark.parametrize("path", [
    f"/site/pairs/{quote(MINE)}/../{quote(THEIRS)}/index.html",
    f"/site/pairs/{quote(MINE)}/..%2f{quote(THEIRS)}/index.html",
    f"/site/pairs/{quote(MINE)}/%2e%2e/{quote(THEIRS)}/index.html",
    f"/site/pairs/{quote(MINE)}/..%5c{quote(THEIRS)}%5cindex.html",
    f"/site/pairs/{quote(MINE)}/leak/index.html",  # a link inside the site to the other pair
    f"/site/pairs/{quote(MINE)}/../../pairs.json",
    "/site/assets/../index.html",
    "/site/assets/%2e%2e/quality.html",
    f"/site/pairs/{quote(MINE)}/../../../warehouse/bangfu.duckdb",
    "/site//etc/passwd",
    "/site/%2fetc%2fpasswd",
])
def test_paths_that_climb_out_of_the_pairs_folder_are_not_served(world: World,
                                                                 path: str) -> None:
    client = world.client("hz")
    assert client.get(f"/site/pairs/{MINE}/index.html").status_code == 200
    assert raw_get(world, path, cookie_of(client)) in (400, 403, 404)


def test_another_hospitals_ids_answer_404(world: World, uploads: dict[str, int]) -> None:
    theirs = uploads["wc"]
    client = world.client("hz")
    for suffix in ("", "annotated", "file"):
        assert client.get(f"/uploads/{theirs}/{suffix}").status_code == 404
        assert world.client("wc").get(f"/uploads/{theirs}/{suffix}").status_code == 200
    # Its own, the same way, are there.
    assert client.get(f"/uploads/{uploads['hz']}/annotated").status_code == 200


def test_a_reviewer_cannot_open_or_decide_another_hospitals_report(world: World) -> None:
    theirs = world.client("sx").get("/review/?state=all").text
    report_id = re.search(r'href="/review/([^/"?]+)/"', theirs)[1]
    assert WUCHUAN in theirs
    reviewer = world.client("lx")
    assert reviewer.get(f"/review/{report_id}/").status_code == 404
    assert reviewer.post(f"/review/{report_id}/act", {"action": "approve"}).status_code == 404
    # A submitter of the recipient hospital reviews nothing, not even its own pair's reports.
    assert world.client("hz").get("/review/").status_code == 403
    assert WUCHUAN not in reviewer.get("/review/?state=all").text


def test_oversized_and_too_many_uploads_are_refused_and_nothing_is_kept(
        world: World, tmp_path: Path) -> None:
    client = world.client("hz")
    before = sorted(world.raw.rglob("*"))
    big = tmp_path / "大文件.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 200_000)  # 0.8 MB; the test portal allows 0.5 MB
    response = client.upload(big)
    assert response.status_code == 413 and "超过 0.5 MB" in response.text
    small = write_csv(tmp_path / "小.csv", activity_sheet(
        title=LINXIA_TITLE, period="2021年第4季度", labels=["填报科室：心内科"],
        rows=[["张三", 1, 0, 0, 0, 0, 0, 0, 0, 0]]))
    response = client.upload(*[small] * 5)  # the test portal allows 4 at once
    assert response.status_code in (400, 413)
    # Past what any allowed upload could be, the server refuses the body before Django.
    huge = tmp_path / "巨大.csv"
    huge.write_bytes(b"0" * (3 * 1024 * 1024))
    assert client.upload(huge).status_code == 413
    assert sorted(world.raw.rglob("*")) == before


def test_an_upload_of_another_hospitals_form_is_refused(world: World, tmp_path: Path) -> None:
    form = write_xlsx(tmp_path / "务川_骨科.xlsx", activity_sheet(
        title=SHAOXING_TITLE, period="2021年第4季度", labels=["填报科室：骨科"],
        rows=[["李四", 3, 0, 0, 0, 0, 0, 0, 0, 0]]))
    before = sorted(world.raw.rglob("*"))
    page = world.client("hz").upload(form).text
    assert "不在您的账号权限范围内" in page
    # Nothing of what was read from it is shown back, nor an annotated copy offered.
    assert WUCHUAN not in page and SHAOXING not in page and "annotated" not in page
    assert sorted(world.raw.rglob("*")) == before


def test_guessing_passwords_locks_the_account_out(world: World) -> None:
    # An account of its own: the lock lasts 15 minutes.
    guessed = f"guessed-{uuid.uuid4().hex[:8]}"
    assert world.bangfu("user", "add", guessed, "--role", "viewer", "--province", "甘肃省",
                        stdin=PASSWORD + "\n").returncode == 0
    client = world.client()
    for _ in range(4):
        response = client.login(guessed, "wrong-password")
        assert response.status_code == 200 and "用户名或密码不正确" in response.text
    # The fifth wrong password locks it: now even the right one is refused, for a while.
    assert client.login(guessed, "wrong-password").status_code == 429
    response = client.login(guessed, PASSWORD)
    assert response.status_code == 429 and "锁定" in response.text
    assert client.get("/").status_code == 302
    # From elsewhere (another address would be another lock) the owner is not locked out by
    # someone else's guesses about another account.
    assert world.client("gs").get("/").status_code == 200


def test_uploads_come_back_as_downloads_never_as_pages(world: World,
                                                       uploads: dict[str, int]) -> None:
    client = world.client("hz")
    for suffix in ("file", "annotated"):
        response = client.get(f"/uploads/{uploads['hz']}/{suffix}")
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "html" not in response.headers["Content-Type"]


def test_every_answer_has_the_security_headers(world: World) -> None:
    for client, path in ((world.client(), "/login/"), (world.client("hz"), "/"),
                         (world.client("hz"), f"/site/pairs/{MINE}/index.html"),
                         (world.client("hz"), "/no/such/page")):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_is_not_for_scripts_and_ends_with_the_browser(world: World) -> None:
    client = world.client("hz")
    cookie = next(c for c in client.session.cookies if c.name == "sessionid")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.expires is None
