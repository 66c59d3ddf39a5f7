"""The loader is tested as on a fresh installation: every database test here starts without
the shipped organisations the suite otherwise loads once (tests/conftest.py), so loading a pack
creates it rather than finding it already there."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_installation(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("empty_installation")
