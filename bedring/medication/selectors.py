"""Reads for the dispensing desk, the client's medication and the stock (MED-1, MED-2).

The desk list is the busiest page of a substitution clinic: it issues the same handful of
queries for 5 or 500 clients on substitution and whatever their history (tested in
tests/medication/test_desk.py): the current versions at the site, the latest dose before
today per prescription, the doses from today on, the site's calendar, and the access log.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q, QuerySet, Sum

from bedring.accounts.models import Site
from bedring.accounts.selectors import SiteCalendar, rules_for, site_calendar
from bedring.clients.models import Client

from . import rules
from .models import (
    Dispensing,
    DispensingKind,
    Medicine,
    MovementKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
    StockMovement,
)
from .services import MissedRun, desk_open_on, holds_for_missed_doses, take_home_allowed

TAKE_HOME_REACH_MAX = 28  # rules.check_pickup_interval's maximum


@dataclass
class DeskRow:
    version: PrescriptionVersion
    prescription: Prescription
    client: Client
    medicine: Medicine
    today_kind: str  # "supervised", "take_home" or "" (no dose today)
    collected: bool = False
    exceptions_today: int = 0
    take_home_due: list[datetime.date] = field(default_factory=list)
    take_home_given: list[datetime.date] = field(default_factory=list)
    missed: int = 0
    status: str = ""  # due | collected | missing | on_hold | no_dose


@dataclass
class Desk:
    site: Site
    today: datetime.date
    rows: list[DeskRow]
    medication_over: bool  # today's medication hours have ended (uncollected = missing)
    open_now: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def clients(self) -> list[Client]:
        return [row.client for row in self.rows]


def _medication_over(calendar: SiteCalendar, now: datetime.datetime) -> bool:
    local = calendar.local(now)
    intervals = calendar.hours.get("medication", {}).get(local.weekday(), ())
    if not intervals or calendar.is_closed_day(local.date()):
        return True
    return local.time() >= max(i.end for i in intervals)


def desk(
    site: Site,
    *,
    now: datetime.datetime,
    apply_holds: bool = True,
    prescription_ids: list[int] | None = None,
) -> Desk:
    """MED-2, MED-6: today's list at a site: who is due, who has collected, who is missing,
    the take-home doses due and the holds. Missed doses put a prescription on hold here as
    well as at the next dose (``apply_holds``), so the desk shows the hold the morning after
    the third missed day. ``prescription_ids`` limits the list (one row, after a dose)."""
    calendar = site_calendar(site)
    today = calendar.local(now).date()
    limit = rules_for(site.organisation).missed_dose_hold_days
    current = PrescriptionVersion.objects.filter(site=site)
    if prescription_ids is not None:
        current = current.filter(prescription_id__in=prescription_ids)
    versions = list(
        current.filter(
            is_current=True,
            prescription__status__in=[PrescriptionStatus.ACTIVE, PrescriptionStatus.ON_HOLD],
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("prescription__medicine", "client")
        .order_by("client__last_name", "client__first_name", "client_id", "prescription_id")
    )
    ids = [v.prescription_id for v in versions]
    # The latest dose before today, within what missed_in_a_row may look back at: years of
    # history are not read (the index on (prescription, day) serves the range).
    window_start = today - datetime.timedelta(days=rules.lookback_days(limit))
    last_before = dict(
        Dispensing.objects.filter(prescription_id__in=ids, day__lt=today, day__gte=window_start)
        .exclude(kind=DispensingKind.EXCEPTION)
        .values("prescription_id")
        .annotate(last=Max("day"))
        .values_list("prescription_id", "last")
    )
    from_today: dict[int, dict[datetime.date, str]] = defaultdict(dict)
    exceptions: dict[int, int] = defaultdict(int)
    for prescription_id, day, kind in Dispensing.objects.filter(
        prescription_id__in=ids,
        day__gte=today,
        day__lte=today + datetime.timedelta(days=TAKE_HOME_REACH_MAX),
    ).values_list("prescription_id", "day", "kind"):
        if kind == DispensingKind.EXCEPTION:
            exceptions[prescription_id] += 1
        else:
            from_today[prescription_id][day] = kind
    desk_open = desk_open_on(calendar)
    over = _medication_over(calendar, now)
    counted: list[tuple[PrescriptionVersion, rules.DoseWeek, int]] = []
    runs: list[MissedRun] = []
    for version in versions:
        prescription = version.prescription
        week = rules.DoseWeek(
            frozenset(version.supervised_weekdays), frozenset(version.take_home_weekdays)
        )
        last = last_before.get(prescription.pk)
        missed, since = rules.missed_in_a_row(
            today=today,
            counted_from=max(prescription.doses_counted_from, version.starts_on),
            week=week,
            ends_on=version.ends_on,
            covered=frozenset([last]) if last else frozenset(),
            desk_open=desk_open,
            limit=limit,
        )
        counted.append((version, week, missed))
        if (
            apply_holds
            and missed >= limit
            and since is not None
            and prescription.status == PrescriptionStatus.ACTIVE
        ):
            runs.append(MissedRun(prescription=prescription, missed=missed, since=since))
    # All of the day's holds in one go: the first visit after a long weekend may hold many.
    holds_for_missed_doses(runs=runs, today=today)
    rows = []
    for version, week, missed in counted:
        prescription = version.prescription
        covered = from_today[prescription.pk]
        allowed = take_home_allowed(version=version, today=today)
        row = DeskRow(
            version=version,
            prescription=prescription,
            client=version.client,
            medicine=prescription.medicine,
            today_kind=week.kind_on(today),
            collected=today in covered,
            exceptions_today=exceptions[prescription.pk],
            take_home_due=[d for d in allowed if d not in covered],
            take_home_given=sorted(d for d in covered if d > today),
            missed=missed,
        )
        if prescription.status == PrescriptionStatus.ON_HOLD:
            row.status = "on_hold"
        elif row.collected:
            row.status = "collected"
        elif row.today_kind == rules.SUPERVISED:
            row.status = "missing" if over else "due"
        elif row.today_kind == rules.TAKE_HOME:
            row.status = "take_home_today"
        else:
            row.status = "no_dose"
        rows.append(row)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
        if row.take_home_due and row.status != "on_hold":
            counts["take_home_due"] += 1
    return Desk(
        site=site,
        today=today,
        rows=rows,
        medication_over=over,
        open_now=calendar.is_open("medication", now),
        counts=dict(counts),
    )


# --- the client's medication ---------------------------------------------------------------


@dataclass
class ClientMedication:
    prescriptions: list[tuple[Prescription, PrescriptionVersion]]
    recent: list[Dispensing]


RECENT_DOSES = 30


def client_medication(client: Client) -> ClientMedication:
    """The client's prescriptions (current version each, newest first) and the last doses."""
    versions = (
        PrescriptionVersion.objects.filter(client=client, is_current=True)
        .select_related("prescription__medicine", "prescription__client", "site", "prescriber")
        .order_by("-prescription__created_at")
    )
    recent = list(
        Dispensing.objects.filter(client=client)
        .select_related("prescription__medicine", "handed_out_by")
        .order_by("-day", "-handed_out_at")[:RECENT_DOSES]
    )
    return ClientMedication(
        prescriptions=[(v.prescription, v) for v in versions],
        recent=recent,
    )


