"""The evaluation's figures as lines for the page and the PDF, and as CSV: the same numbers in
every format, from one :class:`~bedring.outreach.evaluation_selectors.EvaluationReport`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from bedring.core.pdf import render_pdf
from bedring.referrals.models import ReferralStatus

from .evaluation import LABELS, REFERRAL_STATUSES, Figures
from .evaluation_selectors import EvaluationReport

Number = int | float | None


@dataclass(frozen=True)
class Line:
    """One figure across the report's columns (each site, then all sites)."""

    key: str
    label: str
    cells: list[tuple[str, Number]]  # (the column's name, the value)
    decimals: int = 0  # 1: shown and written with one decimal
    indent: bool = False  # a part of the line above ("of whom ...")

    @property
    def values(self) -> list[Number]:
        return [value for _name, value in self.cells]


def _line(
    report: EvaluationReport,
    key: str,
    value: Callable[[Figures], Number],
    *,
    label: str | None = None,
    decimals: int = 0,
    indent: bool = False,
) -> Line:
    return Line(
        key=key,
        label=label if label is not None else str(LABELS[key]),
        cells=[(c.name, value(c.figures)) for c in report.columns],
        decimals=decimals,
        indent=indent,
    )


def _percent(part: int | None, whole: int) -> float | None:
    return None if part is None or whole == 0 else round(100 * part / whole, 1)


def figure_lines(report: EvaluationReport) -> list[Line]:
    lines = [
        _line(report, "contacts", lambda f: f.contacts),
        _line(report, "contacts_anonymous", lambda f: f.contacts_anonymous, indent=True),
        _line(report, "persons", lambda f: f.persons),
        _line(report, "persons_clients", lambda f: f.persons_clients, indent=True),
        _line(report, "persons_codes", lambda f: f.persons_codes, indent=True),
        _line(report, "minutes_mean", lambda f: _round(f.minutes_mean), decimals=1),
        _line(report, "minutes_median", lambda f: _round(f.minutes_median), decimals=1),
        _line(report, "contact_hours", lambda f: _round(f.contact_hours), decimals=1),
        _line(report, "staff_hours", lambda f: _round(f.staff_hours), decimals=1),
    ]
    if report.window_days is not None:
        lines += [
            _line(report, "contacts_known", lambda f: f.contacts_known),
            _line(report, "treatment_starts", lambda f: f.treatment_starts),
            _line(
                report,
                "treatment_start_share",
                lambda f: _percent(f.treatment_starts, f.contacts_known),
                label=str(_("Share of the contacts with a known person (%)")),
                decimals=1,
                indent=True,
            ),
            _line(report, "treatment_start_persons", lambda f: f.treatment_start_persons),
            _line(report, "window_open", lambda f: f.window_open),
        ]
    lines.append(_line(report, "referral_contacts", lambda f: f.referral_contacts))
    if report.window_days is not None:
        lines += [
            _line(
                report,
                "referral_contacts_known",
                lambda f: f.referral_contacts_known,
                indent=True,
            ),
            _line(
                report,
                "referral_contacts_followed",
                lambda f: f.referral_contacts_followed,
                indent=True,
            ),
        ]
        shown = [
            s
            for s in REFERRAL_STATUSES
            if any((c.figures.referrals or {}).get(s) for c in report.columns)
        ]
        for status in shown:
            lines.append(
                _line(
                    report,
                    f"referrals:{status}",
                    _referrals_with(status),
                    label=str(
                        _("Referrals: %(status)s") % {"status": ReferralStatus(status).label}
                    ),
                    indent=True,
                )
            )
    return lines


def _referrals_with(status: str) -> Callable[[Figures], Number]:
    return lambda f: (f.referrals or {}).get(status, 0)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cell(value: Number) -> str | int | float:
    return "" if value is None else value


HEADER = (
    _("Site"),
    _("Site key"),
    _("From"),
    _("To"),
    _("Figure"),
    _("Key"),
    _("Value"),
    _("Note"),
)


def csv_rows(report: EvaluationReport) -> list[list[str | int | float]]:
    """A header, then one row per figure and site (all sites last), then one row per fidelity
    element, site and quarter (value 1 held, 0 not held, empty not ticked)."""
    scope = report.scope
    rows: list[list[str | int | float]] = [[str(h) for h in HEADER]]
    lines = figure_lines(report)
    for index, column in enumerate(report.columns):
        for line in lines:
            rows.append(
                [
                    column.name,
                    column.key,
                    scope.start.isoformat(),
                    scope.end.isoformat(),
                    line.label,
                    line.key,
                    _cell(line.values[index]),
                    "",
                ]
            )
    for sheet in report.fidelity or []:
        for row in sheet.rows:
            rows.append(
                [
                    sheet.site.name,
                    sheet.site.slug,
                    sheet.quarter.isoformat(),
                    sheet.quarter_end.isoformat(),
                    row.name,
                    f"fidelity:{row.element}",
                    "" if row.held is None else int(row.held),
                    row.note,
                ]
            )
    return rows


def csv_bytes(report: EvaluationReport) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(report))
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def pdf_bytes(report: EvaluationReport) -> bytes:
    html = render_to_string(
        "outreach/evaluation/report_pdf.html",
        {"report": report, "scope": report.scope, "lines": figure_lines(report)},
    )
    return render_pdf(html)
