"""Permission-checked getters for prescriptions, doses and dispensing sites. A prescription
or a dose of another organisation is 404 (its existence is not revealed), a role without the
permission 403, and every read of either is a read of the client's record: it is logged."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.accounts.models import Site
from bedring.audit.services import access_record
from bedring.clients.access import record_for
from bedring.core.roles import Perm

from .models import Dispensing, Prescription


def prescription_for(
    request: HttpRequest | None,
    staff: Staff,
    prescription_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Prescription:
    try:
        prescription = Prescription.objects.select_related(
            "client__organisation", "medicine", "organisation"
        ).get(uuid=prescription_uuid, organisation_id__in=list(staff.memberships))
    except (Prescription.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    if not staff.can(perm, prescription.organisation_id):
        raise PermissionDenied
    access_record(
        actor=staff.user, client=prescription.client, view=view, channel=channel, request=request
    )
    return prescription


def dispensing_for(
    request: HttpRequest,
    staff: Staff,
    dispensing_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.DISPENSE,
    channel: str = "html",
) -> Dispensing:
    """One dose, with its prescription, medicine, client and who handed it out, by the rules
    of every client record (``clients.access.record_for``)."""
    return record_for(
        Dispensing,
        request,
        staff,
        dispensing_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("prescription__medicine", "prescription__organisation", "handed_out_by", "site"),
    )


def site_for(
    staff: Staff, site_uuid: uuid_lib.UUID | str, *, perm: Perm, organisation_ids: Iterable[int]
) -> Site:
    """A site of one of ``organisation_ids`` (pages: the active organisation; the API: every
    membership)."""
    try:
        site = Site.objects.select_related("organisation").get(
            uuid=site_uuid, organisation_id__in=list(organisation_ids), is_active=True
        )
    except (Site.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    if not staff.can(perm, site.organisation_id):
        raise PermissionDenied
    return site
