"""Where document files live: ``settings.BEDRING_DOCUMENTS_DIR`` (default ``var/documents``),
outside the static files and any media root, never served by the web server. Each file has a
random name (128 bits, hex) in a subdirectory of its first two characters; directories are
created 0700 and files 0600, written once (``O_EXCL``) and never changed.

A file is written inside the transaction that creates its row. :func:`removed_on_failure`
keeps the list of files written within it and removes them when the block ends with an
exception, so a refused or failed write leaves neither a row (the transaction rolls back) nor
a file. Blocks nest: an inner block that succeeds hands its files to the outer one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings

_written: ContextVar[list[Path] | None] = ContextVar("documents_written", default=None)


def documents_dir() -> Path:
    return Path(settings.BEDRING_DOCUMENTS_DIR)


def path_of(storage_name: str) -> Path:
    if len(storage_name) < 3 or not all(c in "0123456789abcdef" for c in storage_name):
        raise ValueError("not a storage name")
    return documents_dir() / storage_name[:2] / storage_name


def write_new(content: bytes) -> str:
    """Write ``content`` under a new random name and return the name."""
    storage_name = secrets.token_hex(16)
    path = path_of(storage_name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        written = _written.get()
        if written is not None:
            written.append(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return storage_name


def remove(storage_name: str) -> None:
    path_of(storage_name).unlink(missing_ok=True)


@contextmanager
def removed_on_failure() -> Iterator[None]:
    """Files written in this block are removed if the block ends with an exception."""
    parent = _written.get()
    mine: list[Path] = []
    token = _written.set(mine)
    try:
        yield
    except BaseException:
        for path in mine:
            path.unlink(missing_ok=True)
        raise
    finally:
        _written.reset(token)
    if parent is not None:
        parent.extend(mine)
