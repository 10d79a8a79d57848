"""Charts of results, drawn on the server with matplotlib (Agg): SVG for the web, PNG for Word.

Made to be read by everyone: lines told apart by dash pattern and marker as well as by a colour
scale that prints in grey, the target as a dashed line with its label, figures at each point,
an alternative text that says what the chart shows, and the data table behind every chart
(`chart_table`) for screen readers and print.
"""

from __future__ import annotations

import io
import threading
from xml.sax.saxutils import escape

from kvalitet.results.model import Series
from kvalitet.results.values import format_value

# Dark-to-light greys and dash/marker styles: distinguishable when printed in black and white.
_COLOURS = ("#1f1f1f", "#555555", "#8a8a8a", "#b0b0b0", "#333333", "#707070")
_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v"), ("--", "P"))
_LOCK = threading.Lock()  # pyplot's state is global: one figure at a time


def _label(s: Series) -> str:
    parts = [s.entity] if s.entity else []
    if s.gender and s.gender != "T":
        parts.append({"K": "flickor/kvinnor", "M": "pojkar/män"}.get(s.gender, s.gender))
    return ", ".join(parts) or s.title


def alt_text(series: list[Series]) -> str:
    """A sentence per series: first and last value, and the target, in Swedish."""
    out = []
    for s in series:
        pts = [(p.year, p.value) for p in sorted(s.points, key=lambda p: p.year) if p.value is not None]
        if not pts:
            out.append(f"{s.title}: inga värden.")
            continue
        (first_year, first_value), (last_year, last_value) = pts[0], pts[-1]
        text = (f"{s.title}{' (' + _label(s) + ')' if s.entity or (s.gender and s.gender != 'T') else ''}: "
                f"{format_value(first_value, s.unit)} {first_year}")
        if len(pts) > 1:
            text += f" och {format_value(last_value, s.unit)} {last_year}"
        target, _ = s.latest_target()
        if target is not None:
            text += f"; målnivå {format_value(target, s.unit)}"
        out.append(text + ".")
    return "Diagram. " + " ".join(out)


def chart_table(series: list[Series]) -> dict:
    """The data behind a chart: {"columns": ["År", label…], "rows": [[year, "84 %", …], …]}."""
    years = sorted({p.year for s in series for p in s.points})
    cols = ["År"] + [_label(s) if len(series) > 1 else s.title for s in series]
    rows = []
    for y in years:
        row = [str(y)]
        for s in series:
            p = next((p for p in s.points if p.year == y), None)
            row.append(format_value(p.value, s.unit) if p and p.value is not None else "–")
        rows.append(row)
    return {"columns": cols, "rows": rows}


def _draw(series: list[Series], title: str | None, width_in: float, height_in: float):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=100)
    unit = series[0].unit if series else None
    # Every year any series has: a year a series lacks is a gap in its line, never bridged.
    years = list(range(min(p.year for s in series for p in s.points), max(p.year for s in series for p in s.points) + 1))
    for i, s in enumerate(series):
        by_year = {p.year: p.value for p in s.points if p.value is not None}
        if not by_year:
            continue
        ls, marker = _STYLES[i % len(_STYLES)]
        ys = [by_year.get(y, float("nan")) for y in years]
        ax.plot(years, ys, linestyle=ls, marker=marker, color=_COLOURS[i % len(_COLOURS)], linewidth=2,
                label=_label(s) if len(series) > 1 else s.title)
        if len(series) <= 2:
            for x, y in sorted(by_year.items()):
                ax.annotate(format_value(y, s.unit), (x, y), textcoords="offset points", xytext=(0, 7),
                            ha="center", fontsize=8, color="#1f1f1f")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}".replace(".", ",")))
    targets = {t for s in series if (t := s.latest_target()[0]) is not None}
    if len(targets) == 1:
        t = targets.pop()
        ax.axhline(t, linestyle=(0, (6, 3)), color="#000000", linewidth=1.2)
        ax.annotate(f"Målnivå {format_value(t, unit)}", xy=(0.995, t), xycoords=("axes fraction", "data"),
                    ha="right", va="bottom", fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if unit == "%":
        ax.set_ylabel("Procent")
    elif unit:
        ax.set_ylabel(unit.capitalize())
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig, plt


def chart_svg(series: list[Series], title: str | None = None) -> str:
    """An SVG chart of the series over the years (target line when they share one), with <title>
    and <desc> (the alternative text) for screen readers. Raises ValueError for no series."""
    if not series:
        raise ValueError("no series to draw")
    with _LOCK:
        fig, plt = _draw(series, title, 7.0, 3.6)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    desc = escape(alt_text(series))
    head = f'<title>{escape(title or series[0].title)}</title><desc>{desc}</desc>'
    i = svg.find(">", svg.find("<svg")) + 1
    svg = svg[:i] + head + svg[i:]
    return svg.replace("<svg ", '<svg role="img" aria-label="' + desc + '" ', 1)


def chart_png(series: list[Series], title: str | None = None, *, dpi: int = 150) -> bytes:
    """The same chart as PNG bytes for the Word export (16 × 8 cm at `dpi`)."""
    if not series:
        raise ValueError("no series to draw")
    with _LOCK:
        fig, plt = _draw(series, title, 6.3, 3.2)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        plt.close(fig)
    return buf.getvalue()
