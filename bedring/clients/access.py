"""Permission-checked getters for client records: the only way views and API handlers reach a
client. A client of an organisation the staff member does not belong to is 404 (its existence
is not revealed); a member without the permission gets 403. Every successful read is logged."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Mapping, Sequence
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core.roles import Perm

from .models import Client

Record = TypeVar("Record", bound=models.Model)


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


def record_for(
    model: type[Record],
    request: HttpRequest,
    staff: Staff,
    record_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
    related: Sequence[str] = (),
    where: Mapping[str, object] | None = None,
) -> Record:
    """A record of a client's (a model with a ``client`` foreign key and a public ``uuid``),
    by the same rules as the client: 404 for another organisation's or a malformed UUID, 403
    without the permission, and the read logged on the client. ``related``: what the page
    shows with it, loaded in the same query; ``where``: what else the record must be (e.g. not
    discarded)."""
    if not staff.memberships:
        raise Http404
    try:
        record = model._default_manager.select_related("client__organisation", *related).get(
            uuid=record_uuid, client__organisation_id__in=list(staff.memberships), **(where or {})
        )
    except (ObjectDoesNotExist, ValidationError) as exc:  # ValidationError: not a UUID
        raise Http404 from exc
    client: Client = record.client  # type: ignore[attr-defined]  # the contract of this getter
    if not staff.can(perm, client.organisation_id):
        raise PermissionDenied
    access_record(actor=staff.user, client=client, view=view, channel=channel, request=request)
    return record
