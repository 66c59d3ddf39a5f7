"""The needle-exchange network in the demo installation (HRM-1, HRM-9): eight weeks of
deliveries, exchanges and counts at every point of an organisation that has exchange points
(MSOC Oostende's network), through the services, dated back from the clock so that the
network page, the stock and the figures have something on them whenever the demo is loaded.

Deterministic: a random generator seeded with the organisation's slug, whatever else the
demo draws. Synthetic only: the participant codes are invented. A second load adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.hours import WeeklyHours
from bedring.outreach.models import ExchangePoint, ExchangeTransaction, PointKind
from bedring.outreach.selectors import outreach_spec
from bedring.outreach.selectors_exchange import weekly_hours
from bedring.outreach.services.exchange import exchange_record, exchange_stock_record

DEMO_DAYS = 55  # within the 60 days a time may lie in the past
# Exchanges per opening day, by kind of point: the MSOC's counter is busiest.
PER_DAY = {
    PointKind.OWN_SITE: (3, 8),
    PointKind.PHARMACY: (1, 4),
    PointKind.STREET_WORK: (2, 5),
    PointKind.CITY_SERVICE: (0, 2),
    PointKind.DEDICATED: (1, 4),
    PointKind.MACHINE: (1, 5),
    PointKind.PARTNER_VENUE: (1, 4),
}
BOX = 500  # a delivery: one box of each item
LOW = 120  # below this the coordinator delivers a box
CODES_PER_POINT = 14


def _moment(
    day: datetime.date, hours: WeeklyHours, rng: random.Random, zone: datetime.tzinfo
) -> datetime.datetime | None:
    intervals = hours.get(day.weekday(), ())
    if not intervals:
        return None
    interval = rng.choice(list(intervals))
    start = interval.start.hour * 60 + interval.start.minute
    end = interval.end.hour * 60 + interval.end.minute
    minute = rng.randrange(start, max(start + 1, end))
    return datetime.datetime.combine(
        day, datetime.time(minute // 60, minute % 60), tzinfo=zone
    ) + datetime.timedelta(seconds=rng.randrange(60))


def _items_out(point: ExchangePoint, rng: random.Random) -> dict[str, int]:
    stocked = set(point.items)
    syringes = [k for k in ("syringe-1ml", "syringe-2ml", "syringe") if k in stocked]
    out: dict[str, int] = {}
    if syringes:
        count = rng.choice([5, 10, 10, 10, 20, 20, 30])
        size = syringes[0] if len(syringes) == 1 or rng.random() < 0.7 else syringes[1]
        out[size] = count
        if "needle" in stocked:
            out["needle"] = count
        if "swab" in stocked:
            out["swab"] = count
        if "sterile-water" in stocked:
            out["sterile-water"] = max(1, count // 2)
    for key, chance, amount in (
        ("sharps-container", 0.3, 1),
        ("foil", 0.2, 5),
        ("naloxone-kit", 0.05, 1),
        ("condom", 0.2, 3),
    ):
        if key in stocked and rng.random() < chance:
            out[key] = amount
    return out


def _items_back(out: dict[str, int], rng: random.Random) -> tuple[dict[str, int], bool]:
    """Used equipment back: most bring about as much as they take; a full container is
    estimated, not counted."""
    back: dict[str, int] = {}
    if rng.random() < 0.15:
        return back, False
    for key in ("syringe-1ml", "syringe-2ml", "syringe", "needle"):
        if key in out:
            back[key] = max(0, round(out[key] * rng.uniform(0.5, 1.1)))
    return back, rng.random() < 0.25


def _deliver(
    organisation: Organisation,
    point: ExchangePoint,
    worker: User,
    levels: dict[str, int],
    at: datetime.datetime,
) -> None:
    """A box of every item that runs low, in the morning."""
    for item in point.items:
        if levels[item] < LOW:
            exchange_stock_record(
                organisation=organisation,
                point=point,
                actor=worker,
                item=item,
                kind="delivered",
                quantity=BOX,
                at=at,
                note="Demo: delivery from the MSOC's store",
            )
            levels[item] += BOX


def demo_exchange(organisation: Organisation) -> None:
    """Eight weeks of the organisation's exchange network, up to now."""
    if ExchangeTransaction.objects.filter(organisation=organisation).exists():
        return
    spec = outreach_spec(organisation)
    points = list(
        ExchangePoint.objects.filter(organisation=organisation, is_active=True).order_by("key")
    )
    if spec is None or not points:
        return
    worker = User.objects.get(username=f"{organisation.slug}.dropin_worker")
    rng = random.Random(f"exchange:{organisation.slug}")
    zone = clock.zone(organisation)
    now = clock.now()
    today = now.astimezone(zone).date()
    first = today - datetime.timedelta(days=DEMO_DAYS)
    for point in points:
        levels: dict[str, int] = defaultdict(int)
        codes = [f"{point.key[:3].upper()}-{n:02d}" for n in range(1, CODES_PER_POINT + 1)]
        weights = [CODES_PER_POINT - n for n in range(CODES_PER_POINT)]  # some come often

        hours = weekly_hours(point)
        low, high = PER_DAY.get(PointKind(point.kind), (1, 4))
        for offset in range(DEMO_DAYS + 1):
            day = first + datetime.timedelta(days=offset)
            morning = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=zone)
            if morning > now:
                break
            _deliver(organisation, point, worker, levels, morning)
            moments = sorted(
                m
                for m in (_moment(day, hours, rng, zone) for _n in range(rng.randint(low, high)))
                if m is not None and m <= now
            )
            for at in moments:
                out = _items_out(point, rng)
                back, estimated = _items_back(out, rng)
                coded = rng.random() < 0.55
                exchange_record(
                    organisation=organisation,
                    point=point,
                    actor=worker,
                    at=at,
                    items_out=out,
                    items_back=back,
                    returned_estimated=estimated,
                    participant_code=rng.choices(codes, weights)[0] if coded else "",
                    advice=rng.random() < 0.3,
                    referral="MSOC intake" if rng.random() < 0.04 else "",
                )
                for key, count in out.items():
                    levels[key] -= count
            # Every other Friday evening the shelf is counted; now and then a few are missing.
            if day.weekday() == 4 and offset % 14 < 7:
                evening = datetime.datetime.combine(day, datetime.time(20, 0), tzinfo=zone)
                if evening <= now:
                    for item in point.items:
                        counted = max(0, levels[item] - rng.choice([0, 0, 0, 1, 2]))
                        exchange_stock_record(
                            organisation=organisation,
                            point=point,
                            actor=worker,
                            item=item,
                            kind="counted",
                            quantity=counted,
                            at=evening,
                        )
                        levels[item] = counted
