"""Plotly figures (as plain JSON-ready dicts) from numbers already computed.

No database access here. Every figure carries its numbers as text on the marks as well as in
colour, uses Chinese labels, and reads on a projector and on a 375-px phone (large fonts, no
fixed width). No text may stand on other text or be cut by the chart's edge
(tests/test_chart_layout.py): tick labels are horizontal, a line is named in the legend rather
than by a label beside it, and bar texts never shrink below 12 px.

A figure is what Plotly draws on a wide screen. Its "form" (which Plotly never sees) tells the
static script (static/js/charts.js) what kind of chart it is and gives the shorter words it
needs when it redraws the chart for the width of its container: on a phone, horizontal bars
with their names above them, fewer ticks and shorter labels, the latest quarters only.

Each chart's text alternative (the aria-label of its container) says what the chart shows:
dashboards/chart_text.py.
"""

import html
import re

from django.utils.translation import gettext as _

from dashboards.palette import STATUS_COLOURS, STATUS_TEXT

TASK_COLOURS = {
    "done": STATUS_COLOURS["met"],
    "in_progress": STATUS_COLOURS["on_track"],
    "not_started": "#9aa5b1",
    "awaiting": "#c9d6e3",
    "reported": "#e4e8ee",
    "lagging": STATUS_COLOURS["behind"],
    "missing": "#ffffff",
}


def safe(text) -> str:
    """Text from the database as Plotly should show it: Plotly reads a few HTML tags (<b>, <a>,
    <br>) in labels, so any < or > from data is escaped and shows as itself."""
    return html.escape(str(text), quote=False)


FONT = {"family": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif", "size": 15}


def _layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "margin": {"l": 10, "r": 20, "t": 30, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": FONT},
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.22, "x": 0},
    }
    layout.update(extra)
    return layout


def _number(value) -> float | None:
    return None if value is None else float(value)


# A legend on top of the plot, out of the way of the tick labels beneath it.
LEGEND_ON_TOP = {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
DOTTED = {"color": "#1d2733", "width": 2, "dash": "dot"}


def _named_line(name: str) -> dict:
    """A legend entry for a line drawn as a shape: the line's dotted sample and its name, so
    that no label has to stand beside the line, over the bars or points near it."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": [None],
        "y": [None],
        "line": DOTTED,
        "hoverinfo": "skip",
    }


def two_lines(label: str) -> str:
    """A quarter's label on two lines, to stand horizontally under a narrow column:
    2024年 / 第二季度, Q2 / 2024."""
    label = safe(label)
    if " " in label:
        return label.replace(" ", "<br>", 1)
    head, year_mark, rest = label.partition("年")
    return f"{head}{year_mark}<br>{rest}" if year_mark and rest else label


def _quarter_axis(labels: list[str], **extra) -> dict:
    """An axis of quarters: every label written level, on two lines (year, quarter)."""
    return {
        "tickvals": labels,
        "ticktext": [two_lines(label) for label in labels],
        "tickangle": 0,
        "automargin": True,
        "fixedrange": True,
        **extra,
    }


def year_ticks(labels: list[str]) -> dict:
    """One tick per year for a quarter axis too narrow for every quarter: at the middle of the
    year's quarters (category axes take fractional positions), named by the year."""
    years: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        found = re.search(r"\d{4}", str(label))
        if found:
            years.setdefault(found.group(), []).append(index)
    return {
        "tickvals": [sum(at) / len(at) for at in years.values()],
        "ticktext": list(years),
    }


def short_unit_name(name: str) -> str:
    """A unit's name on a chart: 高新区管委会 → 高新区 (the table beside it keeps the full name)."""
    return name[: -len("管委会")] if name.endswith("管委会") and len(name) > 3 else name


def bullet_figure(rows: list[dict]) -> dict:
    """One horizontal bullet per target, on a common scale: % of the 2025 target.

    rows: label, actual_pct, expected_pct, status, status_label, hover (text).
    The bar is the figure reached, the diamond where it should be by now, the line at 100 the
    target; the status label is written on each bar. Each target's name stands above its bar
    rather than beside it, so that long Chinese names need no left margin and the chart reads
    the same on a projector and on a 375-px phone.
    """
    labels = [safe(r["label"]) for r in rows]
    actual = [_number(r["actual_pct"]) for r in rows]
    widest = max([a or 0 for a in actual] + [_number(r["expected_pct"]) or 0 for r in rows])
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "已完成（占2025年目标%）",
                "y": labels,
                "x": [a if a is not None else 0 for a in actual],
                "width": 0.45,
                "marker": {"color": [STATUS_COLOURS[r["status"]] for r in rows]},
                "text": [
                    f"{r['status_label']} {a:.0f}%" if a is not None else r["status_label"]
                    for r, a in zip(rows, actual, strict=True)
                ],
                # Plotly drops "auto" text on a zero-length bar (0% or no data), which
                # would leave that target's status unsaid: such bars write it outside.
                "textposition": ["auto" if a else "outside" for a in actual],
                "insidetextanchor": "start",
                "insidetextfont": {"color": STATUS_TEXT},
                "cliponaxis": False,
                "hovertext": [r["hover"] for r in rows],
                "hoverinfo": "text",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "按进度应达到",
                "y": labels,
                "x": [_number(r["expected_pct"]) for r in rows],
                "marker": {"symbol": "diamond", "size": 13, "color": "#1d2733"},
                "hoverinfo": "skip",
            },
        ],
        "layout": _layout(
            height=110 + 72 * len(rows),
            barmode="overlay",
            margin={"l": 8, "r": 16, "t": 30, "b": 30},
            legend=LEGEND_ON_TOP,
            xaxis={
                "ticksuffix": "%",
                "range": [0, max(115.0, widest * 1.15)],
                "gridcolor": "#e4e8ee",
                "fixedrange": True,
            },
            yaxis={"showticklabels": False, "autorange": "reversed", "fixedrange": True},
            shapes=[
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": 100,
                    "x1": 100,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#1d2733", "width": 2, "dash": "dot"},
                }
            ],
            annotations=[
                {
                    "xref": "paper",
                    "x": 0,
                    "xanchor": "left",
                    "yref": "y",
                    "y": label,
                    "yanchor": "bottom",
                    "yshift": 18,
                    "text": label,
                    "showarrow": False,
                    "align": "left",
                }
                for label in labels
            ],
        ),
        "form": {"kind": "bullet"},
    }