VERSIONS_SHOWN = 100
DOSES_SHOWN = 60


@dataclass
class PrescriptionPage:
    prescription: Prescription
    current: PrescriptionVersion
    versions: list[PrescriptionVersion]
    doses: list[Dispensing]


def prescription_page(prescription: Prescription) -> PrescriptionPage:
    versions = list(
        PrescriptionVersion.objects.filter(prescription=prescription)
        .select_related("site", "prescriber")
        .order_by("-number")[:VERSIONS_SHOWN]
    )
    current = next(v for v in versions if v.is_current)
    doses = list(
        Dispensing.objects.filter(prescription=prescription)
        .select_related("handed_out_by", "version")
        .order_by("-day", "-handed_out_at")[:DOSES_SHOWN]
    )
    return PrescriptionPage(prescription, current, versions, doses)


# --- stock and reconciliation (MED-2) ------------------------------------------------------


@dataclass
class StockLine:
    medicine: Medicine
    opening: Decimal = Decimal("0")
    received: Decimal = Decimal("0")
    dispensed_movements: Decimal = Decimal("0")
    dispensed_doses: Decimal = Decimal("0")
    wasted: Decimal = Decimal("0")
    returned: Decimal = Decimal("0")
    counted: Decimal | None = None
    counted_at: datetime.datetime | None = None
    expected_at_count: Decimal | None = None

    @property
    def closing(self) -> Decimal:
        return self.opening + self.received - self.dispensed_movements - self.wasted - self.returned

    @property
    def dispensing_difference(self) -> Decimal:
        """Doses handed out that no stock movement accounts for (or the reverse)."""
        return self.dispensed_doses - self.dispensed_movements

    @property
    def count_difference(self) -> Decimal | None:
        """On the shelf at the last count minus what the book said at that moment."""
        if self.counted is None or self.expected_at_count is None:
            return None
        return self.counted - self.expected_at_count

    @property
    def has_difference(self) -> bool:
        return self.dispensing_difference != 0 or (self.count_difference or 0) != 0


