"""Reads of the needle-exchange network (HRM-1, HRM-9): a point as the staff may see it, its
hours today, its stock, its transactions, and the rows the figures are computed from.

Every read here issues a fixed number of queries whatever the number of transactions or
movements (tests/outreach/test_exchange_queries.py).

**Stock**, as the medication stock (MED-2): the level of an item at a point is its last count
plus what was delivered since, minus what was handed out and wasted since, in the order of the
movements' moments (``at``, then the order they were recorded). A transaction sent from a
phone later with an earlier time therefore falls before a count made meanwhile, as it did on
the shelf. An item never counted nor delivered at a point has no level ("not kept"): a partner
pharmacy may hand out from its own shelf without Bedring keeping its stock.

**Hours**: a point has its own weekly hours (the pack). A point at one of the organisation's
sites is closed when the site is (its configured closed days, and public holidays unless the
site opens on them); another point is closed on public holidays, as its hours are a partner's
ordinary week; a machine is never closed.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404

from bedring.accounts.access import Staff
from bedring.accounts.models import ClosedDay, Organisation
from bedring.core import calendar, clock
from bedring.core.hours import (
    Interval,
    WeeklyHours,
    closing_time,
    is_open_at,
    next_opening,
    parse_intervals,
)
from bedring.core.roles import Perm
from bedring.rules.packs import WEEKDAY_KEYS

from .models import (
    ExchangeMovementKind,
    ExchangePoint,
    ExchangeStockMovement,
    ExchangeTransaction,
    PointKind,
)
from .packs import ItemIn, OutreachIn, label

# --- access ----------------------------------------------------------------------------------


def point_for(
    staff: Staff,
    point_uuid: uuid_lib.UUID | str,
    *,
    organisation_ids: Iterable[int],
    perm: Perm = Perm.HARM_REDUCTION,
) -> ExchangePoint:
    """A point of one of ``organisation_ids`` (pages: the active organisation; the API: every
    membership). Another organisation's point is 404, its existence not revealed; a member
    without ``perm`` is 403. A retired point is found (its history stays readable); the
    services refuse to record at it."""
    try:
        point = ExchangePoint.objects.select_related("organisation", "site").get(
            uuid=point_uuid, organisation_id__in=list(organisation_ids)
        )
    except (ExchangePoint.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    if not staff.can(perm, point.organisation_id):
        raise PermissionDenied
    return point


def active_points(organisation: Organisation | int) -> QuerySet[ExchangePoint]:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return (
        ExchangePoint.objects.filter(organisation_id=org_id, is_active=True)
        .select_related("organisation", "site")
        .order_by("name")
    )


def item_names(spec: OutreachIn | None, language: str | None) -> dict[str, str]:
    """The pack's item keys and their names in ``language``, in the pack's order."""
    return {} if spec is None else {i.key: label(i.name.as_dict(), language) for i in spec.items}


def items_of(spec: OutreachIn | None) -> dict[str, ItemIn]:
    return {} if spec is None else {i.key: i for i in spec.items}


# --- hours ------------------------------------------------------------------------------------


def weekly_hours(point: ExchangePoint) -> WeeklyHours:
    """The point's ``{"mon": "09:00-12:00", ...}`` as weekday -> intervals (validated on load)."""
    return {
        weekday: parse_intervals(point.hours.get(key, ""))
        for weekday, key in enumerate(WEEKDAY_KEYS)
    }


@dataclass(frozen=True)
class PointCalendar:
    """What decides whether a point is open: its week and the days it is closed."""

    hours: WeeklyHours
    is_closed_day: Callable[[datetime.date], bool]


def _closed_days(organisation: Organisation) -> dict[int | None, set[datetime.date]]:
    """The organisation's configured closed days per site (None: every site): one query."""
    found: dict[int | None, set[datetime.date]] = defaultdict(set)
    for site_id, day in ClosedDay.objects.filter(organisation=organisation).values_list(
        "site_id", "date"
    ):
        found[site_id].add(day)
    return found