def trajectory_figure(
    *, labels: list[str], actual: list, expected: list, target, unit: str, actual_name: str = "实际"
) -> dict:
    """Actual against the expected path, quarter by quarter, with the target as a dotted line.

    Each point writes its number above itself (the first to its right, the last to its left, so
    that neither leans out of the plot); the target line is named in the legend, not beside the
    line where the last points' numbers stand. The y range leaves room above the highest point
    for its number. On a narrow screen the script keeps one tick a year and the last number.
    """
    values = [v for v in (*actual, *expected, target) if v is not None]
    low = min([0.0, *map(float, values)])
    high = max([0.0, *map(float, values)])
    span = (high - low) or 1.0
    positions = ["top center"] * len(labels)
    if len(labels) > 1:
        positions[0], positions[-1] = "top right", "top left"
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers+text",
            "name": actual_name,
            "x": labels,
            "y": [_number(v) for v in actual],
            "text": [number_label(v) for v in actual],
            "textposition": positions,
            "textfont": {"size": 13},
            "line": {"color": "#a8201a", "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("按进度应达到"),
            "x": labels,
            "y": [_number(v) for v in expected],
            "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"},
        },
    ]
    if target is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("目标 %(value)s") % {"value": amount_label(target, unit)},
                "x": [labels[0], labels[-1]] if labels else [],
                "y": [float(target), float(target)] if labels else [],
                "line": DOTTED,
                "hoverinfo": "skip",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=440,
            margin={"l": 10, "r": 20, "t": 40, "b": 20},
            legend=LEGEND_ON_TOP,
            yaxis={
                "title": {"text": unit},
                "range": [low - (0.05 * span if low < 0 else 0), high + 0.18 * span],
                "gridcolor": "#e4e8ee",
                "automargin": True,
                "fixedrange": True,
            },
            xaxis=_quarter_axis(labels, type="category"),
        ),
        "form": {"kind": "trajectory", "years": year_ticks(labels)},
    }


def county_bars_figure(
    *,
    names: list[str],
    values: list,
    statuses: list[str],
    status_labels: list[str],
    line,
    unit: str,
    title: str,
) -> dict:
    """One bar per county with the per-county requirement (e.g. 3.5 亿元) as a dotted line.

    The line lies behind the bars and is named in the legend, so that neither it nor its name
    crosses a bar's number. Each bar writes its number and status inside its top, or above it
    when the bar is too short; the names under the bars are short (高新区, not 高新区管委会)
    and the script breaks them to the width of a bar. On a phone the script turns the chart
    into horizontal bars with each county's name above its bar.
    """
    names = [safe(n) for n in names]
    numbers = [_number(v) for v in values]
    requirement = _("每个县市区 %(value)s %(unit)s") % {"value": number_label(line), "unit": unit}
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": [n or 0 for n in numbers],
                "marker": {"color": [STATUS_COLOURS[s] for s in statuses]},
                "text": [
                    f"{number_label(v)}<br>{safe(lbl)}"
                    for v, lbl in zip(values, status_labels, strict=True)
                ],
                "textposition": "auto",
                "textangle": 0,
                "insidetextanchor": "end",
                "constraintext": "none",
                "insidetextfont": {"color": STATUS_TEXT},
                "textfont": {"size": 13},
                "cliponaxis": False,
                "name": title,
                "showlegend": False,
                "hoverinfo": "x+text",
            },
            _named_line(requirement),
        ],
        "layout": _layout(
            height=480,
            margin={"l": 10, "r": 20, "t": 40, "b": 20},
            legend=LEGEND_ON_TOP,
            xaxis={
                "tickvals": names,
                "ticktext": [safe(short_unit_name(n)) for n in names],
                "tickangle": 0,
                "automargin": True,
                "fixedrange": True,
            },
            yaxis={
                "title": {"text": unit},
                "gridcolor": "#e4e8ee",
                "automargin": True,
                "fixedrange": True,
                "range": [0, 1.3 * max([n or 0 for n in numbers] + [float(line)])],
            },
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": float(line),
                    "y1": float(line),
                    "layer": "below",
                    "line": DOTTED,
                }
            ],
        ),
        "form": {"kind": "county", "names": [safe(short_unit_name(n)) for n in names]},
    }


