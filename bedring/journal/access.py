"""A note reached by its own UUID: the same rules as a client (``clients.access.client_for``):
another organisation's note is 404, a role without the permission 403, and the read is in
the access log on the note's client."""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
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
    try:
        note = Note.objects.select_related("client__organisation", "author", "episode").get(
            uuid=note_uuid, client__organisation_id__in=list(staff.memberships)
        )
    except (Note.DoesNotExist, ValidationError) as exc:  # ValidationError: not a UUID
        raise Http404 from exc
    if not staff.can(perm, note.client.organisation_id):
        raise PermissionDenied
    access_record(actor=staff.user, client=note.client, view=view, channel=channel, request=request)
    return note
