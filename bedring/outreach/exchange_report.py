"""The needle exchange's figures as one report (HRM-9): the period asked for, the rows read
(``selectors_exchange``), the numbers (``exchange_figures``), and the same numbers as table
lines, CSV and charts. Four queries whatever the number of transactions."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bedring.accounts.models import Organisation
from bedring.core.errors import ValidationFailed

from .exchange_chart import Bar, bar_chart, percent
from .exchange_figures import Cell, Figures, ItemRules, compute, months_between
from .models import ExchangePoint
from .selectors import outreach_spec
from .selectors_exchange import figure_points, figure_rows, item_names

MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
MAX_MONTHS = 24
DEFAULT_MONTHS = 12

DEFINITIONS = {
    "transactions": gettext_lazy("Exchanges recorded at the point in the month."),
    "items": gettext_lazy(
        "Items handed out, and used items taken back, of every item the point records."
    ),
    "return_rate": gettext_lazy(
        "Used syringes and needles (the returnable items) taken back, over returnable items "
        "handed out. It can pass 100 %: people also bring back equipment they got elsewhere. "
        "Marked estimated when any exchange that month estimated its returns instead of "
        "counting them (a full container)."
    ),
    "participants": gettext_lazy(
        "Distinct participant codes, plus the exchanges without a code divided by the visits "
        "per person of the participants with a code (their exchanges over their codes) at "
        "the same point in the same month, rounded up. People without a code are taken to "
        "come as often as people with one. With no code at the point that month, the "
        "network's visits per person are used; with no code anywhere, each exchange without "
        "a code counts as one person, which keeps coverage from being overstated. For the "
        "whole network a code seen at two points is one person."
    ),
    "coverage": gettext_lazy(
        "Syringes handed out (not loose needles) over the injections they had to cover: "
        "estimated participants x injections per participant per day x the days of the "
        "month (for the current month, the days up to today). 100 % means a new syringe for "
        "every injection (individual syringe coverage, WHO/UNODC/UNAIDS Technical Guide; "
        "O'Keefe et al. 2016)."
    ),
}


@dataclass(frozen=True)
class Period:
    first: datetime.date  # the first day of the first month
    last: datetime.date  # the first day of the last month

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first, self.last)

    @property
    def end(self) -> datetime.date:
        """The last day of the last month."""
        year, month = self.last.year, self.last.month
        following = (
            datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)
        )
        return following - datetime.timedelta(days=1)


def _month(text: str, field: str) -> datetime.date:
    match = MONTH.match(text.strip())
    if match is None or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise ValidationFailed(
            "invalid_month", _("Write a month as YYYY-MM, for example 2026-11."), field=field
        )
    return datetime.date(int(match[1]), int(match[2]), 1)


def period_from(
    first: str | None,
    last: str | None,
    *,
    today: datetime.date,
    fields: tuple[str, str] = ("from", "to"),
) -> Period:
    """The months asked for (``YYYY-MM``, both included); by default the twelve months up to
    this one. At most 24 months, none after this one. ``fields``: the names of the two
    parameters, for the refusal to name."""
    this_month = today.replace(day=1)
    end = _month(last, fields[1]) if last else this_month
    if first:
        start = _month(first, fields[0])
    else:
        start = months_between(datetime.date(end.year - 1, end.month, 1), end)[-DEFAULT_MONTHS]
    if end > this_month:
        raise ValidationFailed(
            "period_in_future", _("The period ends after this month."), field=fields[1]
        )
    if start > end:
        raise ValidationFailed(
            "period_reversed", _("The first month is after the last."), field=fields[0]
        )
    if len(months_between(start, end)) > MAX_MONTHS:
        raise ValidationFailed("period_too_long", _("Choose at most 24 months."), field=fields[0])
    return Period(start, end)


@dataclass
class ExchangeReport:
    organisation: Organisation
    period: Period
    point: ExchangePoint | None  # None: the network
    points: list[ExchangePoint]
    figures: Figures
    names: dict[str, str]  # item key -> name in the reader's language
    injections_per_day: float | None
    coverage_source: str

    @property
    def network(self) -> list[Cell]:
        return self.figures.network

    def cells_of(self, point: ExchangePoint) -> list[Cell]:
        return self.figures.points.get(point.pk, [])

    @property
    def shown(self) -> list[Cell]:
        """The months of the chart: the point's, or the network's."""
        return self.cells_of(self.point) if self.point is not None else self.network

    def chart(self, key: str) -> SafeString:
        cells = self.shown
        if key == "coverage":
            bars = [Bar(c.month, c.coverage) for c in cells]
            title = _("Syringe coverage per month")
        else:
            bars = [Bar(c.month, c.return_rate, c.returns_estimated) for c in cells]
            title = _("Return rate per month")
        where = self.point.name if self.point is not None else _("the whole network")
        return bar_chart(bars, element_id=f"chart-{key}", title=f"{title}: {where}")


def exchange_report(
    organisation: Organisation,
    *,
    period: Period,
    today: datetime.date,
    language: str | None,
    point: ExchangePoint | None = None,
) -> ExchangeReport:
    spec = outreach_spec(organisation)
    rows = figure_rows(organisation, start=period.first, end=period.end, point=point)
    points = figure_points(organisation, {r.point_id for r in rows}, point=point)
    rules = ItemRules(
        returnable=frozenset(i.key for i in spec.items if i.returnable) if spec else frozenset(),
        syringes=frozenset(i.key for i in spec.items if i.syringe) if spec else frozenset(),
        injections_per_day=spec.coverage.injections_per_day if spec and spec.coverage else 0.0,
    )
    figures = compute(
        rows, point_ids=[p.pk for p in points], months=period.months, rules=rules, today=today
    )
    return ExchangeReport(
        organisation=organisation,
        period=period,
        point=point,
        points=points,
        figures=figures,
        names=item_names(spec, language),
        injections_per_day=rules.injections_per_day or None,
        coverage_source=spec.coverage.source if spec and spec.coverage else "",
    )


# --- as a table and as CSV -------------------------------------------------------------------


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else number_format(round(value, digits), digits)


def header(report: ExchangeReport) -> list[str]:
    items = list(report.names)
    return [
        _("Point"),
        _("Month"),
        _("Transactions"),
        _("Items out"),
        _("Items back"),
        _("Returnable out"),
        _("Returnable back"),
        _("Return rate (%)"),
        _("Returns estimated"),
        _("Participant codes"),
        _("Transactions without a code"),
        _("Visits per person"),
        _("Estimated participants"),
        _("Syringes out"),
        _("Days"),
        _("Injections per day"),
        _("Syringe coverage (%)"),
        _("Advice given"),
        _("Referrals"),
        *[_("Out: %(item)s") % {"item": report.names[k]} for k in items],
        *[_("Back: %(item)s") % {"item": report.names[k]} for k in items],
    ]


def line(report: ExchangeReport, where: str, cell: Cell) -> list[str | int]:
    items = list(report.names)
    return [
        where,
        cell.month.strftime("%Y-%m"),
        cell.transactions,
        cell.items_out,
        cell.items_back,
        cell.returnable_out,
        cell.returnable_back,
        _number(None if cell.return_rate is None else 100 * cell.return_rate),
        _("yes") if cell.returns_estimated else _("no"),
        len(cell.codes),
        cell.anonymous_transactions,
        _number(cell.visits_per_person, 2),
        cell.estimated_participants,
        cell.syringes_out,
        cell.days,
        _number(report.injections_per_day),
        _number(None if cell.coverage is None else 100 * cell.coverage),
        cell.advice,
        cell.referrals,
        *[cell.out.get(k, 0) for k in items],
        *[cell.back.get(k, 0) for k in items],
    ]


def table(report: ExchangeReport) -> list[list[str | int]]:
    """Every point's months, then the network's (when the report is the network's)."""
    rows: list[list[str | int]] = []
    for point in report.points:
        rows += [line(report, point.name, cell) for cell in report.cells_of(point)]
    if report.point is None:
        rows += [line(report, _("Whole network"), cell) for cell in report.network]
    return rows


def _safe(value: str | int) -> str | int:
    """A text cell a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_bytes(report: ExchangeReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Needle exchange"),
            report.organisation.name,
            report.period.first.strftime("%Y-%m"),
            report.period.last.strftime("%Y-%m"),
        ]
    )
    writer.writerow(header(report))
    writer.writerows([[_safe(v) for v in row] for row in table(report)])
    writer.writerow([])
    for key, text in DEFINITIONS.items():
        writer.writerow([key, str(text)])
    writer.writerow(
        ["injections_per_day", _number(report.injections_per_day), report.coverage_source]
    )
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


def figure_text(value: float | None) -> str:
    return percent(value)


def label_items(counts: Mapping[str, int], names: Mapping[str, str]) -> str:
    """``{"syringe-1ml": 10}`` as "Syringe 1 ml 10, Needle 5" in the pack's order."""
    return ", ".join(
        f"{names.get(k, k)} {number_format(counts[k])}"
        for k in [*names, *[k for k in counts if k not in names]]
        if counts.get(k)
    )
