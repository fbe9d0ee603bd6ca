"""Plotly figures (as plain JSON-ready dicts) from numbers already computed.

No database access here. Every figure carries its numbers as text on the marks as well as in
colour, uses Chinese labels, and reads on a projector and on a 375-px phone (large fonts, no
fixed width: the static script draws them responsive).
"""

import html

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
            legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
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
                    "yshift": 24,
                    "text": label,
                    "showarrow": False,
                    "align": "left",
                }
                for label in labels
            ],
        ),
    }


def trajectory_figure(
    *, labels: list[str], actual: list, expected: list, target, unit: str, actual_name: str = "实际"
) -> dict:
    """Actual against the expected path, quarter by quarter, with the target as a line."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers+text",
            "name": actual_name,
            "x": labels,
            "y": [_number(v) for v in actual],
            "text": [number_label(v) for v in actual],
            "textposition": "top center",
            "line": {"color": "#a8201a", "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "按进度应达到",
            "x": labels,
            "y": [_number(v) for v in expected],
            "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"},
        },
    ]
    shapes = []
    if target is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": float(target),
                "y1": float(target),
                "line": {"color": "#1d2733", "dash": "dot"},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=440,
            yaxis={
                "title": {"text": unit},
                "rangemode": "tozero",
                "gridcolor": "#e4e8ee",
                "automargin": True,
            },
            xaxis={"type": "category", "tickangle": -30, "automargin": True},
            shapes=shapes,
            annotations=[
                {
                    "xref": "paper",
                    "x": 1,
                    "y": float(target),
                    "text": f"目标 {number_label(target)}",
                    "showarrow": False,
                    "yshift": 10,
                    "xanchor": "right",
                }
            ]
            if target
            else [],
        ),
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
    """One bar per county with the per-county requirement (e.g. 3.5 亿元) as a line."""
    names = [safe(n) for n in names]
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": [_number(v) or 0 for v in values],
                "marker": {"color": [STATUS_COLOURS[s] for s in statuses]},
                "text": [
                    f"{number_label(v)}<br>{lbl}"
                    for v, lbl in zip(values, status_labels, strict=True)
                ],
                "textposition": "outside",
                "cliponaxis": False,
                "name": title,
                "hoverinfo": "x+text",
            }
        ],
        "layout": _layout(
            height=480,
            showlegend=False,
            xaxis={"tickangle": -45, "automargin": True},
            yaxis={
                "title": {"text": unit},
                "gridcolor": "#e4e8ee",
                "automargin": True,
                "range": [0, 1.3 * max([_number(v) or 0 for v in values] + [float(line)])],
            },
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": float(line),
                    "y1": float(line),
                    "line": {"color": "#1d2733", "width": 2, "dash": "dot"},
                }
            ],
            annotations=[
                {
                    "xref": "paper",
                    "x": 1,
                    "y": float(line),
                    "text": f"每个县市区 {number_label(line)} {unit}",
                    "showarrow": False,
                    "yshift": 12,
                    "xanchor": "right",
                    "bgcolor": "#ffffff",
                }
            ],
        ),
    }


def compliance_figure(rows: list[dict]) -> dict:
    """Stacked bars per unit: on time, late, missing."""
    names = [safe(r["unit"]) for r in rows]
    parts = [
        ("on_time", "按时报送", STATUS_COLOURS["met"]),
        ("late", "逾期报送", STATUS_COLOURS["warning"]),
        ("missing", "未报", STATUS_COLOURS["missed"]),
    ]
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
                "insidetextfont": {"color": STATUS_TEXT},
            }
            for key, label, colour in parts
        ],
        "layout": _layout(
            height=80 + 26 * len(rows),
            barmode="stack",
            yaxis={"automargin": True, "autorange": "reversed"},
            xaxis={"title": {"text": "应报项数"}, "gridcolor": "#e4e8ee"},
        ),
    }


def heatmap_figure(
    *, rows: list[str], columns: list[str], codes: list[list[str]], labels: list[list[str]]
) -> dict:
    """Tasks × quarters, each cell coloured by its status and labelled with it."""
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
            xaxis={"side": "top", "tickangle": -30},
            yaxis={"automargin": True, "autorange": "reversed"},
        ),
    }


def number_label(value) -> str:
    """A number as a label: thousands separated, no trailing zeros (3.50 → 3.5)."""
    if value is None:
        return ""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return text
