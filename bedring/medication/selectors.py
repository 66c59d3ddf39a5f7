"""Reads for the dispensing desk, the client's medication and the stock (MED-1, MED-2).

The desk list is the busiest page of a substitution clinic: it issues the same handful of
queries for 5 or 500 clients on substitution and whatever their history (tested in
tests/medication/test_desk.py): the current versions at the site, the latest dose before
today per prescription, the doses from today on, the site's calendar, and the access log.

Below them the reads for urine drug tests (MED-4), travel certificates (MED-5) and the
co-payment ledger (MED-9): the client page's sections (``records_context``), the full lists
and the trend chart. Each read issues a fixed number of queries, however long the client's
history.

The urine test trend is a small SVG drawn here, on the server (no JavaScript, nothing the
CSP would have to allow): one bar per month for the last twelve months, its height the
share of tests with at least one positive group. It carries a ``<title>`` and a ``<desc>``
for screen readers, and every bar its own ``<title>`` with the figures.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page
from django.db.models import (
    Case,
    DecimalField,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bedring.accounts.access import Staff
from bedring.accounts.models import Site
from bedring.accounts.selectors import SiteCalendar, rules_for, site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict
from bedring.core.paging import Paginator

from . import rules
from .models import (
    ZERO,
    ChargeKind,
    CoPaymentEntry,
    Dispensing,
    DispensingKind,
    Medicine,
    MovementKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
    StockMovement,
    SubstanceGroup,
    TestResult,
    TravelCertificate,
    UrineTest,
)
from .rules import medicine_note_shown
from .services.holds import MissedRun, holds_for_missed_doses

TAKE_HOME_REACH_MAX = 28  # rules.check_pickup_interval's maximum


def current_version(prescription: Prescription) -> PrescriptionVersion:
    """The prescription's version in force: from the ``current_versions`` prefetch where the
    caller made one (:mod:`bedring.interop.selectors`), otherwise one query. A prescription
    always has one; the constraint allows none, refused as ``prescription_not_active``."""
    prefetched: list[PrescriptionVersion] | None = getattr(prescription, "current_versions", None)
    if prefetched is not None:
        version = prefetched[0] if prefetched else None
    else:
        version = (
            PrescriptionVersion.objects.filter(prescription=prescription, is_current=True)
            .select_related("site")
            .first()
        )
    if version is None:
        raise Conflict(
            "prescription_not_active", gettext_lazy("The prescription has no current version.")
        )
    return version


def take_home_allowed(*, version: PrescriptionVersion, today: datetime.date) -> list[datetime.date]:
    week = rules.DoseWeek(
        frozenset(version.supervised_weekdays), frozenset(version.take_home_weekdays)
    )
    return rules.take_home_days_allowed(
        today=today,
        week=week,
        interval_days=version.pickup_interval_days,
        starts_on=version.starts_on,
        ends_on=version.ends_on,
    )


@dataclass(frozen=True)
class GivenDose:
    """Today's regular dose of a desk row as recorded: what, when (the site's local time)
    and by whom, for the row's confirmation and its correction."""

    uuid: Any
    kind: str
    quantity: Decimal
    at: datetime.datetime  # naive, the site's local time
    by_id: int
    by_name: str

    @classmethod
    def of(cls, dose: Dispensing, time_zone: datetime.tzinfo) -> GivenDose:
        by = dose.handed_out_by
        return cls(
            uuid=dose.uuid,
            kind=dose.kind,
            quantity=dose.quantity,
            at=dose.handed_out_at.astimezone(time_zone).replace(tzinfo=None),
            by_id=by.pk,
            by_name=by.get_full_name() or by.username,
        )


