"""HRM-9: the needle-exchange services: a transaction at a point (anonymous by default,
idempotent by offline_id), the refusals with their codes and nothing written, and the point's
stock (deliveries, waste, counts, the level as the last count plus movements since)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from bedring.core.roles import Role
from bedring.outreach.models import (
    ExchangeMovementKind,
    ExchangePoint,
    ExchangeStockMovement,
    ExchangeTransaction,
)
from bedring.outreach.selectors_exchange import stock_levels
from tests.outreach.exchange_fixtures import record, stock

pytestmark = pytest.mark.django_db


def writes() -> tuple[int, int]:
    return ExchangeTransaction.objects.count(), ExchangeStockMovement.objects.count()


def test_an_anonymous_exchange_writes_one_handout_movement_per_item(
    counter: ExchangePoint, worker: User
) -> None:
    """HRM-9: items out, used items back, advice; nothing identifying asked."""
    result = record(
        counter,
        worker,
        items_out={"syringe-1ml": 10, "needle": 10, "swab": 0, "condom": 2},
        items_back={"syringe-1ml": 8},
        advice=True,
    )
    t = result.transaction
    assert result.created and result.short == []
    assert t.participant_code == "" and t.items_out == {
        "syringe-1ml": 10,
        "needle": 10,
        "condom": 2,
    }
    assert t.items_back == {"syringe-1ml": 8} and t.advice and not t.returned_estimated
    moves = ExchangeStockMovement.objects.filter(transaction=t).order_by("item")
    assert [(m.item, m.kind, m.quantity) for m in moves] == [
        ("condom", "handed_out", 2),
        ("needle", "handed_out", 10),
        ("syringe-1ml", "handed_out", 10),
    ]
    assert all(m.at == t.at and m.point_id == counter.pk for m in moves)


def test_a_participant_code_is_kept_in_capitals_and_an_estimate_needs_returns(
    counter: ExchangePoint, worker: User
) -> None:
    t = record(
        counter,
        worker,
        participant_code=" ab-12 ",
        items_back={"syringe-2ml": 30},
        returned_estimated=True,
        referral=" MSOC intake ",
    ).transaction
    assert t.participant_code == "AB-12" and t.returned_estimated and t.referral == "MSOC intake"
    lone = record(counter, worker, advice=True, returned_estimated=True).transaction
    assert not lone.returned_estimated


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"items_out": {"bazooka": 1}}, "unknown_item", "items_out"),
        ({"items_out": {"syringe-1ml": -1}}, "item_count_invalid", "items_out"),
        ({"items_out": {"syringe-1ml": 1001}}, "item_count_invalid", "items_out"),
        ({"items_out": {"syringe-1ml": 2.5}}, "item_count_invalid", "items_out"),
        ({"items_out": {"syringe-1ml": True}}, "item_count_invalid", "items_out"),
        ({"items_out": {"syringe-1ml": "3"}}, "item_count_invalid", "items_out"),
        ({"items_out": {"naloxone-kit": 1}}, "item_not_stocked", "items_out"),
        ({"items_back": {"swab": 3}}, "item_not_returnable", "items_back"),
        ({"items_back": {"needle": -4}}, "item_count_invalid", "items_back"),
        ({"participant_code": "Jan Peeters"}, "participant_code_invalid", "participant_code"),
        ({"participant_code": "X" * 33}, "participant_code_invalid", "participant_code"),
        ({"referral": "x" * 201}, "referral_too_long", "referral"),
        ({"at": "future"}, "at_in_future", "at"),
        ({"at": "old"}, "at_too_old", "at"),
        ({"items_out": {}, "advice": False}, "transaction_empty", "items_out"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_writes_nothing(
    pharmacy: ExchangePoint,
    worker: User,
    change: dict[str, Any],
    code: str,
    field: str,
) -> None:
    """HRM-9: the pharmacy stocks no naloxone; every refusal names its field."""
    stock(pharmacy, worker, "syringe-1ml", "delivered", 100)
    data: dict[str, Any] = {"items_out": {"syringe-1ml": 2, "needle": 2}}
    data.update(change)
    if data.get("at") == "future":
        data["at"] = clock.now() + datetime.timedelta(minutes=11)
    elif data.get("at") == "old":
        data["at"] = clock.now() - datetime.timedelta(days=61)
    before = writes()
    with pytest.raises(ValidationFailed) as caught:
        record(pharmacy, worker, **data)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert writes() == before


def test_another_organisations_point_is_not_found_and_writes_nothing(
    counter: ExchangePoint, org_dk: Organisation, make_staff: Any
) -> None:
    """PRV-1: a point of MSOC recorded as Sønderborg is 404-style, its existence not told."""
    danish = make_staff(org_dk, Role.STREET_NURSE)
    before = writes()
    with pytest.raises(NotFound) as caught:
        record(counter, danish, organisation=org_dk, items_out={"syringe-1ml": 1})
    assert caught.value.code == "point_not_found"
    with pytest.raises(NotFound):
        stock(counter, danish, "syringe-1ml", "delivered", 5, organisation=org_dk)
    assert writes() == before


def test_a_role_without_harm_reduction_and_a_retired_point_are_refused(
    counter: ExchangePoint, msoc: Organisation, make_staff: Any, worker: User
) -> None:
    doctor = make_staff(msoc, Role.DOCTOR)
    with pytest.raises(Forbidden) as caught:
        record(counter, doctor, items_out={"syringe-1ml": 1})
    assert caught.value.code == "not_harm_reduction_staff"
    ExchangePoint.objects.filter(pk=counter.pk).update(is_active=False)
    counter.refresh_from_db()
    before = writes()
    with pytest.raises(ValidationFailed) as refused:
        record(counter, worker, items_out={"syringe-1ml": 1})
    assert (refused.value.code, refused.value.field) == ("point_inactive", "point")
    with pytest.raises(ValidationFailed):
        stock(counter, worker, "syringe-1ml", "delivered", 5)
    assert writes() == before


def test_the_same_offline_id_twice_stores_one_exchange(
    counter: ExchangePoint, worker: User, org_dk: Organisation, make_staff: Any
) -> None:
    """HRM-8, HRM-9: a phone's queue may send an exchange twice; it is stored once."""
    offline_id = uuid.uuid4()
    first = record(counter, worker, items_out={"syringe-1ml": 5}, offline_id=offline_id)
    again = record(counter, worker, items_out={"syringe-1ml": 5}, offline_id=offline_id)
    assert first.created and not again.created
    assert again.transaction.pk == first.transaction.pk
    assert ExchangeStockMovement.objects.filter(kind="handed_out").count() == 1
    danish = make_staff(org_dk, Role.STREET_NURSE)
    with pytest.raises(Conflict) as caught:
        record(counter, danish, organisation=org_dk, advice=True, offline_id=offline_id)
    assert caught.value.code == "offline_id_taken"


