"""The digest's chart: tasks by status for each lead agency, as a phone-sized PNG."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence

# The Agg canvas drawn on directly, never pyplot: no display on a server, and no global
# figure state shared between the service's concurrent tasks.
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports.colours import BARS
from texts import t

MAX_AGENCIES = 15
LABEL_WIDTH = 28  # characters per line of an agency's name
FONT = "DejaVu Sans"  # has every Vietnamese letter with its tone marks


def _rows(rows: Sequence[tuple[str, Mapping[str, int]]]) -> list[tuple[str, dict[str, int]]]:
    """At most MAX_AGENCIES bars; the rest folded into one "other agencies" bar."""
    shown = [(name, dict(counts)) for name, counts in rows[:MAX_AGENCIES]]
    rest = rows[MAX_AGENCIES:]
    if rest:
        merged: dict[str, int] = {}
        for _, counts in rest:
            for key, n in counts.items():
                merged[key] = merged.get(key, 0) + n
        shown.append((t("chart.others", count=len(rest)), merged))
    return shown


def status_chart(rows: Sequence[tuple[str, Mapping[str, int]]], title: str) -> bytes:
    """A horizontal stacked bar per agency (first row on top), as PNG bytes."""
    bars = _rows(rows)
    labels = [textwrap.fill(name, LABEL_WIDTH) for name, _ in bars]
    lines = sum(label.count("\n") + 1 for label in labels)
    height = 2.2 + 0.32 * max(lines, 1) + 0.12 * len(bars)
    with rc_context({"font.family": FONT, "font.size": 11}):
        fig = Figure(figsize=(6.4, height), dpi=150, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        positions = list(range(len(bars)))[::-1]
        left = [0] * len(bars)
        for key, colour in BARS.items():
            widths = [counts.get(key, 0) for _, counts in bars]
            if not any(widths):
                continue
            drawn = ax.barh(
                positions, widths, left=left, color=colour, label=t(f"chart.key.{key}"), height=0.7
            )
            for rect, n in zip(drawn, widths, strict=True):
                if n:
                    ax.text(
                        rect.get_x() + rect.get_width() / 2,
                        rect.get_y() + rect.get_height() / 2,
                        str(n),
                        ha="center",
                        va="center",
                        color="white",
                        fontsize=10,
                        fontweight="bold",
                    )
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(positions, labels)
        ax.set_xlabel(t("chart.axis"))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        fig.suptitle(textwrap.fill(title, 56), fontsize=12, fontweight="bold")
        if bars:
            fig.legend(loc="outside lower center", ncol=3, frameon=False, fontsize=9)
        else:
            ax.text(0.5, 0.5, t("chart.empty"), ha="center", va="center", transform=ax.transAxes)
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()
