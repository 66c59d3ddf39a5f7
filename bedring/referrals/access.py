"""Referrals reached by their own UUID: the same rules as for clients (404 for another
organisation's, 403 without the permission), and every read is logged on the client."""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpRequest

from bedring.accounts.access import Staff
from bedring.clients.access import record_for
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
    return record_for(
        Referral,
        request,
        staff,
        referral_uuid,
        view=view,
        perm=perm,
        channel=channel,
        related=("partner", "consent", "episode__responsible"),
    )
