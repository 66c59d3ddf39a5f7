"""Permission-checked getters for appointments and requests reached by their own UUID: the
same rules as for clients (404 for another organisation's, 403 without the permission), and
every read is logged on the client."""

from __future__ import annotations

import uuid as uuid_lib
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core.roles import Perm

from .models import Appointment, AppointmentRequest

Record = TypeVar("Record", Appointment, AppointmentRequest)


def _record_for(
    model: type[Record],
    request: HttpRequest,
    staff: Staff,
    record_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm,
    channel: str,
) -> Record:
    related = ["client__organisation", "organisation"]
    if model is Appointment:
        related += ["site", "room", "staff", "request"]
    try:
        record = model.objects.select_related(*related).get(
            uuid=record_uuid, client__organisation_id__in=list(staff.memberships)
        )
    except (model.DoesNotExist, ValidationError) as exc:  # ValidationError: not a UUID
        raise Http404 from exc
    if not staff.can(perm, record.client.organisation_id):
        raise PermissionDenied
    access_record(
        actor=staff.user, client=record.client, view=view, channel=channel, request=request
    )
    return record


def appointment_for(
    request: HttpRequest,
    staff: Staff,
    appointment_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Appointment:
    return _record_for(
        Appointment, request, staff, appointment_uuid, view=view, perm=perm, channel=channel
    )


def request_for(
    request: HttpRequest,
    staff: Staff,
    request_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> AppointmentRequest:
    return _record_for(
        AppointmentRequest, request, staff, request_uuid, view=view, perm=perm, channel=channel
    )
