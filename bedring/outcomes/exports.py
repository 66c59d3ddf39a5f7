"""The figures as lines for the page, and as CSV, XLSX and the PDF annual report: the same
numbers in every format, from one :class:`~bedring.outcomes.selectors.KpiReport`."""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from bedring.core.pdf import render_pdf

from .charts import trend_svg
from .kpis import Figure
from .selectors import KpiReport

LABELS: dict[str, Promise] = {
    "goal_attainment_all": _("Goal attainment at discharge (all discharge statuses)"),
    "goal_attainment_completed": _("Goal attainment at discharge (completed only)"),
    "readmission": _("Readmission within 12 months"),
    # Shown only to the organisations whose rule pack sets the rule (selectors.FIGURE_RULES),
    # so the label needs no country.
    "treatment_guarantee": _("Treatment guarantee: started within the guarantee"),
    "first_contact": _("First contact within the working days"),
    "plan_evaluation": _("Plan evaluations on time"),
    "follow_up": _("Follow-ups after discharge on time"),
}

# The other numbers that open a drill-down (no_show:<offer>, clients:<offer>:<band>).
OTHER_LABELS: dict[str, Promise] = {
    "waiting_time": _("Waiting time from inquiry to start"),
    "no_show": _("No-show rate"),
    "clients": _("Clients by offer and age band"),
}

DEFINITIONS: dict[str, Promise] = {
    "goal_attainment_all": _(
        "Outpatient discharges in the period whose overall result is drug-free or reduced "
        "use, over all outpatient discharges in the period, whatever their status "
        "(completed, transferred, ended for another reason, own wish, no-show, institution)."
    ),
    "goal_attainment_completed": _("The same, counting only discharges with the status completed."),
    "readmission": _(
        "Discharges as completed in the period whose client opens a new episode 1 to 365 days "
        "after the day of discharge (day 365 counts, day 366 does not), over discharges as "
        "completed in the period. A new inquiry that ended before treatment (withdrawn) is "
        "not a readmission. Only discharges whose 365 days have passed count."
    ),
    "treatment_guarantee": _(
        "Treatment-start deadlines (the inquiry plus the rule pack's guarantee days) due in "
        "the period where treatment started on or before the due day, over those deadlines "
        "that were met, met late or are still open after the due day, so clients still "
        "waiting count. Free choice of another provider (waived) and episodes that ended "
        "before treatment (cancelled) are left out; one due today is not yet counted."
    ),
    "first_contact": _(
        "First-contact deadlines due in the period whose first contact happened on or before "
        "the due day (the inquiry plus the rule pack's working days), over those deadlines "
        "that were contacted or are overdue; waived and cancelled ones are left out."
    ),
    "plan_evaluation": _(
        "Plan evaluations due in the period (every three months) met on time, over those met "
        "on time, met late or still open after the due day. Waived, cancelled and not yet "
        "due ones are left out."
    ),
    "follow_up": _(
        "Follow-ups after discharge due in the period done on time, over those done on time, "
        "done late or still open after the due day."
    ),
    "waiting_time": _(
        "Days from the inquiry to the start of treatment, for episodes that started in the "
        "period. Median and 90th percentile by the nearest rank (no interpolation)."
    ),
    "no_show": _(
        "Per offer, and for individual appointments: sessions or appointments in the period "
        "the client did not come to without notice, over those attended or missed; "
        "cancellations are left out."
    ),
    "clients": _(
        "Distinct clients with an enrolment in the offer during the period, by their age on "
        "the last day of the period."
    ),
}


@dataclass(frozen=True)
class FigureLine:
    key: str
    label: str
    definition: str
    figure: Figure
    chart: str  # SVG, empty when the page does not show charts

    @property
    def chart_data_uri(self) -> str:
        """The SVG as a data URI: an <img> keeps the page inside its CSP (no inline style)."""
        encoded = base64.b64encode(self.chart.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


def shown_labels(report: KpiReport) -> list[tuple[str, Promise]]:
    """The figures of the report that belong to its organisations, with their labels: a
    Danish organisation has no first-contact figure, a Norwegian one no treatment guarantee."""
    return [(key, label) for key, label in LABELS.items() if key in report.shown]


def figure_lines(report: KpiReport, *, charts: bool = True) -> list[FigureLine]:
    lines = []
    for key, label in shown_labels(report):
        figure = report.figures[key]
        chart = ""
        if charts and report.series.get(key):
            chart = trend_svg(report.series[key], target=figure.target)
        lines.append(FigureLine(key, str(label), str(DEFINITIONS[key]), figure, chart))
    return lines


def _percent(figure: Figure) -> float | str:
    return "" if figure.percent is None else figure.percent


def _target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    sign = ">=" if figure.target_kind == "min" else "<="
    return f"{sign} {round(100 * figure.target)} %"


def table(report: KpiReport) -> list[list[Any]]:
    """The report as rows: a header, then one row per number (shared by CSV and XLSX)."""
    rows: list[list[Any]] = [
        [
            str(_("Figure")),
            str(_("Group")),
            str(_("Numerator")),
            str(_("Denominator")),
            str(_("Percent")),
            str(_("Target")),
        ]
    ]
    for key, label in shown_labels(report):
        figure = report.figures[key]
        rows.append(
            [
                str(label),
                "",
                figure.numerator,
                figure.denominator,
                _percent(figure),
                _target(figure),
            ]
        )
    waiting = report.waiting
    rows.append([str(_("Waiting time, median (days)")), "", waiting.median, waiting.count, "", ""])
    rows.append(
        [str(_("Waiting time, 90th percentile (days)")), "", waiting.p90, waiting.count, "", ""]
    )
    for offer, figure in report.no_show.items():
        rows.append(
            [
                str(_("No-show rate")),
                offer,
                figure.numerator,
                figure.denominator,
                _percent(figure),
                "",
            ]
        )
    for cell in report.clients:
        rows.append(
            [str(_("Clients")), f"{cell.offer} / {cell.band_label}", cell.clients, "", "", ""]
        )
    return rows


def csv_bytes(report: KpiReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(_("Period")), report.start.isoformat(), report.end.isoformat()])
    writer.writerows(table(report))
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def xlsx_bytes(report: KpiReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:  # a new Workbook always has one sheet; this narrows the type
        sheet = workbook.create_sheet()
    sheet.title = str(_("Figures"))[:31]
    sheet.append([str(_("Period")), report.start, report.end])
    for row in table(report):
        sheet.append(row)
    monthly = workbook.create_sheet(str(_("Per month"))[:31])
    monthly.append([str(_("Figure")), str(_("Month")), str(_("Numerator")), str(_("Denominator"))])
    for key, label in shown_labels(report):
        for month, figure in report.series.get(key, []):
            monthly.append([str(label), month, figure.numerator, figure.denominator])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pdf_bytes(report: KpiReport, context: dict[str, Any]) -> bytes:
    html = render_to_string(
        "outcomes/annual_report.html",
        {**context, "report": report, "lines": figure_lines(report), "definitions": DEFINITIONS},
    )
    return render_pdf(html)
