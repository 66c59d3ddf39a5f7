"""Permission-checked getters for client records: the only way views and API handlers reach a
client. A client of an organisation the staff member does not belong to is 404 (its existence
is not revealed); a member without the permission gets 403. Every successful read is logged."""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core.roles import Perm

from .models import Client


def client_for(
    request: HttpRequest,
    staff: Staff,
    client_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Client:
    if not staff.memberships:
        raise Http404
    try:
        client = Client.objects.select_related("organisation").get(
            uuid=client_uuid, organisation_id__in=list(staff.memberships)
        )
    except (Client.DoesNotExist, ValidationError) as exc:  # ValidationError: not a UUID
        raise Http404 from exc
    if not staff.can(perm, client.organisation_id):
        raise PermissionDenied
    access_record(actor=staff.user, client=client, view=view, channel=channel, request=request)
    return client
