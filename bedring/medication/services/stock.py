"""Stock (MED-2): received, wasted (with a witness), returned or counted on the shelf.
Dispensed stock is written by the dispensing itself, never by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Site, User
from bedring.core import clock
from bedring.core.errors import Forbidden, ValidationFailed
from bedring.core.roles import Perm

from ..models import Medicine, MovementKind, StockMovement

BAD_MOVEMENT = _(
    "Record received, wasted, returned or counted stock; doses are dispensed at the desk."
)

MANUAL_MOVEMENTS = (
    MovementKind.RECEIVED,
    MovementKind.WASTED,
    MovementKind.RETURNED,
    MovementKind.COUNTED,
)


@transaction.atomic
def stock_record(
    *,
    site: Site,
    medicine: Medicine,
    actor: User,
    kind: str,
    quantity: Decimal,
    witness: User | None = None,
    batch: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> StockMovement:
    """MED-2: stock received, wasted (with a witness who is another staff member of the
    organisation), returned, or counted on the shelf. Dispensed stock is written by the
    dispensing itself, never by hand."""
    if not may(actor, Perm.STOCK, site.organisation_id):
        raise Forbidden("not_stock_staff", _("Your role does not keep the stock."))
    if kind not in MANUAL_MOVEMENTS:
        raise ValidationFailed(
            "bad_movement",
            BAD_MOVEMENT,
            field="kind",
        )
    if not quantity.is_finite() or quantity < 0 or (quantity == 0 and kind != MovementKind.COUNTED):
        raise ValidationFailed(
            "quantity_not_positive", _("The quantity must be more than 0."), field="quantity"
        )
    if quantity >= Decimal("10000000000") or quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationFailed(
            "quantity_precision",
            _("The quantity has at most two decimals and ten digits."),
            field="quantity",
        )
    if kind == MovementKind.WASTED:
        if witness is None:
            raise ValidationFailed(
                "witness_required", _("Wasted medicine needs a witness."), field="witness"
            )
        if witness.pk == actor.pk:
            raise ValidationFailed(
                "witness_is_actor", _("The witness must be someone else."), field="witness"
            )
        if not may(witness, Perm.STOCK, site.organisation_id):
            raise ValidationFailed(
                "witness_not_staff",
                _("The witness must be a nurse, doctor or manager of the organisation."),
                field="witness",
            )
    return StockMovement.objects.create(
        organisation_id=site.organisation_id,
        site=site,
        medicine=medicine,
        kind=kind,
        quantity=quantity,
        at=at or clock.now(),
        actor=actor,
        witness=witness if kind == MovementKind.WASTED else None,
        batch=batch.strip()[:60],
        note=note.strip()[:300],
    )