def test_handing_out_more_than_the_book_is_recorded_with_a_warning(
    counter: ExchangePoint, worker: User
) -> None:
    """Decided: stock short is a warning, not a refusal (the items did leave the counter)."""
    stock(counter, worker, "syringe-1ml", "delivered", 10)
    result = record(counter, worker, items_out={"syringe-1ml": 15, "condom": 3})
    assert result.created
    # Condoms were never delivered nor counted here: their stock is not kept, no warning.
    assert [(s.item, s.on_shelf, s.handed_out) for s in result.short] == [("syringe-1ml", 10, 15)]
    level = stock_levels([counter.pk])[counter.pk]
    assert level["syringe-1ml"].level == -5
    assert level["condom"].level is None


def test_the_level_is_the_last_count_plus_the_movements_after_it(
    counter: ExchangePoint, worker: User
) -> None:
    """HRM-9 as MED-2: a count resets the book; what happened before it no longer adds up; a
    transaction sent later with an earlier time falls before the count, as on the shelf."""
    now = clock.now()
    stock(counter, worker, "needle", "delivered", 100, at=now - datetime.timedelta(hours=5))
    record(counter, worker, items_out={"needle": 30}, at=now - datetime.timedelta(hours=4))
    counted = stock(counter, worker, "needle", "counted", 65, at=now - datetime.timedelta(hours=2))
    assert (counted.expected, counted.difference) == (70, -5)
    stock(counter, worker, "needle", "delivered", 50, at=now - datetime.timedelta(hours=1))
    stock(
        counter,
        worker,
        "needle",
        "wasted",
        4,
        note="Packs torn",
        at=now - datetime.timedelta(minutes=50),
    )
    record(counter, worker, items_out={"needle": 10}, at=now - datetime.timedelta(minutes=30))
    # Sent from a phone afterwards, handed out before the count.
    record(counter, worker, items_out={"needle": 7}, at=now - datetime.timedelta(hours=3))
    level = stock_levels([counter.pk])[counter.pk]["needle"]
    assert (level.counted, level.delivered, level.handed_out, level.wasted) == (65, 50, 10, 4)
    assert level.level == 65 + 50 - 10 - 4
    # As of an hour and a half ago: the count only.
    earlier = stock_levels([counter.pk], until=now - datetime.timedelta(minutes=90))
    assert earlier[counter.pk]["needle"].level == 65


