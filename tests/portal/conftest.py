"""One portal for this folder's tests (a pipeline run and a server start are the costly
part); tests that change it say what they add."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from portal_world import World, make_world


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    built = make_world(tmp_path_factory.mktemp("portal"), BANGFU_UPLOAD_MB="0.5",
                       BANGFU_UPLOAD_FILES="4")
    built.start()
    yield built
    built.stop()
