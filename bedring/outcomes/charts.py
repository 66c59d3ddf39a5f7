"""Server-rendered SVG charts of the monthly series: the figure per month against a dashed
target line. matplotlib with the Agg backend (no display), rendered to a string and inlined in
the page and the PDF; the output is deterministic (fixed hash salt, no date in the metadata)
so that the same figures give the same bytes in the same language.

The chart scales with the space it gets: the SVG keeps its viewBox and has no fixed size
(``width="100%"``), and is drawn small (4.2 x 2.4 in) with large text, so that at a phone's
width its month labels stay readable. The months are named in the active language
(Django's ``N`` format: "jan.", "feb." in Danish), at most :data:`MAX_LABELS` of them, with
the year under the first one and under each January.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import threading

import matplotlib

matplotlib.use("Agg")

from django.utils.formats import date_format
from matplotlib.figure import Figure as MplFigure

from .kpis import Figure

# pyplot keeps global state; the Figure API does not, but rcParams are global: one at a time.
_LOCK = threading.Lock()

MAX_LABELS = 6
FONT_SIZE = 11
# The size attributes of the <svg> element matplotlib writes (in pt): replaced by width="100%".
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def month_ticks(months: list[datetime.date]) -> tuple[list[int], list[str]]:
    """The positions of the labelled months (every month, or every n-th so that at most
    MAX_LABELS are labelled) and their labels in the active language."""
    step = max(1, math.ceil(len(months) / MAX_LABELS))
    positions = list(range(0, len(months), step))
    labels = []
    year = None
    for position in positions:
        month = months[position]
        label = date_format(month, "N")
        if month.year != year:
            label = f"{label}\n{month.year}"
            year = month.year
        labels.append(label)
    return positions, labels


def responsive(svg: str) -> str:
    """The <svg> element without its fixed size: it fills the width it is given and keeps
    the proportions of its viewBox."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    tag = _SIZE.sub("", svg[start:end])
    return f'{tag} width="100%"{svg[end:]}'


def trend_svg(series: list[tuple[datetime.date, Figure]], *, target: float | None) -> str:
    """An SVG line chart of the monthly percentages (months without data leave a gap)."""
    months = [month for month, _figure in series]
    values = [
        float("nan") if figure.percent is None else figure.percent for _month, figure in series
    ]
    with _LOCK, matplotlib.rc_context({"svg.hashsalt": "bedring", "svg.fonttype": "none"}):
        chart = MplFigure(figsize=(4.2, 2.4), dpi=72)
        axes = chart.add_subplot()
        axes.plot(range(len(values)), values, marker="o", color="#1f4e79", linewidth=1.5)
        if target is not None:
            axes.axhline(100 * target, color="#b03a2e", linestyle="--", linewidth=1)
        axes.set_ylim(0, 100)
        axes.set_ylabel("%", fontsize=FONT_SIZE)
        axes.set_xlim(-0.5, len(values) - 0.5)
        positions, labels = month_ticks(months)
        axes.set_xticks(positions, labels, fontsize=FONT_SIZE)
        axes.tick_params(axis="y", labelsize=FONT_SIZE)
        axes.grid(axis="y", alpha=0.3)
        chart.tight_layout(pad=0.4)
        out = io.StringIO()
        chart.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    # Inline in HTML: drop the XML declaration and DOCTYPE, keep the <svg> element.
    return responsive(out.getvalue())
