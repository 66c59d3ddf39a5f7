"""One page of a list in /api/v1/: ``?offset=&limit=`` (limit 1 to 200, offset at most a
million), answered as the total and the page; an impossible page is 422 ``invalid_page``.

The HTML pages use :class:`Paginator`: Django's, with page numbers in ASCII digits only."""

from __future__ import annotations

from typing import Any

from django.core.paginator import PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .digits import ascii_digits
from .errors import ValidationFailed

MAX_PAGE = 200
MAX_OFFSET = 1_000_000


class Paginator(DjangoPaginator):  # type: ignore[type-arg]
    """Django's paginator reads ``?page=`` with ``int()``, which takes ``١٢`` for 12: here a
    page number is ASCII digits (full-width ones after NFKC) and anything else is not a page
    number, so ``get_page`` shows the first page, as for ``?page=abc``."""

    def validate_number(self, number: int | float | str) -> int:
        if isinstance(number, str):
            digits = ascii_digits(number)
            if digits is None:
                raise PageNotAnInteger(self.error_messages["invalid_page"])
            number = digits
        return super().validate_number(number)


def check_page(offset: int, limit: int) -> None:
    if not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(
            "invalid_page", _("offset must be 0 to 1,000,000 and limit 1 to 200.")
        )


def api_page(rows: QuerySet[Any], offset: int, limit: int) -> tuple[int, list[Any]]:
    """The total number of ``rows`` and the page ``offset .. offset + limit``."""
    check_page(offset, limit)
    return rows.count(), list(rows[offset : offset + limit])
