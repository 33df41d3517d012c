"""`bangfu serve` and `bangfu user add`: Django set up from the contract's settings, the
portal's tables migrated, and the portal served by waitress.

Waitress: a production WSGI server in pure Python (no compiler, no fork; it runs the same on
the Linux and Windows machines hospitals have), threaded, with request-size limits and
trusted-proxy handling of its own; the portal's heavy work (reading forms) already runs in
the reader's bounded worker processes, so threads are enough."""

from __future__ import annotations

import os
import sys

SERVER_THREADS = 8


def setup_django(host: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if host and host not in ("0.0.0.0", "::") and "BANGFU_ALLOWED_HOSTS" not in os.environ:
        os.environ["BANGFU_ALLOWED_HOSTS"] = f"127.0.0.1,localhost,[::1],{host}"
    import django
    from django.utils import translation

    django.setup()
    translation.activate("zh-hans")


def migrate() -> None:
    """The portal's tables as this version needs them (its own schema on PostgreSQL)."""
    from django.core.management import call_command
    from django.db import connection

    from portal.places import PORTAL_SCHEMA, portal_dir, warehouse_url

    portal_dir().mkdir(parents=True, exist_ok=True)
    if warehouse_url():
        with connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {PORTAL_SCHEMA}")
    call_command("migrate", interactive=False, verbosity=0)


def serve(host: str, port: int) -> None:
    setup_django(host)
    migrate()
    from django.conf import settings
    from waitress import serve as waitress_serve

    from portal.wsgi import application

    proxy = {}
    if trusted := os.environ.get("BANGFU_TRUSTED_PROXY"):
        # The reverse proxy's address: only its X-Forwarded-* headers are believed.
        proxy = {"trusted_proxy": trusted, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto",
                                           "x-forwarded-host"},
                 "clear_untrusted_proxy_headers": True}
    body_limit = int(settings.MAX_UPLOAD_FILES * settings.MAX_UPLOAD_MB * 1024 * 1024) + 2**20
    print(f"bangfu：门户已启动 http://{host}:{port}/ （按 Ctrl+C 停止）/ portal serving",
          flush=True)
    waitress_serve(application, host=host, port=port, threads=SERVER_THREADS,
                   max_request_body_size=body_limit, ident="bangfu", **proxy)


def read_password(stdin=None) -> str:
    """The password from standard input: one line (typed twice at a terminal)."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        import getpass

        first = getpass.getpass("密码 password: ")
        if getpass.getpass("再输入一次 again: ") != first:
            raise ValueError("两次输入的密码不一致")
        return first
    return stdin.readline().rstrip("\r\n")