def given_text(given: GivenDose, *, unit: str, today: datetime.date) -> str:
    """ "Given 80 mg at 09:14 by Ane Nurse": the desk's confirmation of a day's dose."""
    values = {
        "quantity": formats.number_format(given.quantity.normalize()),
        "unit": unit,
        "time": date_format(given.at, "H:i"),
        "date": formats.date_format(given.at.date(), "SHORT_DATE_FORMAT"),
        "nurse": given.by_name,
    }
    if given.kind == DispensingKind.SUPERVISED:
        return _("Given %(quantity)s %(unit)s at %(time)s by %(nurse)s") % values
    if given.at.date() == today:
        return _("Handed out %(quantity)s %(unit)s to take home at %(time)s by %(nurse)s") % values
    return _("Handed out %(quantity)s %(unit)s to take home on %(date)s by %(nurse)s") % values


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
    given: GivenDose | None = None
    today: datetime.date | None = None

    @property
    def given_text(self) -> str:
        """ "Given 80 mg at 09:14 by Ane Nurse": the row's confirmation of today's dose."""
        if self.given is None or self.today is None:
            return ""
        return given_text(self.given, unit=self.medicine.unit, today=self.today)

    def correctable_by(self, user_id: int) -> bool:
        """Today's dose was recorded today by this staff member: theirs to correct today."""
        given = self.given
        return given is not None and given.by_id == user_id and given.at.date() == self.today


