"""Permission-checked getters of outreach records, the way clients.access reaches a client:
a record of an organisation the staff member does not belong to is 404 (its existence not
revealed), one where the role does no outreach work is 403.

A contact with a known client is part of that client's record: its client and note are
shown only to staff who read records there (``shows_client``), and such a read is written
to the client's access log. Drop-in and peer workers do outreach work and open no record
(bedring.core.roles): they see the contact without the person."""

from __future__ import annotations

import uuid as uuid_lib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core.roles import Perm

from .models import OutreachContact, Pseudonym
from .selectors import contact_rows


@dataclass(frozen=True)
class SeenContact:
    contact: OutreachContact
    shows_client: bool


def may_see_client(staff: Staff, contact: OutreachContact) -> bool:
    return contact.client_id is not None and staff.can(Perm.CLIENT_READ, contact.organisation_id)


def contact_for(
    request: HttpRequest,
    staff: Staff,
    contact_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    channel: str = "html",
) -> SeenContact:
    if not staff.memberships:
        raise Http404
    try:
        contact = contact_rows().get(uuid=contact_uuid, organisation_id__in=list(staff.memberships))
    except (OutreachContact.DoesNotExist, ValidationError) as exc:  # not a UUID
        raise Http404 from exc
    if not staff.can(Perm.HARM_REDUCTION, contact.organisation_id):
        raise PermissionDenied
    shows = may_see_client(staff, contact)
    if shows and contact.client is not None:
        access_record(
            actor=staff.user, client=contact.client, view=view, channel=channel, request=request
        )
    return SeenContact(contact, shows)


def pseudonym_for(staff: Staff, pseudonym_uuid: uuid_lib.UUID | str) -> Pseudonym:
    if not staff.memberships:
        raise Http404
    try:
        pseudonym = Pseudonym.objects.select_related("organisation", "client", "merged_into").get(
            uuid=pseudonym_uuid, organisation_id__in=list(staff.memberships)
        )
    except (Pseudonym.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    if not staff.can(Perm.HARM_REDUCTION, pseudonym.organisation_id):
        raise PermissionDenied
    return pseudonym
