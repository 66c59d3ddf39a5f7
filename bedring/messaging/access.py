"""A message reached by its own UUID: the same rules as a client record (404 for another
organisation's, 403 without the permission) and the read is logged on its client."""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
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
    try:
        message = Message.objects.select_related("client__organisation", "organisation").get(
            uuid=message_uuid, organisation_id__in=list(staff.memberships)
        )
    except (Message.DoesNotExist, ValidationError) as exc:  # ValidationError: not a UUID
        raise Http404 from exc
    if not staff.can(perm, message.organisation_id):
        raise PermissionDenied
    access_record(
        actor=staff.user, client=message.client, view=view, channel=channel, request=request
    )
    return message
