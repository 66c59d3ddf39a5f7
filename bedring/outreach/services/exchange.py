"""The needle exchange (HRM-1, HRM-9): transactions at a point and the point's stock.
Keyword-only, typed, one transaction each; django-auditlog keeps old and new values.

Rules decided here where the sources are silent:

* **Anonymous by default.** Nothing identifying is asked. A participant code is optional; it
  is a code, not a name: 1 to 32 letters, digits or hyphens, kept in capitals
  (``participant_code_invalid`` for anything else, such as a name with a space).
* **What a point hands out** is what the pack says it stocks (``item_not_stocked``); used
  equipment is taken back at any point, of any returnable item of the pack: a used syringe
  turned away is the worst outcome. Returns are counted, or estimated (a full container).
* **A transaction records something**: an item out or back, advice or a referral
  (``transaction_empty``).
* **Time**: not in the future (a phone's clock may run ten minutes fast) nor older than 60
  days (``contacts.check_moment``).
* **Idempotent upload**, as street contacts: the same ``offline_id`` sent twice stores one
  transaction; another organisation's id is 409 ``offline_id_taken``.
* **Stock short: a warning, not a refusal.** A transaction that hands out more than the book
  says is on the shelf is recorded, and the answer lists each item short
  (``ExchangeResult.short``) for the page and the API to show. The items did leave the
  counter; refusing would turn a person away for a missing delivery record, and a phone's
  queue sent later must never be refused for the book. A level below zero stays visible on
  the point's page until someone records the delivery or counts the shelf.
* **Stock**: deliveries, waste (with a reason) and counts; handouts only by a transaction
  (a database constraint too). A count answers the book's level at its moment, so the
  difference shows at once.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from bedring.core.roles import Perm

from ..models import (
    ExchangeMovementKind,
    ExchangePoint,
    ExchangeStockMovement,
    ExchangeTransaction,
)
from ..selectors_exchange import stock_levels
from .contacts import check_items, check_moment, hold_uploads, spec_for

CODE = re.compile(r"^[A-Z0-9-]{1,32}$")
REFERRAL_MAX = 200
NOTE_MAX = 300
# A delivery is counted in single items; a pallet of syringes stays under this.
MAX_STOCK_QUANTITY = 100_000
STOCK_KINDS = (
    ExchangeMovementKind.DELIVERED,
    ExchangeMovementKind.WASTED,
    ExchangeMovementKind.COUNTED,
)


@dataclass(frozen=True)
class Short:
    """An item handed out beyond what the book says was on the shelf."""

    item: str
    on_shelf: int
    handed_out: int


@dataclass(frozen=True)
class ExchangeResult:
    transaction: ExchangeTransaction
    created: bool
    short: list[Short] = field(default_factory=list)


@dataclass(frozen=True)
class StockResult:
    movement: ExchangeStockMovement
    # For a count: what the book said at its moment (None: the item was not kept before).
    expected: int | None = None

    @property
    def difference(self) -> int | None:
        if self.movement.kind != ExchangeMovementKind.COUNTED or self.expected is None:
            return None
        return self.movement.quantity - self.expected


def _check_point(point: ExchangePoint, organisation: Organisation, actor: User) -> None:
    if point.organisation_id != organisation.pk:
        raise NotFound("point_not_found", _("No such exchange point here."), field="point")
    if not may(actor, Perm.HARM_REDUCTION, organisation.pk):
        raise Forbidden("not_harm_reduction_staff", _("Your role does not work at the exchange."))
    if not point.is_active:
        raise ValidationFailed(
            "point_inactive",
            _("This exchange point is no longer in use."),
            field="point",
        )


def normalise_code(code: str) -> str:
    """A participant code as stored: trimmed, in capitals; "" for none. Refused when it is not
    1 to 32 letters (A-Z), digits or hyphens."""
    cleaned = code.strip().upper()
    if cleaned and not CODE.match(cleaned):
        raise ValidationFailed(
            "participant_code_invalid",
            _("A participant code is 1 to 32 letters, digits or hyphens, never a name."),
            field="participant_code",
        )
    return cleaned


def _stored(offline_id: uuid.UUID, organisation: Organisation) -> ExchangeTransaction | None:
    stored = ExchangeTransaction.objects.filter(offline_id=offline_id).first()
    if stored is not None and stored.organisation_id != organisation.pk:
        raise Conflict("offline_id_taken", _("This transaction id is already used."))
    return stored


@transaction.atomic
def exchange_record(
    *,
    organisation: Organisation,
    point: ExchangePoint,
    actor: User,
    at: datetime.datetime,
    items_out: Mapping[str, object] | None = None,
    items_back: Mapping[str, object] | None = None,
    returned_estimated: bool = False,
    participant_code: str = "",
    advice: bool = False,
    referral: str = "",
    offline_id: uuid.UUID | None = None,
) -> ExchangeResult:
    """HRM-9: one exchange at a point: items out (each writes a ``handed_out`` stock movement),
    used items back, advice, a referral. Answers the transaction, whether it is new (False:
    the same ``offline_id`` was stored before and nothing was written) and the items handed
    out beyond the book's level (a warning: see the module)."""
    if offline_id is not None:
        hold_uploads(organisation)
        stored = _stored(offline_id, organisation)
        if stored is not None:
            return ExchangeResult(stored, created=False)
    _check_point(point, organisation, actor)
    spec = spec_for(organisation)
    check_moment(organisation, at)
    code = normalise_code(participant_code)
    out = check_items(spec, items_out or {}, field="items_out")
    missing = [key for key in out if key not in point.items]
    if missing:
        raise ValidationFailed(
            "item_not_stocked",
            _("%(item)s is not handed out at this point.") % {"item": missing[0]},
            field="items_out",
        )
    back = check_items(spec, items_back or {}, field="items_back", returned=True)
    referral = referral.strip()
    if len(referral) > REFERRAL_MAX:
        raise ValidationFailed(
            "referral_too_long",
            _("Say where to in at most 200 characters."),
            field="referral",
        )
    if not (out or back or advice or referral):
        raise ValidationFailed(
            "transaction_empty",
            _("Record at least one item out or back, advice or a referral."),
            field="items_out",
        )
    before = stock_levels([point.pk], items=out).get(point.pk, {})
    short = [
        Short(item=key, on_shelf=level, handed_out=count)
        for key, count in out.items()
        if (level := before[key].level if key in before else None) is not None and count > level
    ]
    try:
        with transaction.atomic():
            record = ExchangeTransaction.objects.create(
                organisation=organisation,
                point=point,
                at=at,
                participant_code=code,
                items_out=out,
                items_back=back,
                # Only returns can be estimated: a flag without any would mean nothing.
                returned_estimated=bool(returned_estimated and back),
                advice=advice,
                referral=referral,
                recorded_by=actor,
                offline_id=offline_id,
            )
    except IntegrityError:
        # The same offline_id sent twice at once: the other request stored it first.
        if offline_id is None:
            raise
        stored = _stored(offline_id, organisation)
        if stored is None:
            raise
        return ExchangeResult(stored, created=False)
    # Derived rows of an audited transaction: one insert, no change-log row of their own.
    ExchangeStockMovement.objects.bulk_create(
        [
            ExchangeStockMovement(
                organisation=organisation,
                point=point,
                item=key,
                kind=ExchangeMovementKind.HANDED_OUT,
                quantity=count,
                at=at,
                actor=actor,
                transaction=record,
            )
            for key, count in out.items()
        ]
    )
    return ExchangeResult(record, created=True, short=short)


