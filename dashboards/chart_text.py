"""The text alternative of each chart (the aria-label of its container, dashboards/charts.py):
what the chart shows, in words — the statuses counted, the units' reporting, the quarters drawn,
the required line. Pure: numbers already computed in, sentences out."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from dashboards.charts import amount_label
from dashboards.dashboard import STATUS_ORDER
from targets.progress import STATUS_LABELS


def _separator() -> str:
    return pgettext("between the parts of a chart's summary", "，")


def _sentences(parts: list[str]) -> str:
    return pgettext("between the sentences of a chart's summary", "。").join(parts)


def _headed(head: str, parts: str) -> str:
    """The head, a colon and what follows it (7 项指标：已达成 2 项，…); the head alone when
    nothing follows it."""
    return _("%(head)s：%(parts)s") % {"head": head, "parts": parts} if parts else head


def _counted(counts: Counter, order: list, label, pattern: str) -> str:
    """'已达成 2 项，正常 3 项': the non-zero counts in `order`, then any other in the order met."""
    keys = [k for k in order if counts[k]] + [k for k in counts if k not in order and counts[k]]
    return _separator().join(pattern % {"label": label(k), "n": counts[k]} for k in keys)


def _by_frequency(values) -> tuple[Counter, list]:
    counts = Counter(values)
    return counts, sorted(counts, key=lambda v: -counts[v])  # a stable sort: ties as first met


def targets_summary(*, title: str, statuses: list[str]) -> str:
    """A section of 总览 in words: "二、主要目标。7 项指标：已达成 2 项，正常 3 项，滞后 2 项".

    `statuses` are the targets' status codes; they are counted in the overview's order of
    statuses (dashboards/dashboard.py), a status no target has is left out."""
    counts = Counter(statuses)
    parts = _counted(
        counts, STATUS_ORDER, lambda s: STATUS_LABELS.get(s, s), _("%(label)s %(n)d 项")
    )
    head = ngettext("%(n)d 项指标", "%(n)d 项指标", len(statuses)) % {"n": len(statuses)}
    return _sentences([title, _headed(head, parts)])


def compliance_summary(rows: list[dict]) -> str:
    """报送情况 in words: "31 个单位：按时报齐 12，有逾期 10，有未报 9。共应报 120 项：…".

    rows: on_time, late, missing (items). A unit with any item missing counts as 有未报, else
    one with any item late as 有逾期, else as 按时报齐: each unit is counted once."""
    missing = sum(1 for r in rows if r["missing"])
    late = sum(1 for r in rows if r["late"] and not r["missing"])
    units = ngettext(
        "%(n)d 个单位：按时报齐 %(on_time)d，有逾期 %(late)d，有未报 %(missing)d",
        "%(n)d 个单位：按时报齐 %(on_time)d，有逾期 %(late)d，有未报 %(missing)d",
        len(rows),
    ) % {"n": len(rows), "on_time": len(rows) - missing - late, "late": late, "missing": missing}
    items = _("共应报 %(owed)d 项：按时 %(on_time)d，逾期 %(late)d，未报 %(missing)d") % {
        "owed": sum(r["on_time"] + r["late"] + r["missing"] for r in rows),
        "on_time": sum(r["on_time"] for r in rows),
        "late": sum(r["late"] for r in rows),
        "missing": sum(r["missing"] for r in rows),
    }
    return _sentences([_("各单位报送情况"), units, *([items] if rows else [])])


def heatmap_summary(
    *, title: str, rows: list[str], columns: list[str], labels: list[list[str]]
) -> str:
    """A unit's tasks × quarters in words: how many tasks and quarters, the latest quarter's
    statuses ("2025年第四季度：推进中 17 项，逾期未报 2 项") and every quarter's together
    ("全部季度合计：推进中 270 项次，…"), the most frequent first."""
    if not rows or not columns:
        return title
    span = (
        _("%(first)s至%(last)s共 %(n)d 个季度")
        % {"first": columns[0], "last": columns[-1], "n": len(columns)}
        if len(columns) > 1
        else columns[0]
    )
    head = ngettext("%(n)d 项重点任务", "%(n)d 项重点任务", len(rows)) % {"n": len(rows)}
    latest, order = _by_frequency(row[-1] for row in labels)
    every, every_order = _by_frequency(label for row in labels for label in row)
    return _sentences(
        [
            title,
            _("%(tasks)s，%(span)s") % {"tasks": head, "span": span},
            _headed(columns[-1], _counted(latest, order, str, _("%(label)s %(n)d 项"))),
            _headed(
                _("全部季度合计"), _counted(every, every_order, str, _("%(label)s %(n)d 项次"))
            ),
        ]
    )


def trajectory_summary(
    *, title: str, labels: list[str], actual: list, expected: list, target, unit: str
) -> str:
    """A city target's chart in words: the quarters it covers, the latest quarter with a
    figure, its actual value against the expected one, and the target."""
    parts = []
    if labels:
        parts.append(
            _("%(first)s至%(last)s逐季度") % {"first": labels[0], "last": labels[-1]}
            if len(labels) > 1
            else labels[0]
        )
    known = [i for i, v in enumerate(actual) if v is not None]
    if known:
        i = known[-1]
        latest = _("%(quarter)s实际 %(actual)s") % {
            "quarter": labels[i],
            "actual": amount_label(actual[i], unit),
        }
        if expected[i] is not None:
            latest += _separator() + _("按进度应达到 %(expected)s") % {
                "expected": amount_label(expected[i], unit)
            }
        parts.append(latest)
    else:
        parts.append(_("尚无实际数值"))
    if target is not None:
        parts.append(_("目标 %(value)s") % {"value": amount_label(target, unit)})
    return _sentences([title, *parts])


def county_summary(*, title: str, statuses: list[str], line, unit: str) -> str:
    """A county-by-county target's chart in words: "…。18 个县市区，每个县市区 3.5 亿元：
    已达成 4 个，未达成 14 个"."""
    counts = Counter(statuses)
    parts = _counted(
        counts, STATUS_ORDER, lambda s: STATUS_LABELS.get(s, s), _("%(label)s %(n)d 个")
    )
    head = ngettext(
        "%(n)d 个县市区，每个县市区 %(line)s", "%(n)d 个县市区，每个县市区 %(line)s", len(statuses)
    ) % {"n": len(statuses), "line": amount_label(line, unit)}
    return _sentences([title, _headed(head, parts)])
