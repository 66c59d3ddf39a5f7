"""The REST API under /api/v1/ (django-ninja, OpenAPI 3.1 at /api/v1/openapi.json).

Authentication is a staff member's bearer token (created in the UI or with
``manage.py create_api_token``); the few routes Bedring's own pages call from the browser
(the phone's offline queue) also take the staff member's verified session with the CSRF
token (``bedring.accounts.api_auth``). Errors are always JSON: ``{"code": ..., "message":
...}`` with a stable code, the same codes the HTML forms use.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import HttpError as NinjaHttpError
from ninja.errors import ValidationError as NinjaValidationError

from bedring.accounts.api_auth import StaffToken
from bedring.core.errors import DomainError

api = NinjaAPI(
    title="Bedring API",
    version="1",
    description=__doc__ or "",
    auth=StaffToken(),
    urls_namespace="api",
)


def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if exc.field:
        extra["field"] = exc.field
    if exc.details:
        extra["details"] = exc.details
    return error(request, exc.status, exc.code, str(exc.message), **extra)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", _("Your role does not allow this."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request, 401, "unauthenticated", _("Send a valid API token as Authorization: Bearer.")
    )


@api.exception_handler(NinjaValidationError)
def on_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())[1:]) or None,
            "message": str(err.get("msg", "")),
            "type": err.get("type"),
        }
        for err in exc.errors
    ]
    return error(request, 422, "invalid_input", _("Some values are not valid."), errors=errors)


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database cannot store (a NUL character, a number out of range): the
    transaction is rolled back and the caller told, never a 500."""
    return error(request, 422, "invalid_input", _("Some values cannot be stored."))


@api.exception_handler(NinjaHttpError)
def on_http_error(request: HttpRequest, exc: NinjaHttpError) -> HttpResponse:
    return error(request, exc.status_code, "http_error", str(exc))


def _register_routers() -> None:
    from bedring.accounts.api import router as accounts_router
    from bedring.appointments.api import router as appointments_router
    from bedring.catalogue.api import router as catalogue_router
    from bedring.clients.api import router as clients_router
    from bedring.documents.api import router as documents_router
    from bedring.health.api import router as health_router
    from bedring.interop.api import router as interop_router
    from bedring.journal.api import router as journal_router
    from bedring.medication.api import router as medication_router
    from bedring.messaging.api import router as messaging_router
    from bedring.outcomes.api import router as outcomes_router
    from bedring.outreach.api import router as outreach_router
    from bedring.pathway.api import router as pathway_router
    from bedring.referrals.api import router as referrals_router
    from bedring.registers.api import router as registers_router

    api.add_router("/", accounts_router)
    api.add_router("/clients", clients_router)
    api.add_router("/", pathway_router)
    api.add_router("/", catalogue_router)
    api.add_router("/", medication_router)
    api.add_router("/", health_router)
    api.add_router("/", appointments_router)
    api.add_router("/", journal_router)
    api.add_router("/", messaging_router)
    api.add_router("/", outcomes_router)
    api.add_router("/", registers_router)
    api.add_router("/", interop_router)
    api.add_router("/", documents_router)
    api.add_router("/", referrals_router)
    api.add_router("/", outreach_router)


_register_routers()