@pytest.mark.parametrize(
    ("item", "kind", "quantity", "note", "code", "field"),
    [
        ("syringe-1ml", "handed_out", 5, "", "bad_movement", "kind"),
        ("syringe-1ml", "stolen", 5, "", "bad_movement", "kind"),
        ("bazooka", "delivered", 5, "", "unknown_item", "item"),
        ("naloxone-kit", "delivered", 5, "", "item_not_stocked", "item"),
        ("syringe-1ml", "delivered", 0, "", "quantity_invalid", "quantity"),
        ("syringe-1ml", "delivered", -3, "", "quantity_invalid", "quantity"),
        ("syringe-1ml", "delivered", 100_001, "", "quantity_invalid", "quantity"),
        ("syringe-1ml", "delivered", 2.5, "", "quantity_invalid", "quantity"),
        ("syringe-1ml", "counted", -1, "", "quantity_invalid", "quantity"),
        ("syringe-1ml", "wasted", 3, "  ", "waste_reason_required", "note"),
        ("syringe-1ml", "delivered", 3, "x" * 301, "note_too_long", "note"),
    ],
)
def test_bad_stock_input_is_refused_with_its_code_and_writes_nothing(
    pharmacy: ExchangePoint,
    worker: User,
    item: str,
    kind: str,
    quantity: Any,
    note: str,
    code: str,
    field: str,
) -> None:
    before = writes()
    with pytest.raises(ValidationFailed) as caught:
        stock(pharmacy, worker, item, kind, quantity, note=note)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert writes() == before


def test_a_stock_movement_in_the_future_is_refused(pharmacy: ExchangePoint, worker: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        stock(
            pharmacy, worker, "swab", "delivered", 5, at=clock.now() + datetime.timedelta(hours=1)
        )
    assert caught.value.code == "at_in_future"


def test_a_count_of_zero_is_a_count_and_a_handout_needs_its_transaction(
    pharmacy: ExchangePoint, worker: User
) -> None:
    result = stock(pharmacy, worker, "swab", ExchangeMovementKind.COUNTED, 0)
    assert result.movement.quantity == 0 and result.expected is None and result.difference is None
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeStockMovement.objects.create(
            organisation=pharmacy.organisation,
            point=pharmacy,
            item="swab",
            kind=ExchangeMovementKind.HANDED_OUT,
            quantity=3,
            at=clock.now(),
            actor=worker,
        )
