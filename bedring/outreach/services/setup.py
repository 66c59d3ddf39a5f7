"""Loading the ``outreach:`` section of a service pack (called by ``bedring.rules.loader``)."""

from __future__ import annotations

from django.db import transaction

from bedring.accounts.models import Organisation, Site
from bedring.core.errors import ValidationFailed

from ..models import ExchangePoint, OutreachSettings, Place
from ..packs import OutreachIn


def _site(organisation: Organisation, slug: str | None) -> Site | None:
    if slug is None:
        return None
    site = Site.objects.filter(organisation=organisation, slug=slug).first()
    if site is None:
        raise ValidationFailed("unknown_site", f"outreach: no site {slug!r} in the pack")
    return site


@transaction.atomic
def outreach_load(*, organisation: Organisation, spec: OutreachIn | None) -> None:
    """Store the section, its places and exchange points. A place or point taken out of the
    pack is retired (its contacts and transactions keep pointing at it); a pack without the
    section removes the settings, so the organisation records no outreach."""
    if spec is None:
        OutreachSettings.objects.filter(organisation=organisation).delete()
        Place.objects.filter(organisation=organisation).update(is_active=False)
        ExchangePoint.objects.filter(organisation=organisation).update(is_active=False)
        return
    OutreachSettings.objects.update_or_create(
        organisation=organisation, defaults={"spec": spec.model_dump(mode="json")}
    )
    for place in spec.places:
        Place.objects.update_or_create(
            organisation=organisation,
            key=place.key,
            defaults={
                "name": place.name,
                "location_type": place.location_type,
                "site": _site(organisation, place.site),
                "is_active": True,
            },
        )
    Place.objects.filter(organisation=organisation).exclude(
        key__in=[p.key for p in spec.places]
    ).update(is_active=False)
    for point in spec.exchange_points:
        ExchangePoint.objects.update_or_create(
            organisation=organisation,
            key=point.key,
            defaults={
                "name": point.name,
                "kind": point.kind,
                "site": _site(organisation, point.site),
                "address": point.address,
                "hours": point.hours.as_dict(),
                "items": list(point.items),
                "source": point.source,
                "is_active": True,
            },
        )
    ExchangePoint.objects.filter(organisation=organisation).exclude(
        key__in=[p.key for p in spec.exchange_points]
    ).update(is_active=False)
