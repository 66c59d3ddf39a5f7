"""The demo is loaded into a fresh installation, as `make run` does: every database test here
starts without the shipped organisations the suite otherwise loads once (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_installation(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("empty_installation")
