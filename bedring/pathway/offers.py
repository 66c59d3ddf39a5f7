"""The offers a decision grants or refuses (DEC-1, CAT-1), read through a port.

The catalogue is a layer above the pathway (it enrols clients into episodes), so the pathway
may not import it. The pathway declares here what it needs to know of an offer
(:class:`OfferRef`) and the one function that finds them (:class:`OfferSource`); the
catalogue registers its reader when the apps are ready (``CatalogueConfig.ready``). The
decision form, the decision service and the API all resolve offers through
:func:`resolve_offer`, so each refuses an unknown offer and another organisation's offer with
the same code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bedring.core.errors import ValidationFailed


@dataclass(frozen=True)
class OfferRef:
    """A current offer of an organisation's catalogue, as a decision names it: its ``key``
    (stable across versions), the ``uuid`` of the version in force, its name and intensity."""

    organisation_id: int
    key: str
    uuid: uuid.UUID
    name: str
    intensity: str


# (organisation id, None) -> the organisation's current offers a decision may name;
# (None, offer version id) -> the offer with that id, any version, any organisation.
OfferSource = Callable[[int | None, uuid.UUID | None], list[OfferRef]]
_source: OfferSource | None = None


def register_offer_source(source: OfferSource) -> None:
    global _source
    _source = source


def decidable_offers(organisation_id: int) -> list[OfferRef]:
    """The organisation's offers a decision may name, in catalogue order."""
    return _source(organisation_id, None) if _source is not None else []


def _by_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def resolve_offer(organisation_id: int, value: str, *, field: str = "offer") -> OfferRef | None:
    """The offer ``value`` names, by its key in the organisation's catalogue or by its id;
    empty is no offer. An offer of another organisation is ``offer_other_organisation``,
    anything else not in the catalogue ``unknown_offer`` (both 422)."""
    value = value.strip()
    if not value:
        return None
    own = decidable_offers(organisation_id)
    wanted = _by_uuid(value)
    for offer in own:
        if offer.key == value or offer.uuid == wanted:
            return offer
    theirs = _source(None, wanted) if wanted is not None and _source is not None else []
    if any(o.organisation_id != organisation_id for o in theirs):
        raise ValidationFailed(
            "offer_other_organisation",
            _("That offer belongs to another organisation's catalogue."),
            field=field,
        )
    raise ValidationFailed(
        "unknown_offer",
        _("Choose an offer from the organisation's catalogue."),
        field=field,
        details={"available": [o.key for o in own]},
    )


def offer_choices(organisation_id: int) -> list[tuple[str, str]]:
    """The offers as form choices: (key, name)."""
    return [(o.key, o.name) for o in decidable_offers(organisation_id)]
