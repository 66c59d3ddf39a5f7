"""Document fixtures: each test has its own documents directory (pytest's tmp_path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "documents"
    settings.BEDRING_DOCUMENTS_DIR = path
    return path


def files_in(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
