"""Who calls /api/v1/: the two ways in.

* :class:`StaffToken`, every route's default: a staff member's bearer token (resolved by
  ApiTokenMiddleware before the audit middleware, so that API writes are attributed).
* :class:`StaffSession`, only on the few routes that Bedring's own pages call from the
  browser (the phone's offline queue, HRM-8): the logged-in staff member's session, on the
  same terms as every page (``staff_view``): the second factor passed (django-otp's
  ``is_verified``), and Django's CSRF check, as for a form: a request from another site
  cannot carry the token, so it is refused even though the browser sends the cookie.

A route opts in with ``auth=token_or_session()``; every other route stays token-only, so a
stolen session cookie alone reaches nothing but those routes, and no route more than a page
would let the same session do.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from bedring.core.errors import Forbidden

from .access import Staff, load_staff, staff_for_request
from .models import User


class StaffToken(HttpBearer):
    """The token was resolved by ApiTokenMiddleware (before the audit middleware, so that
    writes are attributed); here we only require that it was, and load the staff context."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        api_token = getattr(request, "api_token", None)
        if api_token is None:
            return None
        staff = load_staff(api_token.user, None)
        request.staff = staff  # type: ignore[attr-defined]
        return staff


class StaffSession(APIKeyCookie):
    """A logged-in, second-factor-verified staff member's session, with the CSRF token."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any | None:
        # A bearer request is StaffToken's; an anonymous or half-logged-in one (password
        # without the second factor) is not a session this class accepts: 401, before any
        # CSRF question, as for a request without credentials.
        if getattr(request, "api_token", None) is not None:
            return None
        user = request.user
        if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
            return None
        if check_csrf(request) is not None:
            raise Forbidden(
                "csrf_failed",
                _("The request did not come from a Bedring page. Reload the page and try again."),
            )
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Staff | None:
        if not cast(User, request.user).is_active:
            return None
        return staff_for_request(request)


def token_or_session() -> list[AuthBase]:
    """The auth of a route that Bedring's pages call from the browser."""
    return [StaffToken(), StaffSession()]
