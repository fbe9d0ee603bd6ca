"""Reading the approved figures of a plan's targets and judging them (targets/progress.py).

Only approved values count: a figure reaches leadership after the plan office has checked it.
Every function here issues a fixed number of queries, however many values are stored.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from reports.models import TargetValue, WorkflowRecord
from targets import progress
from targets.goals import goal_for, thresholds
from targets.models import Target, TargetMilestone
from tasks.models import Plan, ReportingPeriod, Unit

APPROVED = WorkflowRecord.Status.APPROVED


@dataclass
class Figure:
    """An approved figure with where it came from, so a dashboard number links back to its
    report: the value as published, its form, the last day it covers and its quality."""

    on: dt.date  # covers_to
    value: Decimal
    value_id: int
    period_label: str
    form: str = progress.FORM_LEVEL
    quality: str = progress.FINAL_DATA
    url: str = ""  # set by a page that links the figure to its record

    @property
    def quality_label(self) -> str:
        return str(progress.QUALITY_LABELS[self.quality])

    @property
    def form_label(self) -> str:
        return str(progress.FORM_LABELS[self.form])

    def as_rule_input(self) -> progress.Figure:
        return progress.Figure(self.on, self.value, self.form, self.quality)


@dataclass
class CountyResult:
    unit: Unit
    progress: progress.Progress
    figures: list[Figure] = field(default_factory=list)
    detail: dict = field(default_factory=dict)  # stored: the county's verdict for a year


@dataclass
class TargetProgress:
    target: Target
    progress: progress.Progress
    figures: list[Figure] = field(default_factory=list)
    benchmark: list[Figure] = field(default_factory=list)
    counties: list[CountyResult] = field(default_factory=list)
    detail: dict = field(default_factory=dict)  # stored: what the target's page draws

    @property
    def counties_met(self) -> int:
        return sum(c.progress.status in (progress.MET, progress.ACHIEVED) for c in self.counties)


def _figures(plan: Plan, targets: list[Target], as_of: dt.date):
    rows = (
        TargetValue.objects.filter(
            target__in=targets, status=APPROVED, period__plan=plan, covers_to__lte=as_of
        )
        .order_by("covers_to", "period__ends_on", "pk")
        .values_list(
            "pk", "target_id", "unit_id", "series", "value", "form", "covers_to", "quality",
            "period__year", "period__quarter",
        )
    )  # fmt: skip
    found: dict[tuple, list[Figure]] = defaultdict(list)
    for pk, target_id, unit_id, series, value, form, covers_to, quality, year, quarter in rows:
        label = f"{year}年第{'一二三四'[quarter - 1]}季度"
        found[(target_id, unit_id, series)].append(
            Figure(covers_to, value, pk, label, form, quality)
        )
    return found


def figure_from_json(data: list) -> Figure:
    """A figure as stored with a verdict (dashboards/verdicts.py)."""
    on, value, value_id, label, form, quality = data
    return Figure(dt.date.fromisoformat(on), Decimal(value), value_id, label, form, quality)


def rule_inputs(figures: list[Figure]) -> list[progress.Figure]:
    return [f.as_rule_input() for f in figures]


def _county_summary(results: list[CountyResult], final: bool) -> progress.Progress:
    """A county-by-county target as a whole (每个县市区要达到…): met when every county is; not
    met as soon as one county has definitely missed; otherwise judged by the share of counties
    that are met or on track, with the same thresholds as a single figure. Its date is the
    latest any county's figures cover; its quality the least certain of them."""
    judged = [c for c in results if c.progress.status != progress.NO_DATA]
    if not judged:
        return progress.Progress(progress.NO_DATA, final=final)
    statuses = [c.progress.status for c in results]
    met = sum(s in (progress.MET, progress.ACHIEVED) for s in statuses)
    good = sum(s in (progress.MET, progress.ON_TRACK, progress.ACHIEVED) for s in statuses)
    share = Decimal(good) / Decimal(len(results))
    waiting = [c.unit.name for c in results if c.progress.status in (
        progress.NO_DATA, progress.PENDING, progress.LIKELY)]  # fmt: skip
    if final:
        if progress.MISSED in statuses:
            status = progress.MISSED
        elif waiting:
            status = progress.PENDING
        else:
            status = progress.ACHIEVED
    elif met == len(results):
        status = progress.MET
    else:
        status = progress.ratio_status(share, thresholds())
    as_of = max((c.progress.as_of for c in judged if c.progress.as_of), default=None)
    qualities = [c.progress.quality for c in judged if c.progress.quality]
    reason = f"{met}/{len(results)} 个县市区达标"
    if final and waiting and status == progress.PENDING:
        reason += f"；{len(waiting)} 个县市区数据不全或仅有预计数"
    return progress.Progress(
        status, Decimal(met), Decimal(len(results)), as_of, share.quantize(Decimal("0.0001")),
        reason=reason, final=final,
        quality=min(qualities, key=progress.QUALITY_ORDER.index) if qualities else None,
        missing=tuple(f"{name}的数据" for name in waiting) if final else (),
    )  # fmt: skip


