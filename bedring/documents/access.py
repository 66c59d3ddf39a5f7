"""Documents reached by their own UUID: the same rules as for clients (404 for another
organisation's or a discarded one, 403 without the permission), and every read is logged on
the client."""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpRequest

from bedring.accounts.access import Staff
from bedring.clients.access import record_for
from bedring.core.roles import Perm

from .models import Document


def document_for(
    request: HttpRequest,
    staff: Staff,
    document_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Document:
    return record_for(
        Document,
        request,
        staff,
        document_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("uploaded_by",),
        where={"discarded_at__isnull": True},
    )
