"""Reads for urine drug tests (MED-4), travel certificates (MED-5) and the co-payment ledger
(MED-9): the client page's sections (``records_context``), the full lists and the trend
chart. Each read issues a fixed number of queries, however long the client's history.

The urine test trend is a small SVG drawn here, on the server (no JavaScript, nothing the
CSP would have to allow): one bar per month for the last twelve months, its height the
share of tests with at least one positive group. It carries a ``<title>`` and a ``<desc>``
for screen readers, and every bar its own ``<title>`` with the figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page
from django.db.models import Case, DecimalField, F, QuerySet, Sum, When, Window
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bedring.accounts.access import Staff
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.paging import Paginator

from .models import (
    ChargeKind,
    CoPaymentEntry,
    SubstanceGroup,
    TestResult,
    TravelCertificate,
    UrineTest,
)
from .services_records import (
    CHARGE_KINDS,
    copayment_balance,
    copayments_apply,
    is_positive,
    medicine_note_shown,
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
