"""Where the portal keeps its own things, from the contract's settings: its folder beside the
warehouse (its SQLite database, secret key, checked uploads and annotated copies, the review
actions exported for the next run) and the database its tables live in.

`databases()` is the DATABASES setting: SQLite in that folder by default, PostgreSQL when
`BANGFU_WAREHOUSE` is a PostgreSQL URL (the portal's tables then sit in the same database as
the warehouse, in their own schema `portal`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipelines.settings import Settings

PORTAL_SCHEMA = "portal"


def warehouse_url() -> str | None:
    """The warehouse's PostgreSQL URL, or None when the warehouse is a DuckDB file (the one
    parser of BANGFU_WAREHOUSE: pipelines.warehouse.location)."""
    return Settings.from_env().warehouse_url


def portal_dir() -> Path:
    """The portal's folder (pipelines.settings.Settings.portal_dir)."""
    return Settings.from_env().portal_dir


def databases() -> dict[str, dict]:
    """Django's DATABASES: the portal's tables beside the warehouse, in the same engine."""
    if url := warehouse_url():
        parts = urlsplit(url)  # a libpq URL: postgresql://USER@HOST:PORT/DB
        return {"default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            # Empty: libpq reads PGPASSWORD or ~/.pgpass, as the warehouse's connection does.
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": {"options": f"-c search_path={PORTAL_SCHEMA}"},
        }}
    return {"default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": portal_dir() / "portal.sqlite3",
        # Waitress serves from several threads; a write waits for another instead of failing.
        "OPTIONS": {"timeout": 20},
    }}


def secret_key() -> str:
    """`BANGFU_SECRET_KEY`, else a random key made once and kept (readable by its owner only)
    in the portal's folder, so that sessions outlive a restart."""
    if key := os.environ.get("BANGFU_SECRET_KEY"):
        return key
    path = portal_dir() / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made before, or by another process starting at the same time
        pass
    else:
        with os.fdopen(descriptor, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()
