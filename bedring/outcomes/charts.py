"""Server-rendered SVG charts of the monthly series: the figure per month against a dashed
target line. matplotlib with the Agg backend (no display), rendered to a string and inlined in
the page and the PDF; the output is deterministic (fixed hash salt, no date in the metadata)
so that the same figures give the same bytes.
"""

from __future__ import annotations

import datetime
import io
import threading

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure as MplFigure

from .kpis import Figure

# pyplot keeps global state; the Figure API does not, but rcParams are global: one at a time.
_LOCK = threading.Lock()


def trend_svg(
    series: list[tuple[datetime.date, Figure]], *, title: str, target: float | None
) -> str:
    """An SVG line chart of the monthly percentages (months without data leave a gap)."""
    labels = [month.strftime("%Y-%m") for month, _figure in series]
    values = [
        float("nan") if figure.percent is None else figure.percent for _month, figure in series
    ]
    with _LOCK, matplotlib.rc_context({"svg.hashsalt": "bedring", "svg.fonttype": "none"}):
        chart = MplFigure(figsize=(6.4, 2.6), dpi=72)
        axes = chart.add_subplot()
        positions = list(range(len(labels)))
        axes.plot(positions, values, marker="o", color="#1f4e79", linewidth=1.5)
        if target is not None:
            axes.axhline(100 * target, color="#b03a2e", linestyle="--", linewidth=1)
        axes.set_ylim(0, 100)
        axes.set_ylabel("%")
        axes.set_title(title, fontsize=10)
        step = max(1, len(labels) // 12)
        axes.set_xticks(positions[::step], labels[::step], rotation=45, fontsize=7)
        axes.grid(axis="y", alpha=0.3)
        chart.tight_layout()
        out = io.StringIO()
        chart.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    # Inline in HTML: drop the XML declaration and DOCTYPE, keep the <svg> element.
    return svg[svg.index("<svg") :]