def point_calendar(
    point: ExchangePoint, closed: Mapping[int | None, set[datetime.date]]
) -> PointCalendar:
    jurisdiction = point.organisation.jurisdiction
    if point.kind == PointKind.MACHINE:
        return PointCalendar(weekly_hours(point), lambda _day: False)
    site = point.site
    if site is not None:
        days = closed.get(None, set()) | closed.get(site.pk, set())
        opens_on_holidays = site.open_on_public_holidays

        def site_closed(day: datetime.date) -> bool:
            return day in days or (
                not opens_on_holidays and calendar.is_public_holiday(day, jurisdiction)  # type: ignore[arg-type]
            )

        return PointCalendar(weekly_hours(point), site_closed)
    return PointCalendar(
        weekly_hours(point),
        lambda day: calendar.is_public_holiday(day, jurisdiction),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class OpenState:
    """Whether a point is open at a moment, until when, or when it opens next (local, naive)."""

    now: datetime.datetime
    today: tuple[Interval, ...]
    closed_today: bool  # a closed day (holiday, configured), whatever the weekly hours say
    is_open: bool
    closes_at: datetime.datetime | None
    opens_at: datetime.datetime | None


def open_state(cal: PointCalendar, local_now: datetime.datetime) -> OpenState:
    """Pure: ``local_now`` is the organisation's wall clock, naive."""
    day = local_now.date()
    closed_today = cal.is_closed_day(day)
    today = () if closed_today else tuple(sorted(cal.hours.get(day.weekday(), ())))
    is_open = is_open_at(cal.hours, local_now, cal.is_closed_day)
    return OpenState(
        now=local_now,
        today=today,
        closed_today=closed_today,
        is_open=is_open,
        closes_at=closing_time(cal.hours, local_now, cal.is_closed_day) if is_open else None,
        opens_at=None
        if is_open
        else next_opening(cal.hours, local_now, cal.is_closed_day, horizon_days=14),
    )


# --- stock ------------------------------------------------------------------------------------


@dataclass
class StockLevel:
    """One item at one point: the last count and the movements since (see the module)."""

    item: str
    counted: int | None = None
    counted_at: datetime.datetime | None = None
    delivered: int = 0
    handed_out: int = 0
    wasted: int = 0

    @property
    def kept(self) -> bool:
        return self.counted is not None or self.delivered > 0

    @property
    def level(self) -> int | None:
        if not self.kept:
            return None
        return (self.counted or 0) + self.delivered - self.handed_out - self.wasted


def stock_levels(
    point_ids: Sequence[int],
    *,
    until: datetime.datetime | None = None,
    items: Iterable[str] | None = None,
) -> dict[int, dict[str, StockLevel]]:
    """Per point and item, the last count (at or before ``until``) and the movements after it
    up to ``until``. Three queries whatever the history, each reading along an index only
    what it needs: the moments of the last counts (index point, kind, item, at), those
    counts, and the sums of the movements after them (a range of the point, item, at index
    per counted item; the whole history only of an item never counted)."""
    ids = list(point_ids)
    levels: dict[int, dict[str, StockLevel]] = {pid: {} for pid in ids}
    if not ids:
        return levels
    base = ExchangeStockMovement.objects.filter(point_id__in=ids)
    if until is not None:
        base = base.filter(at__lte=until)
    if items is not None:
        base = base.filter(item__in=list(items))
    counts = base.filter(kind=ExchangeMovementKind.COUNTED)

    def line(point_id: int, item: str) -> StockLevel:
        return levels[point_id].setdefault(item, StockLevel(item=item))

    latest = {
        (point_id, item): at
        for point_id, item, at in counts.values("point_id", "item")
        .annotate(at=Max("at"))
        .values_list("point_id", "item", "at")
        .order_by()
    }
    last_counts: dict[tuple[int, str], tuple[datetime.datetime, int, int]] = {}
    if latest:
        same_moment = Q()
        for (point_id, item), at in latest.items():
            same_moment |= Q(point_id=point_id, item=item, at=at)
        # Two counts at one moment: the one recorded last.
        for point_id, item, quantity, at, pk in counts.filter(same_moment).values_list(
            "point_id", "item", "quantity", "at", "id"
        ):
            if pk > last_counts.get((point_id, item), (at, 0, 0))[1]:
                last_counts[(point_id, item)] = (at, pk, quantity)
    for (point_id, item), (at, _pk, quantity) in last_counts.items():
        level = line(point_id, item)
        level.counted, level.counted_at = quantity, at
    moved = base.exclude(kind=ExchangeMovementKind.COUNTED)
    parts = [
        moved.filter(point_id=point_id, item=item, at__gte=at)
        .exclude(at=at, id__lt=pk)
        .values("point_id", "item", "kind")
        .annotate(total=Sum("quantity"))
        .order_by()
        for (point_id, item), (at, pk, _quantity) in last_counts.items()
    ]
    counted: dict[int, list[str]] = defaultdict(list)
    for point_id, item in last_counts:
        counted[point_id].append(item)
    never = Q()
    for point_id in ids:
        never |= Q(point_id=point_id) & ~Q(item__in=counted.get(point_id, []))
    parts.append(
        moved.filter(never)
        .values("point_id", "item", "kind")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    sums = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in sums:
        level = line(row["point_id"], row["item"])
        name = MOVEMENT_FIELDS[row["kind"]]
        setattr(level, name, getattr(level, name) + int(row["total"]))
    return levels


MOVEMENT_FIELDS: dict[str, str] = {
    ExchangeMovementKind.DELIVERED: "delivered",
    ExchangeMovementKind.HANDED_OUT: "handed_out",
    ExchangeMovementKind.WASTED: "wasted",
}


@dataclass(frozen=True)
class StockLine:
    """An item a point stocks, as a page shows it."""

    key: str
    name: str
    level: StockLevel

    @property
    def short(self) -> bool:
        value = self.level.level
        return value is not None and value <= 0


def stock_lines(
    point: ExchangePoint, levels: Mapping[str, StockLevel], names: Mapping[str, str]
) -> list[StockLine]:
    return [
        StockLine(key, names.get(key, key), levels.get(key) or StockLevel(item=key))
        for key in point.items
    ]


def stock_movements(point: ExchangePoint, *, limit: int = 20) -> list[ExchangeStockMovement]:
    """The latest deliveries, waste and counts (handouts are the transactions): one query."""
    return list(
        ExchangeStockMovement.objects.filter(point=point)
        .exclude(kind=ExchangeMovementKind.HANDED_OUT)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


# --- transactions ----------------------------------------------------------------------------


def transactions_of(point: ExchangePoint) -> QuerySet[ExchangeTransaction]:
    return ExchangeTransaction.objects.filter(point=point).order_by("-at", "-id")


def transactions_today(point_ids: Sequence[int], organisation: Organisation) -> dict[int, int]:
    """How many transactions each point recorded today (local day): one query."""
    zone = clock.zone(organisation)
    start = datetime.datetime.combine(clock.today(organisation), datetime.time.min, tzinfo=zone)
    counts: dict[int, int] = defaultdict(int)
    for point_id in ExchangeTransaction.objects.filter(
        point_id__in=list(point_ids), at__gte=start, at__lt=start + datetime.timedelta(days=1)
    ).values_list("point_id", flat=True):
        counts[point_id] += 1
    return counts


# --- the network page ------------------------------------------------------------------------


@dataclass
class PointCard:
    point: ExchangePoint
    state: OpenState
    stock: list[StockLine] = field(default_factory=list)
    today_count: int = 0

    @property
    def short(self) -> list[StockLine]:
        return [line for line in self.stock if line.short]


def point_cards(
    points: Sequence[ExchangePoint],
    organisation: Organisation,
    *,
    names: Mapping[str, str],
    at: datetime.datetime | None = None,
) -> list[PointCard]:
    """The network's points with their hours today, open or closed at ``at``, their stock and
    today's transactions: four queries whatever the number of points and transactions."""
    moment = (at or clock.now()).astimezone(clock.zone(organisation)).replace(tzinfo=None)
    closed = _closed_days(organisation)
    ids = [p.pk for p in points]
    levels = stock_levels(ids)
    today = transactions_today(ids, organisation)
    return [
        PointCard(
            point=p,
            state=open_state(point_calendar(p, closed), moment),
            stock=stock_lines(p, levels.get(p.pk, {}), names),
            today_count=today.get(p.pk, 0),
        )
        for p in points
    ]


def point_week(point: ExchangePoint) -> list[tuple[int, tuple[Interval, ...]]]:
    """The point's week, Monday first: (weekday, intervals)."""
    hours = weekly_hours(point)
    return [(day, tuple(sorted(hours.get(day, ())))) for day in range(7)]


def point_card(point: ExchangePoint, *, names: Mapping[str, str]) -> PointCard:
    return point_cards([point], point.organisation, names=names)[0]


# --- rows the figures are computed from ------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One transaction as the figures read it (``bedring.outreach.exchange_figures``)."""

    point_id: int
    day: datetime.date  # the organisation's local day
    code: str
    items_out: Mapping[str, int]
    items_back: Mapping[str, int]
    returned_estimated: bool
    advice: bool
    referral: bool


def figure_rows(
    organisation: Organisation,
    *,
    start: datetime.date,
    end: datetime.date,
    point: ExchangePoint | None = None,
) -> list[FigureRow]:
    """The organisation's transactions on the local days ``start`` … ``end`` (both included),
    optionally of one point: one query, only the columns the figures read."""
    zone = clock.zone(organisation)
    rows = ExchangeTransaction.objects.filter(
        organisation=organisation,
        at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        at__lt=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        ),
    )
    if point is not None:
        rows = rows.filter(point=point)
    return [
        FigureRow(
            point_id=point_id,
            day=at.astimezone(zone).date(),
            code=code,
            items_out=out or {},
            items_back=back or {},
            returned_estimated=estimated,
            advice=advice,
            referral=bool(referral),
        )
        for point_id, at, code, out, back, estimated, advice, referral in rows.values_list(
            "point_id",
            "at",
            "participant_code",
            "items_out",
            "items_back",
            "returned_estimated",
            "advice",
            "referral",
        ).order_by()
    ]


def figure_points(
    organisation: Organisation, point_ids: Iterable[int], *, point: ExchangePoint | None = None
) -> list[ExchangePoint]:
    """The points a report shows: the active ones (or the one asked for) and any retired one
    that has transactions in the period. One query."""
    if point is not None:
        return [point]
    ids = set(point_ids)
    return list(
        ExchangePoint.objects.filter(organisation=organisation)
        .filter(Q(is_active=True) | Q(pk__in=ids))
        .order_by("name")
    )
