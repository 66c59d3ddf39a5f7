"""A message reached by its own UUID: the same rules as a client record (404 for another
organisation's, 403 without the permission) and the read is logged on its client."""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpRequest

from bedring.accounts.access import Staff
from bedring.clients.access import record_for
from bedring.core.roles import Perm

from .models import Message


def message_for(
    request: HttpRequest,
    staff: Staff,
    message_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Message:
    return record_for(
        Message,
        request,
        staff,
        message_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("organisation",),
    )