@transaction.atomic
def exchange_stock_record(
    *,
    organisation: Organisation,
    point: ExchangePoint,
    actor: User,
    item: str,
    kind: str,
    quantity: object,
    at: datetime.datetime | None = None,
    note: str = "",
) -> StockResult:
    """HRM-9, as MED-2: a delivery, waste (with a reason) or a count of one item at a point.
    Handouts are written by transactions, never here."""
    _check_point(point, organisation, actor)
    spec = spec_for(organisation)
    if kind not in STOCK_KINDS:
        raise ValidationFailed(
            "bad_movement",
            _("Record a delivery, waste or a count; handouts are recorded as transactions."),
            field="kind",
        )
    if item not in {i.key for i in spec.items}:
        raise ValidationFailed(
            "unknown_item",
            _("%(item)s is not an item of this service.") % {"item": item},
            field="item",
        )
    if item not in point.items:
        raise ValidationFailed(
            "item_not_stocked",
            _("%(item)s is not handed out at this point.") % {"item": item},
            field="item",
        )
    least = 0 if kind == ExchangeMovementKind.COUNTED else 1
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not least <= quantity <= MAX_STOCK_QUANTITY
    ):
        raise ValidationFailed(
            "quantity_invalid",
            _("The quantity is a whole number from %(least)s to %(most)s.")
            % {"least": least, "most": MAX_STOCK_QUANTITY},
            field="quantity",
        )
    moment = at or clock.now()
    check_moment(organisation, moment)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            "note_too_long", _("A note has at most 300 characters."), field="note"
        )
    if kind == ExchangeMovementKind.WASTED and not note:
        raise ValidationFailed(
            "waste_reason_required",
            _("Say why the items were wasted or lost."),
            field="note",
        )
    expected = None
    if kind == ExchangeMovementKind.COUNTED:
        expected = stock_levels([point.pk], until=moment, items=[item])[point.pk].get(item)
    movement = ExchangeStockMovement.objects.create(
        organisation=organisation,
        point=point,
        item=item,
        kind=kind,
        quantity=quantity,
        at=moment,
        actor=actor,
        note=note,
    )
    return StockResult(movement, expected=expected.level if expected is not None else None)
