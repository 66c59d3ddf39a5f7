"""Domain errors: a stable machine code and a translatable human message.

Views turn them into form errors or messages, the API into JSON 4xx with the same code.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule refused the request. ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.details = details or {}


class ValidationFailed(DomainError):
    status = 422


class Conflict(DomainError):
    """The request clashes with existing data (a duplicate, a bad state transition)."""

    status = 409


class NotFound(DomainError):
    """Also used for records of another organisation: their existence is not revealed."""

    status = 404


class Forbidden(DomainError):
    status = 403
