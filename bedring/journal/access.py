"""A note reached by its own UUID: the same rules as a client (``clients.access.client_for``):
another organisation's note is 404, a role without the permission 403, and the read is in
the access log on the note's client."""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpRequest

from bedring.accounts.access import Staff
from bedring.clients.access import record_for
from bedring.core.roles import Perm

from .models import Note


def note_for(
    request: HttpRequest,
    staff: Staff,
    note_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Note:
    return record_for(
        Note,
        request,
        staff,
        note_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("author", "episode"),
    )