@dataclass
class Inputs:
    """What judging a plan's targets needs, read once: the targets, their goals, the counties
    of each county-by-county target and the approved figures up to a day."""

    targets: list[Target]
    goals: dict[int, progress.Goal]
    counties: dict[int, list[Unit]]
    found: dict[tuple, list[Figure]]
    end: dt.date


def load_inputs(plan: Plan, until: dt.date, targets=None) -> Inputs:
    if targets is None:
        targets = list(
            Target.objects.in_plan(plan)
            .select_related("section", "reporting_unit")
            .prefetch_related("units__members")
            .order_by("number")
        )
    milestones = defaultdict(list)
    for milestone in TargetMilestone.objects.filter(target__in=targets):
        milestones[milestone.target_id].append(milestone)
    first = ReportingPeriod.objects.in_plan(plan).order_by("starts_on").first()
    reporting_start = first.starts_on if first else None
    goals = {t.pk: goal_for(t, plan, milestones[t.pk], reporting_start) for t in targets}
    counties = {
        t.pk: sorted(
            {m for u in t.units.all() for m in u.members.all()},
            key=lambda u: (u.sort_order, u.name),
        )
        for t in targets
        if t.scope == Target.Scope.EACH_COUNTY
    }
    return Inputs(targets, goals, counties, _figures(plan, targets, until), plan.period_end)


def judge(inputs: Inputs, today: dt.date) -> list[TargetProgress]:
    """Every target of `inputs` judged on `today`, from the figures covering up to then."""

    def up_to(key) -> list[Figure]:
        return [f for f in inputs.found.get(key, []) if f.on <= today]

    results = []
    for target in inputs.targets:
        goal = inputs.goals[target.pk]
        if target.scope == Target.Scope.EACH_COUNTY:
            counties = []
            for unit in inputs.counties[target.pk]:
                figures = up_to((target.pk, unit.pk, "actual"))
                verdict = progress.assess(
                    goal, rule_inputs(figures), today, thresholds=thresholds()
                )
                counties.append(CountyResult(unit, verdict, figures))
            summary = _county_summary(counties, today >= inputs.end)
            results.append(TargetProgress(target, summary, counties=counties))
            continue
        figures = up_to((target.pk, target.reporting_unit_id, "actual"))
        bench = up_to((target.pk, target.reporting_unit_id, "benchmark"))
        result = progress.assess(
            goal, rule_inputs(figures), today, rule_inputs(bench), thresholds=thresholds()
        )
        results.append(TargetProgress(target, result, figures, bench))
    return results


def assess_plan(plan: Plan, today: dt.date, targets=None) -> list[TargetProgress]:
    """Every target of the plan (or the ones given) judged on `today`, computed now. Pages read
    the stored verdicts instead (dashboards/verdicts.py); this is what they are computed by."""
    return judge(load_inputs(plan, today, targets), today)


def basis_text(p: progress.Progress) -> str:
    """What a verdict rests on, in words, as every page and export states it (the pages'
    dashboards/includes/basis.html says the same): 截至…，快报；缺…；数据滞后."""
    parts = []
    if p.as_of:
        covered = f"截至{p.as_of:%Y年%-m月%-d日}"
        parts.append(f"{covered}，{p.quality_label}" if p.quality else covered)
    if p.missing:
        parts.append("缺" + "、".join(p.missing))
    if p.stale:
        parts.append("数据滞后")
    if p.reason and p.reason not in parts:
        parts.append(p.reason)
    return "；".join(parts)
