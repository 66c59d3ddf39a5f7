"""The demo's needle-exchange network (HRM-9): some weeks of deliveries, exchanges and counts
at every MSOC point, dated back from the clock, the same on every load of the same day, and a
second load adds nothing."""

from __future__ import annotations

import datetime

from bedring.core import clock
from bedring.demo.demo_data import load_demo
from bedring.demo.exchange import demo_exchange
from bedring.outreach.models import ExchangePoint, ExchangeStockMovement, ExchangeTransaction
from tests.conftest import TODAY


def snapshot(slug: str) -> list[tuple[str, str, object, object, str]]:
    return list(
        ExchangeTransaction.objects.filter(organisation__slug=slug)
        .order_by("at", "point__key")
        .values_list("point__key", "participant_code", "items_out", "items_back", "referral")
    )


def test_the_demo_has_weeks_of_exchanges_and_stock_at_every_msoc_point(db):
    load_demo(clients_per_organisation=3)
    msoc = ExchangeTransaction.objects.filter(organisation__slug="msoc-oostende")
    points = ExchangePoint.objects.filter(organisation__slug="msoc-oostende", is_active=True)
    assert set(msoc.values_list("point__key", flat=True)) == set(
        points.values_list("key", flat=True)
    )
    days = {t.astimezone(clock.zone()).date() for t in msoc.values_list("at", flat=True)}
    assert min(days) >= TODAY - datetime.timedelta(days=56) and max(days) <= TODAY
    assert (max(days) - min(days)).days >= 42  # some weeks
    assert msoc.exclude(participant_code="").exists() and msoc.filter(participant_code="").exists()
    assert msoc.filter(returned_estimated=True).exists()
    moves = ExchangeStockMovement.objects.filter(organisation__slug="msoc-oostende")
    assert {"delivered", "handed_out", "counted"} <= set(moves.values_list("kind", flat=True))
    assert all(t <= clock.now() for t in msoc.values_list("at", flat=True))
    before = snapshot("msoc-oostende")
    load_demo(clients_per_organisation=3)
    assert snapshot("msoc-oostende") == before


def test_the_same_day_gives_the_same_exchanges(db):
    """Seeded by the organisation: deleting and loading again on the same day draws the
    same exchanges."""
    load_demo(clients_per_organisation=3)
    first = snapshot("msoc-oostende")
    ExchangeStockMovement.objects.all().delete()
    ExchangeTransaction.objects.all().delete()
    organisation = ExchangePoint.objects.filter(organisation__slug="msoc-oostende")[0].organisation
    demo_exchange(organisation)
    assert snapshot("msoc-oostende") == first and len(first) > 500
