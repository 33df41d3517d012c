"""`bangfu user add` (contract "Commands"), the session's end, and the operator's registry
page."""

from __future__ import annotations

import sqlite3
import time

import pytest
from portal_world import HEZHENG, PASSWORD, World

from pipelines.cli import build_parser


def account(world: World, username: str) -> tuple:
    with sqlite3.connect(world.warehouse.parent / "portal" / "portal.sqlite3") as con:
        return con.execute(
            """select u.is_superuser, g.name, a.hospital, a.province, a.department
               from auth_user u join portal_account a on a.user_id = u.id
               join auth_user_groups ug on ug.user_id = u.id join auth_group g on g.id = ug.group_id
               where u.username = ?""", [username]).fetchone()


def test_an_alias_names_the_registered_hospital_and_a_second_add_updates(world: World) -> None:
    added = world.bangfu("user", "add", "hz-office", "--role", "submitter", "--hospital",
                         "和政县医院", "--department", "医务科", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "已创建账号 hz-office" in added.stdout
    assert account(world, "hz-office") == (0, "submitter", HEZHENG, "", "医务科")
    again = world.bangfu("user", "add", "hz-office", "--role", "reviewer", "--hospital",
                         HEZHENG, stdin=PASSWORD + "\n")
    assert again.returncode == 0 and "已更新账号" in again.stdout
    assert account(world, "hz-office") == (0, "reviewer", HEZHENG, "", "")
    assert account(world, "admin")[:2] == (1, "admin")
    assert account(world, "gs") == (0, "viewer", "", "甘肃省", "")


@pytest.mark.parametrize(("arguments", "says"), [
    (["--role", "submitter", "--hospital", "没有这家医院"], "不在登记表中"),
    (["--role", "submitter", "--province", "甘肃省"], "只有 viewer"),
    (["--role", "viewer", "--province", "火星省"], "省份“火星省”不在登记表中"),
    (["--role", "reviewer"], "需要 --hospital"),
])
def test_what_is_not_right_is_said_in_one_line_with_exit_2(world: World, arguments: list[str],
                                                            says: str) -> None:
    done = world.bangfu("user", "add", "someone", *arguments, stdin=PASSWORD + "\n")
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


def test_a_weak_password_is_refused(world: World) -> None:
    done = world.bangfu("user", "add", "weak", "--role", "viewer", "--province", "甘肃省",
                        stdin="12345\n")
    assert done.returncode == 2 and "密码不符合要求" in done.stderr
    assert world.client().login("weak", "12345").status_code == 200  # the login page again


def test_the_contracts_arguments() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    args = build_parser().parse_args(["user", "add", "x", "--role", "viewer", "--province", "P"])
    assert (args.username, args.role, args.province) == ("x", "viewer", "P")


def test_a_session_ends_after_its_idle_time(world: World) -> None:
    brief = World(world.root, {**world.env, "BANGFU_SESSION_SECONDS": "2"})
    brief.start()
    try:
        client = brief.client("gs")
        assert client.get("/").status_code == 200
        time.sleep(3)
        response = client.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login/")
    finally:
        brief.stop()


# The upload view calls `bangfu registry check`, which the registry helper's branch (issue 22)
# adds; until it is merged this test cannot run.
needs_registry_check = pytest.mark.skipif(
    "registry" not in build_parser().format_help(),
    reason="needs `bangfu registry check` (issue 22's registry branch, not merged here)")


@needs_registry_check
def test_the_admin_replaces_the_registry_only_with_one_that_checks(world: World,
                                                                   tmp_path) -> None:
    registry = tmp_path / "新登记表.xlsx"
    assert world.bangfu("registry", "init", str(registry)).returncode == 0
    in_force = tmp_path / "在用" / "登记表.xlsx"
    operator = World(world.root, {**world.env, "BANGFU_REGISTRY": str(in_force)})
    operator.start()
    try:
        admin = operator.client("admin")
        assert admin.get("/registry/download").status_code == 404  # none written yet
        response = admin.post("/registry/", files={"registry": ("坏.xlsx", b"not a workbook")})
        assert "未生效" in response.text and not in_force.exists()
        response = admin.post("/registry/",
                              files={"registry": ("登记表.xlsx", registry.read_bytes())})
        assert response.status_code == 302 and in_force.read_bytes() == registry.read_bytes()
        download = admin.get("/registry/download")
        assert download.status_code == 200 and download.content == registry.read_bytes()
        assert operator.client("hz").get("/registry/download").status_code == 403
    finally:
        operator.stop()
