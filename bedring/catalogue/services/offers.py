"""Offers (CAT-1): the pack loader saves an offer's terms as a new version only when they
changed; a manager edits or publishes an offer the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.core.errors import Conflict, ValidationFailed

from ..models import (
    Offer,
)
from ..terms import OfferTerms


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


# Offer terms that hold other terms: an edit of one of their fields keeps the others.
_NESTED_TERMS = ("cadence", "count", "ages", "gift_card")


# --- offers (CAT-1) -------------------------------------------------------------------


def _limit(error: Any) -> int | float | None:
    """The bound a number broke (``ge``, ``le``, ...), for a message saying it."""
    context = error.get("ctx") or {}
    for key in ("ge", "le", "gt", "lt"):
        if isinstance(context.get(key), int | float):
            return context[key]
    return None


def terms_invalid(exc: pydantic.ValidationError) -> ValidationFailed:
    """Pydantic's findings as one domain error; ``details["errors"]`` lists each with the
    dotted field it concerns (``cadence.times_per_month``), so a form shows it there, and
    its stable ``code`` (a rule of ``terms``, or pydantic's own such as
    ``greater_than_equal`` with its ``limit``), so a form words it in the user's language."""
    errors: list[dict[str, Any]] = [
        {
            "field": ".".join(str(part) for part in error["loc"]) or None,
            "code": error["type"],
            "limit": _limit(error),
            "message": str(error["msg"]).removeprefix("Value error, "),
        }
        for error in exc.errors()
    ]
    return ValidationFailed(
        "invalid_terms",
        _("The terms are not valid: %(problems)s")
        % {"problems": "; ".join(str(e["message"]) for e in errors)},
        field=errors[0]["field"] if errors else None,
        details={"errors": errors},
    )


def terms_with_changes(offer: Offer, changes: Mapping[str, Any]) -> OfferTerms:
    """The offer's terms with ``changes`` applied and validated; a nested term (cadence,
    count, ages) changes only in the fields given."""
    if "key" in changes and changes["key"] != offer.key:
        raise ValidationFailed(
            "key_fixed", _("An offer keeps its key; create a new offer instead."), field="key"
        )
    merged: dict[str, Any] = dict(offer.terms)
    for name, value in changes.items():
        if name in _NESTED_TERMS and isinstance(value, Mapping) and merged.get(name):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    try:
        return OfferTerms.model_validate(merged)
    except pydantic.ValidationError as exc:
        raise terms_invalid(exc) from exc


@transaction.atomic
def offer_publish(
    *, organisation: Organisation, terms: OfferTerms, actor: User | None = None
) -> tuple[Offer, bool]:
    """CAT-1: a new offer, or a new version of the offer with this key; enrolments and
    courses keep the version they were made under. Returns the current version and whether
    it is new (unchanged terms write nothing). A prerequisite must be an offer of the
    catalogue (CAT-7), as in the service packs."""
    known = set(
        Offer.objects.filter(organisation=organisation, is_current=True).values_list(
            "key", flat=True
        )
    )
    unknown = [key for key in terms.prerequisites if key not in known]
    if unknown:
        raise ValidationFailed(
            "unknown_prerequisite",
            _("These prerequisites are not offers of the catalogue: %(keys)s.")
            % {"keys": ", ".join(unknown)},
            field="prerequisites",
            details={"missing": unknown},
        )
    before = (
        Offer.objects.filter(organisation=organisation, key=terms.key, is_current=True)
        .values_list("pk", flat=True)
        .first()
    )
    offer = offer_save(organisation=organisation, terms=terms)
    return offer, offer.pk != before


@transaction.atomic
def offer_edit(*, offer: Offer, actor: User, changes: Mapping[str, Any]) -> Offer:
    """CAT-1: a manager changes the terms of an offer in force; the change is a new version
    and everyone already enrolled keeps the terms they were enrolled under."""
    locked = Offer.objects.select_for_update(of=("self",)).select_related("organisation")
    offer = locked.get(pk=offer.pk)
    if not offer.is_current:
        raise Conflict(
            "offer_not_current",
            _("%(offer)s has a newer version; edit that one.") % {"offer": offer.name},
        )
    terms = terms_with_changes(offer, changes)
    return offer_publish(organisation=offer.organisation, terms=terms, actor=actor)[0]


def _check_current(offer: Offer) -> None:
    if not offer.is_current:
        raise Conflict(
            "offer_not_current",
            _("%(offer)s has a newer version; use the catalogue's current one.")
            % {"offer": offer.name},
            field="offer",
        )
