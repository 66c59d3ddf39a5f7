"""Referrals reached by their own UUID: the same rules as for clients (404 for another
organisation's, 403 without the permission), and every read is logged on the client."""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core.roles import Perm

from .models import Referral


def referral_for(
    request: HttpRequest,
    staff: Staff,
    referral_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Referral:
    if not staff.memberships:
        raise Http404
    try:
        referral = Referral.objects.select_related(
            "client__organisation", "partner", "consent", "episode__responsible"
        ).get(uuid=referral_uuid, client__organisation_id__in=list(staff.memberships))
    except (Referral.DoesNotExist, ValidationError) as exc:  # ValidationError: not a UUID
        raise Http404 from exc
    if not staff.can(perm, referral.client.organisation_id):
        raise PermissionDenied
    access_record(
        actor=staff.user, client=referral.client, view=view, channel=channel, request=request
    )
    return referral
