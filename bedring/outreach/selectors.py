"""Reads of the outreach package."""

from __future__ import annotations

from bedring.accounts.models import Organisation

from .models import OutreachSettings
from .packs import OutreachIn


def outreach_spec(organisation: Organisation | int) -> OutreachIn | None:
    """The organisation's ``outreach:`` pack section, or None when it runs no outreach."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    stored = OutreachSettings.objects.filter(organisation_id=org_id).first()
    return None if stored is None else OutreachIn.model_validate(stored.spec)
