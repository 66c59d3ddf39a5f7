from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from bedring.core.roles import Perm


def staff_context(request: HttpRequest) -> dict[str, Any]:
    staff = getattr(request, "staff", None)
    active = staff.active if staff is not None else None
    return {
        "staff": staff,
        # ``can.client_read`` etc.: what the active membership may do, for menus and buttons.
        "can": {p.value: bool(active and active.has(p)) for p in Perm},
        "demo_mode": settings.DEMO,
        "idle_minutes": settings.SESSION_IDLE_MINUTES,
    }
