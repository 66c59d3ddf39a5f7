"""Permission-checked getters for health records reached by their own UUID: the same rules
as for clients (404 for another organisation's, 403 without the permission), and every read
is logged on the client."""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpRequest

from bedring.accounts.access import Staff
from bedring.clients.access import record_for
from bedring.core.roles import Perm

from .models import Pregnancy, Screening


def screening_for(
    request: HttpRequest,
    staff: Staff,
    screening_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Screening:
    return record_for(
        Screening, request, staff, screening_uuid, view=view, perm=perm, channel=channel
    )


def pregnancy_for(
    request: HttpRequest,
    staff: Staff,
    pregnancy_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Pregnancy:
    return record_for(
        Pregnancy, request, staff, pregnancy_uuid, view=view, perm=perm, channel=channel
    )
