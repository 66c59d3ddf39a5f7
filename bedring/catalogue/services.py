"""Writes of the catalogue: an offer's terms saved as a new version only when they changed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from bedring.accounts.models import Organisation

from .models import Offer
from .terms import OfferTerms


@transaction.atomic
def offer_save(*, organisation: Organisation, terms: OfferTerms) -> Offer:
    """CAT-1: a changed offer is a new version; enrolments keep the version they were made
    under, so a change never alters their terms. An unchanged offer writes nothing."""
    stored = terms.model_dump(mode="json")
    current = (
        Offer.objects.select_for_update(of=("self",))
        .filter(organisation=organisation, key=terms.key, is_current=True)
        .first()
    )
    if current is not None and current.terms == stored:
        return current
    latest = (
        Offer.objects.filter(organisation=organisation, key=terms.key).order_by("-version").first()
    )
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current", "updated_at"])
    return Offer.objects.create(
        organisation=organisation,
        key=terms.key,
        version=(latest.version + 1) if latest else 1,
        is_current=True,
        name=terms.name,
        intensity=terms.intensity,
        terms=stored,
    )


def offers_retire(*, organisation: Organisation, keep: Iterable[str]) -> int:
    """Offers no longer in the catalogue stop being current; their versions stay for the
    enrolments that were made under them."""
    return (
        Offer.objects.filter(organisation=organisation, is_current=True)
        .exclude(key__in=list(keep))
        .update(is_current=False)
    )
