"""Permission-checked getters for appointments and requests reached by their own UUID: the
same rules as for clients (404 for another organisation's, 403 without the permission), and
every read is logged on the client."""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpRequest

from bedring.accounts.access import Staff
from bedring.clients.access import record_for
from bedring.core.roles import Perm

from .models import Appointment, AppointmentRequest


def appointment_for(
    request: HttpRequest,
    staff: Staff,
    appointment_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Appointment:
    return record_for(
        Appointment,
        request,
        staff,
        appointment_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("organisation", "site", "room", "staff", "request"),
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
    return record_for(
        AppointmentRequest,
        request,
        staff,
        request_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("organisation",),
    )