SIGN: dict[str, int] = {
    MovementKind.RECEIVED: 1,
    MovementKind.DISPENSED: -1,
    MovementKind.WASTED: -1,
    MovementKind.RETURNED: -1,
}


# The days a reconciliation period may name: the calendar's own edges (year 1, year 9999)
# cannot be turned into moments in the site's time zone and back (OverflowError).
PERIOD_EARLIEST = datetime.date(1900, 1, 1)
PERIOD_LATEST = datetime.date(2999, 12, 31)


def reconciliation(
    site: Site, *, start: datetime.datetime, end: datetime.datetime
) -> list[StockLine]:
    """MED-2: per medicine at a site over [start, end): the book (opening balance, received,
    dispensed, wasted, returned, closing balance), the doses handed out against the dispensed
    stock, and the last count against the book at the moment of the count. Six queries, and
    one more per medicine counted in the period."""
    lines: dict[int, StockLine] = {}
    medicines = {
        m.pk: m
        for m in Medicine.objects.filter(
            pk__in=StockMovement.objects.filter(site=site, at__lt=end).values("medicine_id")
        )
        | Medicine.objects.filter(
            pk__in=Dispensing.objects.filter(
                site=site, handed_out_at__gte=start, handed_out_at__lt=end
            ).values("prescription__medicine_id")
        )
    }
    for pk, medicine in sorted(medicines.items(), key=lambda kv: kv[1].name):
        lines[pk] = StockLine(medicine=medicine)
    movements = StockMovement.objects.filter(site=site).exclude(kind=MovementKind.COUNTED)
    for medicine_id, kind, total in (
        movements.filter(at__lt=start)
        .values("medicine_id", "kind")
        .annotate(total=Sum("quantity"))
        .values_list("medicine_id", "kind", "total")
    ):
        lines[medicine_id].opening += SIGN[kind] * total
    field_of: dict[str, str] = {
        MovementKind.RECEIVED: "received",
        MovementKind.DISPENSED: "dispensed_movements",
        MovementKind.WASTED: "wasted",
        MovementKind.RETURNED: "returned",
    }
    for medicine_id, kind, total in (
        movements.filter(at__gte=start, at__lt=end)
        .values("medicine_id", "kind")
        .annotate(total=Sum("quantity"))
        .values_list("medicine_id", "kind", "total")
    ):
        line = lines[medicine_id]
        setattr(line, field_of[kind], getattr(line, field_of[kind]) + total)
    for medicine_id, total in (
        Dispensing.objects.filter(site=site, handed_out_at__gte=start, handed_out_at__lt=end)
        .values("prescription__medicine_id")
        .annotate(total=Sum("quantity"))
        .values_list("prescription__medicine_id", "total")
    ):
        lines[medicine_id].dispensed_doses += total
    # The last count of each medicine in the period, and the book at that moment.
    last_counts = (
        StockMovement.objects.filter(
            site=site, kind=MovementKind.COUNTED, at__gte=start, at__lt=end
        )
        .order_by("medicine_id", "-at", "-id")
        .values_list("medicine_id", "at", "quantity")
    )
    seen: set[int] = set()
    for medicine_id, at, quantity in last_counts:
        if medicine_id in seen:
            continue
        seen.add(medicine_id)
        line = lines[medicine_id]
        line.counted, line.counted_at = quantity, at
        book = (
            movements.filter(medicine_id=medicine_id, at__lte=at)
            .values("kind")
            .annotate(total=Sum("quantity"))
            .values_list("kind", "total")
        )
        line.expected_at_count = sum((SIGN[kind] * total for kind, total in book), Decimal("0"))
    return list(lines.values())


def stock_movements(site: Site, *, limit: int = 100) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.filter(site=site)
        .select_related("medicine", "actor", "witness")
        .order_by("-at", "-id")[:limit]
    )