def compliance_figure(rows: list[dict]) -> dict:
    """Stacked bars per unit: on time, late, missing, each part writing its number.

    The numbers stand upright (the script draws them at 14 px, 12 px on a phone) and the
    script leaves out the number of a part too short to hold it, rather than letting Plotly
    shrink or turn it (the table under the chart has every number). On a phone the script
    draws each unit's bar as shares of what it owes, full width, with the unit's name and
    what it owes above the bar.
    """
    names = [safe(r["unit"]) for r in rows]
    parts = [
        ("on_time", "按时报送", STATUS_COLOURS["met"]),
        ("late", "逾期报送", STATUS_COLOURS["warning"]),
        ("missing", "未报", STATUS_COLOURS["missed"]),
    ]
    owed = [r["on_time"] + r["late"] + r["missing"] for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": names,
                "x": [r[key] for r in rows],
                "marker": {"color": colour},
                "text": [str(r[key]) if r[key] else "" for r in rows],
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "middle",
                "textfont": {"size": 13},
                "insidetextfont": {"color": STATUS_TEXT},
            }
            for key, label, colour in parts
        ],
        "layout": _layout(
            height=110 + 30 * len(rows),
            barmode="stack",
            bargap=0.25,
            margin={"l": 10, "r": 20, "t": 40, "b": 20},
            # In the order of the bars' parts (Plotly reverses a stacked chart's legend).
            legend={**LEGEND_ON_TOP, "traceorder": "normal"},
            yaxis={"automargin": True, "autorange": "reversed", "fixedrange": True},
            xaxis={
                "title": {"text": "应报项数"},
                "gridcolor": "#e4e8ee",
                "automargin": True,
                "fixedrange": True,
            },
        ),
        "form": {
            "kind": "compliance",
            "names": [
                _("%(unit)s（应报 %(n)d 项）") % {"unit": name, "n": n}
                for name, n in zip(names, owed, strict=True)
            ],
            "share_title": _("占应报项数的比例"),
        },
    }


def heatmap_figure(
    *, rows: list[str], columns: list[str], codes: list[list[str]], labels: list[list[str]]
) -> dict:
    """Tasks × quarters, each cell coloured by its status and labelled with it.

    The quarters stand on two lines above their columns, horizontally. Where the container is
    too narrow for every quarter at a readable size, the script shows the latest quarters that
    fit and says so under the chart ("note"; the table beneath holds every quarter).
    """
    rows = [safe(r) for r in rows]
    order = list(TASK_COLOURS)
    z = [[order.index(code) for code in row] for row in codes]
    n = len(order) - 1
    # One flat band per code, between the midpoints to its neighbours. The stops must never
    # decrease: Plotly drops a colour scale whose positions go back, even by a rounding error.
    edges = [0.0, *(round((i + 0.5) / n, 6) for i in range(n)), 1.0]
    scale = []
    for i, code in enumerate(order):
        scale += [[edges[i], TASK_COLOURS[code]], [edges[i + 1], TASK_COLOURS[code]]]
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": columns,
                "y": rows,
                "text": labels,
                "texttemplate": "%{text}",
                "textfont": {"size": 13},
                "hoverinfo": "x+y+text",
                "showscale": False,
                "zmin": 0,
                "zmax": n,
                "colorscale": scale,
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": _layout(
            height=90 + 34 * len(rows),
            showlegend=False,
            margin={"l": 10, "r": 10, "t": 50, "b": 10},
            xaxis=_quarter_axis(columns, side="top"),
            yaxis={"automargin": True, "autorange": "reversed", "fixedrange": True},
        ),
        "form": {
            "kind": "heatmap",
            # {shown} and {all} are filled in by the script.
            "note": _("最近 {shown} 个季度（共 {all} 个，见下表）"),
        },
    }


def number_label(value) -> str:
    """A number as a label: thousands separated, no trailing zeros (3.50 → 3.5)."""
    if value is None:
        return ""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return text


def amount_label(value, unit: str) -> str:
    """A number with its measure: 3.5 亿元, 12.5%."""
    number = number_label(value)
    return f"{number}%" if unit == "%" else f"{number} {unit}".rstrip()


# --- text alternatives: what each chart shows, in words, for its container's aria-label -------
