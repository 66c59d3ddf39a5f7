"""The needle exchange's monthly chart (HRM-9): bars of a percentage per month against a
dashed reference line (100 %: a new syringe for every injection; every item back).

Drawn by hand as an SVG element, not with matplotlib as the outcome charts are: it is inline
in the page, so it needs no ``<style>`` (the strict CSP), and it is accessible as it is:
``role="img"`` with a title and a description that says the numbers, a ``<title>`` on every
bar, and the same numbers in the table beside it. Like the outcome charts it keeps its
``viewBox`` and fills the width it gets (``width="100%"``, CSS ``svg.exchange-chart``), and
names the months in the reader's language. The same figures give the same bytes.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

LEFT = 44  # room for the axis labels
TOP = 8
PLOT_HEIGHT = 120
BOTTOM = 36  # room for the month labels and the year
STEP = 30
BAR = 20
# Large for a chart this narrow: at a phone's width it is drawn at about 0.8 of its units.
FONT = 13
BAR_FILL = "#1f4e79"
ESTIMATED_FILL = "#6b8fb3"
REFERENCE = "#b03a2e"
GRID = "#d5dbe3"
TEXT = "#3d4654"


@dataclass(frozen=True)
class Bar:
    month: datetime.date
    value: float | None  # a share (1.0 = 100 %); None: no value that month
    estimated: bool = False


def percent(value: float | None) -> str:
    return "–" if value is None else f"{number_format(round(100 * value))} %"


def _top(bars: Sequence[Bar]) -> float:
    """The axis' top: at least 100 %, else the highest bar rounded up to the next 50 %."""
    highest = max((b.value for b in bars if b.value is not None), default=0.0)
    return max(1.0, math.ceil(highest * 2) / 2)


def bar_chart(
    bars: Sequence[Bar], *, element_id: str, title: str, reference: float | None = 1.0
) -> SafeString:
    """An SVG bar chart of ``bars`` (one per month, oldest first)."""
    top = _top(bars)
    width = LEFT + len(bars) * STEP + 4
    height = TOP + PLOT_HEIGHT + BOTTOM

    def y(value: float) -> float:
        return round(TOP + PLOT_HEIGHT * (1 - value / top), 1)

    valued = [b for b in bars if b.value is not None]
    if valued:
        desc = "; ".join(
            f"{date_format(b.month, 'F Y')}: {percent(b.value)}"
            + (f" ({_('estimated')})" if b.estimated else "")
            for b in bars
        )
    else:
        desc = _("No value in these months.")
    ticks = [i / 2 for i in range(int(top * 2) + 1)]
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>',
        (
            (LEFT, width - 4, y(t), y(t), GRID, LEFT - 4, y(t) + 4, FONT - 1, TEXT, percent(t))
            for t in ticks
        ),
    )
    drawn = []
    for index, bar in enumerate(bars):
        x = LEFT + index * STEP + (STEP - BAR) // 2
        name = date_format(bar.month, "F Y")
        if bar.value is None:
            drawn.append(
                format_html(
                    '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="2" fill="{}"/></g>',
                    _("%(month)s: no value") % {"month": name},
                    x,
                    TOP + PLOT_HEIGHT - 2,
                    BAR,
                    GRID,
                )
            )
            continue
        bar_top = y(min(bar.value, top))
        label = f"{name}: {percent(bar.value)}"
        if bar.estimated:
            label += f" ({_('estimated')})"
        drawn.append(
            format_html(
                '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/></g>',
                label,
                x,
                bar_top,
                BAR,
                round(TOP + PLOT_HEIGHT - bar_top, 1),
                ESTIMATED_FILL if bar.estimated else BAR_FILL,
            )
        )
    line = ""
    if reference is not None and reference <= top:
        line = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="5 3"/>',
            LEFT,
            width - 4,
            y(reference),
            y(reference),
            REFERENCE,
        )
    labels = []
    year = None
    for index, bar in enumerate(bars):
        x = LEFT + index * STEP + STEP // 2
        labels.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
                x,
                TOP + PLOT_HEIGHT + 15,
                FONT,
                TEXT,
                date_format(bar.month, "M"),
            )
        )
        if bar.month.year != year:
            year = bar.month.year
            labels.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
                    x,
                    TOP + PLOT_HEIGHT + 31,
                    FONT - 3,  # "2026" under "Jan" beside "2025" under "Dec"
                    TEXT,
                    year,
                )
            )
    return format_html(
        '<svg class="exchange-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="100%" role="img" aria-labelledby="{id}-title {id}-desc" data-testid="{id}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{bars}{line}{labels}</svg>",
        w=width,
        h=height,
        id=element_id,
        title=title,
        desc=desc,
        grid=grid,
        bars=SafeString("".join(drawn)),
        line=line,
        labels=SafeString("".join(labels)),
    )
