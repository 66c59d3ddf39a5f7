"""One page of a list in /api/v1/: ``?offset=&limit=`` (limit 1 to 200, offset at most a
million), answered as the total and the page; an impossible page is 422 ``invalid_page``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_PAGE = 200
MAX_OFFSET = 1_000_000


def check_page(offset: int, limit: int) -> None:
    if not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(
            "invalid_page", _("offset must be 0 to 1,000,000 and limit 1 to 200.")
        )


def api_page(rows: QuerySet[Any], offset: int, limit: int) -> tuple[int, list[Any]]:
    """The total number of ``rows`` and the page ``offset .. offset + limit``."""
    check_page(offset, limit)
    return rows.count(), list(rows[offset : offset + limit])