@dataclass
class Desk:
    site: Site
    today: datetime.date
    rows: list[DeskRow]
    medication_over: bool  # today's medication hours have ended (uncollected = missing)
    open_now: bool
    counts: dict[str, int] = field(default_factory=dict)
    # When medication hours start again (the site's local time), if they are not on now.
    opens_at: datetime.datetime | None = None

    @property
    def clients(self) -> list[Client]:
        return [row.client for row in self.rows]

    @property
    def closed_notice(self) -> str:
        """MED-6: when doses can be recorded again, for the desk's notice and the reason
        beside its disabled buttons; empty within medication hours."""
        if self.open_now:
            return ""
        opens = self.opens_at
        if opens is None:
            return _("This site has no medication hours ahead.")
        values = {
            "time": date_format(opens, "H:i"),
            "weekday": date_format(opens.date(), "l"),
            "date": formats.date_format(opens.date(), "SHORT_DATE_FORMAT"),
        }
        if opens.date() == self.today:
            return _("Medication hours start again today at %(time)s.") % values
        if opens.date() == self.today + datetime.timedelta(days=1):
            return _("Medication hours start again tomorrow at %(time)s.") % values
        return _("Medication hours start again on %(weekday)s %(date)s at %(time)s.") % values


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
        Dispensing.objects.given()
        .filter(prescription_id__in=ids, day__lt=today, day__gte=window_start)
        .exclude(kind=DispensingKind.EXCEPTION)
        .values("prescription_id")
        .annotate(last=Max("day"))
        .values_list("prescription_id", "last")
    )
    from_today: dict[int, dict[datetime.date, str]] = defaultdict(dict)
    exceptions: dict[int, int] = defaultdict(int)
    given_today: dict[int, GivenDose] = {}
    for (
        prescription_id,
        day,
        kind,
        dose_uuid,
        quantity,
        handed_out_at,
        by_id,
        by_first,
        by_last,
        by_username,
    ) in (
        Dispensing.objects.given()
        .filter(
            prescription_id__in=ids,
            day__gte=today,
            day__lte=today + datetime.timedelta(days=TAKE_HOME_REACH_MAX),
        )
        .values_list(
            "prescription_id",
            "day",
            "kind",
            "uuid",
            "quantity",
            "handed_out_at",
            "handed_out_by_id",
            "handed_out_by__first_name",
            "handed_out_by__last_name",
            "handed_out_by__username",
        )
    ):
        if kind == DispensingKind.EXCEPTION:
            exceptions[prescription_id] += 1
            continue
        from_today[prescription_id][day] = kind
        if day == today:
            given_today[prescription_id] = GivenDose(
                uuid=dose_uuid,
                kind=kind,
                quantity=quantity,
                at=calendar.local(handed_out_at),
                by_id=by_id,
                by_name=f"{by_first} {by_last}".strip() or by_username,
            )
    desk_open = rules.desk_open_on(calendar)
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
            given=given_today.get(prescription.pk),
            today=today,
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
    open_now = calendar.is_open("medication", now)
    opens_at = None if open_now else calendar.next_opening("medication", now)
    return Desk(
        site=site,
        today=today,
        rows=rows,
        medication_over=over,
        open_now=open_now,
        counts=dict(counts),
        opens_at=calendar.local(opens_at) if opens_at is not None else None,
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
        .select_related("handed_out_by", "version", "correction__corrected_by")
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
    MovementKind.CORRECTED: 1,  # a dose corrected: its quantity is back on the shelf
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
    one more per medicine counted in the period.

    A corrected dose (recorded by mistake) is not a dose handed out, and its compensating
    movement takes its quantity off "dispensed": both sides of the comparison leave it out."""
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
    # Each kind adds to (or, a correction, takes off) one column of the book.
    field_of: dict[str, tuple[str, int]] = {
        MovementKind.RECEIVED: ("received", 1),
        MovementKind.DISPENSED: ("dispensed_movements", 1),
        MovementKind.CORRECTED: ("dispensed_movements", -1),
        MovementKind.WASTED: ("wasted", 1),
        MovementKind.RETURNED: ("returned", 1),
    }
    for medicine_id, kind, total in (
        movements.filter(at__gte=start, at__lt=end)
        .values("medicine_id", "kind")
        .annotate(total=Sum("quantity"))
        .values_list("medicine_id", "kind", "total")
    ):
        line = lines[medicine_id]
        name, sign = field_of[kind]
        setattr(line, name, getattr(line, name) + sign * total)
    for medicine_id, total in (
        Dispensing.objects.given()
        .filter(site=site, handed_out_at__gte=start, handed_out_at__lt=end)
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


# --- urine tests, travel certificates and co-payments (MED-4, MED-5, MED-9) ----------------

CHARGE_KINDS = (ChargeKind.WEEK_PRICE, ChargeKind.MEDICINE)
DOSE_KINDS = (DispensingKind.SUPERVISED, DispensingKind.TAKE_HOME, DispensingKind.EXCEPTION)


def is_positive(results: Mapping[str, str]) -> bool:
    return any(value == TestResult.POSITIVE for value in results.values())


def copayments_apply(client: Client) -> bool:
    return rules_for(client.organisation).charges_co_payment


def copayment_balance(client: Client) -> Decimal:
    """Charges minus payments and write-offs; positive: the client owes."""
    signed = Case(
        When(kind__in=CHARGE_KINDS, then=F("amount")),
        default=-F("amount"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    total = CoPaymentEntry.objects.filter(client=client).aggregate(
        balance=Sum(signed, default=Value(ZERO))
    )["balance"]
    return Decimal(total or ZERO).quantize(Decimal("0.01"))


def doses_in_week(client: Client, monday: datetime.date, sunday: datetime.date) -> int:
    return (
        Dispensing.objects.given()
        .filter(client=client, day__range=(monday, sunday), kind__in=DOSE_KINDS)
        .count()
    )


RECENT_URINE_TESTS = 24
RECENT_CERTIFICATES = 10
RECENT_LEDGER_ENTRIES = 5
URINE_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 50
TREND_MONTHS = 12

# --- urine tests: table rows ---------------------------------------------------------------


@dataclass(frozen=True)
class UrineCell:
    group: str
    result: str  # negative | positive | not_tested
    label: str


@dataclass(frozen=True)
class UrineRow:
    test: UrineTest
    cells: list[UrineCell]
    positive: bool


def urine_columns(tests: Iterable[UrineTest]) -> list[tuple[str, str]]:
    """The substance groups tested at least once in ``tests``, in the list's order: the
    table stays narrow where a service tests four groups, and shows what it does test."""
    tested = {
        group
        for test in tests
        for group, value in test.results.items()
        if value != TestResult.NOT_TESTED
    }
    return [(value, str(label)) for value, label in SubstanceGroup.choices if value in tested]


def urine_rows(tests: Iterable[UrineTest], columns: list[tuple[str, str]]) -> list[UrineRow]:
    labels = dict(TestResult.choices)
    rows = []
    for test in tests:
        cells = []
        for group, _label in columns:
            result = test.results.get(group, TestResult.NOT_TESTED)
            cells.append(UrineCell(group=group, result=result, label=str(labels.get(result, ""))))
        rows.append(UrineRow(test=test, cells=cells, positive=is_positive(test.results)))
    return rows


# --- urine tests: the trend ----------------------------------------------------------------


@dataclass(frozen=True)
class MonthShare:
    first_day: datetime.date
    tests: int
    positive: int

    @property
    def share(self) -> float:
        return self.positive / self.tests if self.tests else 0.0


def trend_months(today: datetime.date, months: int = TREND_MONTHS) -> list[datetime.date]:
    """The first days of the last ``months`` calendar months, oldest first, this one last."""
    year, month = today.year, today.month
    firsts = []
    for _i in range(months):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def positive_share_by_month(
    samples: Iterable[tuple[datetime.date, Mapping[str, str]]], months: list[datetime.date]
) -> list[MonthShare]:
    """Pure: per month, how many tests and how many with at least one positive group."""
    counts = {first: [0, 0] for first in months}
    for day, results in samples:
        bucket = counts.get(day.replace(day=1))
        if bucket is None:
            continue
        bucket[0] += 1
        bucket[1] += int(is_positive(results))
    return [MonthShare(first, *counts[first]) for first in months]


# Drawing units (the SVG scales to its container; the viewBox keeps the proportions).
BAR_WIDTH = 22
BAR_GAP = 8
PLOT_HEIGHT = 60
LABEL_HEIGHT = 16
POSITIVE_FILL = "#a3261b"
TRACK_FILL = "#e9f1f7"
EMPTY_FILL = "#c4cbd4"
DISPLAY_SCALE = 1.5  # drawn in small units, shown larger so the month labels are legible


def trend_svg(shares: list[MonthShare], *, element_id: str = "urine-trend") -> SafeString:
    """MED-4: the share of positive tests per month as an accessible SVG bar strip."""
    total = sum(s.tests for s in shares)
    positive = sum(s.positive for s in shares)
    title = _("Share of positive urine tests per month")
    if total:
        desc = ngettext(
            "In the last %(months)d months, %(positive)d of %(total)d test was positive.",
            "In the last %(months)d months, %(positive)d of %(total)d tests were positive.",
            total,
        ) % {"months": len(shares), "positive": positive, "total": total}
    else:
        desc = _("No urine tests in the last %(months)d months.") % {"months": len(shares)}
    step = BAR_WIDTH + BAR_GAP
    width = len(shares) * step
    height = PLOT_HEIGHT + LABEL_HEIGHT
    bars = []
    for index, month in enumerate(shares):
        x = index * step
        name = date_format(month.first_day, "M Y")
        if month.tests:
            bar_title = ngettext(
                "%(month)s: %(positive)d of %(total)d test positive",
                "%(month)s: %(positive)d of %(total)d tests positive",
                month.tests,
            ) % {"month": name, "positive": month.positive, "total": month.tests}
            bar_height = round(PLOT_HEIGHT * month.share)
            bars.append(
                format_html(
                    '<g><title>{}</title><rect x="{}" y="0" width="{}" height="{}" fill="{}"/>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/></g>',
                    bar_title,
                    x,
                    BAR_WIDTH,
                    PLOT_HEIGHT,
                    TRACK_FILL,
                    x,
                    PLOT_HEIGHT - bar_height,
                    BAR_WIDTH,
                    bar_height,
                    POSITIVE_FILL,
                )
            )
        else:
            bars.append(
                format_html(
                    '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="2" fill="{}"/></g>',
                    _("%(month)s: no tests") % {"month": name},
                    x,
                    PLOT_HEIGHT - 2,
                    BAR_WIDTH,
                    EMPTY_FILL,
                )
            )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="9" text-anchor="middle" fill="#5b6576">{}</text>',
        (
            (index * step + BAR_WIDTH // 2, height - 3, date_format(month.first_day, "M"))
            for index, month in enumerate(shares)
        ),
    )
    return format_html(
        '<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{sw}" height="{sh}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'data-testid="urine-trend"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{bars}{labels}</svg>',
        w=width,
        h=height,
        sw=width * DISPLAY_SCALE,
        sh=height * DISPLAY_SCALE,
        id=element_id,
        title=title,
        desc=desc,
        bars=SafeString("".join(bars)),
        labels=labels,
    )


def urine_trend(client: Client, today: datetime.date) -> SafeString:
    months = trend_months(today)
    samples = UrineTest.objects.filter(client=client, sampled_on__gte=months[0]).values_list(
        "sampled_on", "results"
    )
    return trend_svg(positive_share_by_month(samples, months))


# --- urine tests: the client page and the full list ----------------------------------------


@dataclass
class UrineSummary:
    rows: list[UrineRow]
    columns: list[tuple[str, str]]
    total: int
    chart: SafeString

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


def urine_summary(client: Client, today: datetime.date) -> UrineSummary:
    """The newest tests (at most 24), their count and the twelve-month trend: 3 queries."""
    recent = list(UrineTest.objects.filter(client=client)[:RECENT_URINE_TESTS])
    total = (
        len(recent)
        if len(recent) < RECENT_URINE_TESTS
        else UrineTest.objects.filter(client=client).count()
    )
    columns = urine_columns(recent)
    return UrineSummary(
        rows=urine_rows(recent, columns),
        columns=columns,
        total=total,
        chart=urine_trend(client, today),
    )


def urine_page(
    client: Client, page_number: Any
) -> tuple[Page[UrineTest], list[UrineRow], list[tuple[str, str]]]:
    """One page of all the client's tests, newest first, with who recorded them."""
    tests = UrineTest.objects.filter(client=client).select_related("recorded_by")
    page = Paginator(tests, URINE_PAGE_SIZE).get_page(page_number)
    shown = list(page.object_list)
    columns = urine_columns(shown)
    return page, urine_rows(shown, columns), columns


# --- travel certificates -------------------------------------------------------------------


def certificates_of(client: Client) -> QuerySet[TravelCertificate]:
    return TravelCertificate.objects.filter(client=client).select_related(
        "prescription__medicine", "version", "issued_by"
    )


# --- co-payments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    """A ledger entry as a row of the pages, with its note in the reader's language."""

    entry: CoPaymentEntry

    @property
    def note(self) -> str:
        """Rendered when the page is: a medicine row's figures in the active language's
        number format ("7 × 0,30" in Dutch); other notes as they were written."""
        if self.entry.kind == ChargeKind.MEDICINE:
            return medicine_note_shown(self.entry.note)
        return self.entry.note


@dataclass
class CopaymentSummary:
    applies: bool
    balance: Decimal = Decimal("0.00")
    recent: list[LedgerLine] = field(default_factory=list)


def ledger_entries(client: Client) -> QuerySet[CoPaymentEntry]:
    """The client's ledger, newest first, each entry with the balance after it (a window
    sum in chronological order, computed by the database before the page is cut)."""
    signed = Case(
        When(kind__in=CHARGE_KINDS, then=F("amount")),
        default=-F("amount"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    return (
        CoPaymentEntry.objects.filter(client=client)
        .select_related("recorded_by")
        .annotate(
            running_balance=Window(Sum(signed), order_by=[F("on").asc(), F("id").asc()]),
        )
        .order_by("-on", "-id")
    )


def copayment_summary(client: Client) -> CopaymentSummary:
    if not copayments_apply(client):
        return CopaymentSummary(applies=False)
    return CopaymentSummary(
        applies=True,
        balance=copayment_balance(client),
        recent=[LedgerLine(e) for e in ledger_entries(client)[:RECENT_LEDGER_ENTRIES]],
    )


def ledger_page(client: Client, page_number: Any) -> tuple[Page[CoPaymentEntry], list[LedgerLine]]:
    """One page of the ledger (50 entries), newest first, and its entries as rows."""
    page = Paginator(ledger_entries(client), LEDGER_PAGE_SIZE).get_page(page_number)
    return page, [LedgerLine(e) for e in page.object_list]


# --- the client's medication page ----------------------------------------------------------


def records_context(client: Client, staff: Staff) -> dict[str, Any]:
    """What ``medication/partials/_urine_tests.html``, ``_certificates.html`` and
    ``_copayments.html`` need on the client's medication page (with ``client``,
    ``can_write`` and ``can_prescribe``). A fixed number of queries."""
    today = clock.today(client.organisation)
    return {
        "urine_summary": urine_summary(client, today),
        "travel_certificates": list(certificates_of(client)[:RECENT_CERTIFICATES]),
        "copayment_summary": copayment_summary(client),
    }
