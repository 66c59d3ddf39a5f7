"""Bearer tokens for /api/v1/: resolved before the audit middleware so that API writes are
attributed to the staff member behind the token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse

from bedring.core import clock

from .models import ApiToken, hash_token


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_token = None  # type: ignore[attr-defined]
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.lower().startswith("bearer "):
            raw = header[7:].strip()
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
                .first()
            )
            if token is not None:
                request.user = token.user
                request.api_token = token  # type: ignore[attr-defined]
                now = clock.now()
                # One write a minute at most: the token log is for "is it still used?".
                if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
                    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return self.get_response(request)
