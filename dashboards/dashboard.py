"""The numbers behind the dashboards, gathered in a fixed number of queries.

Views call these, charts.py draws what they return. Each figure keeps the ids of the approved
values it came from, so a dashboard number links back to its report.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from dashboards.assessment import TargetProgress
from dashboards.verdicts import (
    TaskLag,
    stored_compliance,
    stored_results,
    stored_task_lags,
    stored_task_statuses,
)
from reports.models import ProgressReport, WorkflowRecord
from targets import progress
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task
from tasks.periods import open_period
from tasks.status import AWAITING, DONE, IN_PROGRESS, LAGGING, NOT_STARTED
from tasks.status import LABELS as TASK_LABELS

TASK_ORDER = [LAGGING, IN_PROGRESS, AWAITING, DONE, NOT_STARTED]
STATUS_ORDER = [
    progress.MET,
    progress.ACHIEVED,
    progress.LIKELY,
    progress.ON_TRACK,
    progress.WARNING,
    progress.BEHIND,
    progress.MISSED,
    progress.PENDING,
    progress.NO_DATA,
]


def pct(part, whole) -> Decimal | None:
    """A share in per cent to one decimal, rounded down: 99.98 % reads 99.9 %, never 100.0 %
    beside a target not met."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def completion_pct(result: TargetProgress) -> Decimal | None:
    """完成率: the figure as a share of what the plan asks (of the benchmark, for a benchmark
    target; of the counties, for a county-by-county target)."""
    p, target = result.progress, result.target
    if target.scope == Target.Scope.EACH_COUNTY:
        return pct(p.current, p.expected)
    if target.accumulation == Target.Accumulation.BENCHMARK:
        return pct(p.current, p.expected)
    if target.accumulation == Target.Accumulation.ANNUAL and p.current is not None:
        year_goal = target.value
        return pct(p.current, year_goal)
    return pct(p.current, target.value)


def expected_pct(result: TargetProgress) -> Decimal | None:
    p, target = result.progress, result.target
    if target.scope == Target.Scope.EACH_COUNTY or target.accumulation == "benchmark":
        return None
    return pct(p.expected, target.value)


def as_of_choices(plan: Plan, today: dt.date) -> list[ReportingPeriod]:
    return [p for p in ReportingPeriod.objects.in_plan(plan) if p.ends_on <= today]


def reporting_period(plan: Plan, day: dt.date) -> ReportingPeriod | None:
    """The period whose reporting a dashboard shows on `day`: the open one, else the latest
    that has started."""
    periods = list(ReportingPeriod.objects.in_plan(plan).select_related("plan"))
    started = [p for p in periods if p.starts_on <= day]
    return open_period(started, day) or (started[-1] if started else None)


@dataclass
class Overview:
    results: list[TargetProgress]
    counts: list[tuple[str, str, int]]
    sections: list[tuple[str, list[TargetProgress]]]
    period: ReportingPeriod | None
    compliance_rows: list
    task_rows: list[tuple[Task, str, str]]
    task_counts: list[tuple[str, str, int]]  # (status, label, tasks), in TASK_ORDER
    lagging_tasks: list[tuple[Task, TaskLag]]  # the 滞后 tasks and the units behind each


def overview(plan: Plan, day: dt.date) -> Overview:
    """What 总览 shows on `day`, read from the stored verdicts (dashboards/verdicts.py)."""
    results = stored_results(plan, day)
    counter = Counter(r.progress.status for r in results)
    counts = [(s, progress.STATUS_LABELS[s], counter[s]) for s in STATUS_ORDER if counter[s]]
    sections: dict[str, list[TargetProgress]] = defaultdict(list)
    for result in results:
        section = result.target.section
        name = (
            _("三、%(section)s") % {"section": f"{section.numeral}{section.title}"}
            if section
            else _("二、主要目标")
        )
        sections[name].append(result)
    period = reporting_period(plan, day)
    rows = stored_compliance(plan, [period], day)[period.pk] if period else []
    rows.sort(key=lambda r: (-r.missing, -r.late, r.unit.sort_order))
    statuses = stored_task_statuses(plan, period, day) if period else {}
    tasks = list(Task.objects.in_plan(plan).order_by("number"))
    task_rows = [
        (t, statuses.get(t.pk, "not_started"), TASK_LABELS[statuses.get(t.pk, "not_started")])
        for t in tasks
    ]
    tally = Counter(code for _, code, _ in task_rows)
    task_counts = [(code, TASK_LABELS[code], tally[code]) for code in TASK_ORDER if tally[code]]
    lags = stored_task_lags(plan, period, day) if period else {}
    lagging = [(t, lags[t.pk]) for t, code, _ in task_rows if code == LAGGING and t.pk in lags]
    return Overview(results, counts, list(sections.items()), period, rows, task_rows,
                    task_counts, lagging)  # fmt: skip


@dataclass
class PlanSummary:
    """One plan on the page across plans: what its 总览 says on `day`, in counts."""

    plan: Plan
    day: dt.date
    target_counts: list[tuple[str, str, int]]
    target_total: int
    task_counts: list[tuple[str, str, int]]
    lagging_tasks: list[tuple[Task, TaskLag]]
    period: ReportingPeriod | None
    owed: int
    on_time: int
    late: int
    missing: int

    @property
    def reported_pct(self) -> Decimal | None:
        return pct(self.on_time + self.late, self.owed)


def plan_summary(plan: Plan, day: dt.date) -> PlanSummary:
    """A plan's target status counts, lagging tasks and reporting compliance on `day`, from
    its stored verdicts: the same figures as the plan's 总览 and 报送情况 on that day."""
    data = overview(plan, day)
    rows = data.compliance_rows
    return PlanSummary(
        plan=plan,
        day=day,
        target_counts=data.counts,
        target_total=len(data.results),
        task_counts=data.task_counts,
        lagging_tasks=data.lagging_tasks,
        period=data.period,
        owed=sum(r.owed for r in rows),
        on_time=sum(r.on_time for r in rows),
        late=sum(r.late for r in rows),
        missing=sum(r.missing for r in rows),
    )


def unit_heatmap(plan: Plan, unit, day: dt.date, may_read):
    """The unit's tasks × quarters: its approved report's 完成情况 each quarter, 待审核 while
    a submitted report awaits review, 逾期未报 when a due date passed without one, 未报 before
    that. `may_read(report)` is the viewer's read rule (reports/access.py): an approved report
    the viewer may not read shows only that it was approved, not what it says."""
    tasks = list(Task.objects.in_plan(plan).owned_by(unit).order_by("number"))
    periods = [p for p in ReportingPeriod.objects.in_plan(plan) if p.starts_on <= day]
    reports = {
        (r.task_id, r.period_id): r
        for r in ProgressReport.objects.filter(unit=unit, period__plan=plan).only(
            "task_id", "period_id", "unit_id", "completion", "status"
        )
    }
    codes, labels = [], []
    for task in tasks:
        row_codes, row_labels = [], []
        for period in periods:
            report = reports.get((task.pk, period.pk))
            status = report.status if report else None
            if status == WorkflowRecord.Status.APPROVED and may_read(report):
                row_codes.append(report.completion)
                row_labels.append(TASK_LABELS[report.completion])
            elif status == WorkflowRecord.Status.APPROVED:
                row_codes.append("reported")
                row_labels.append(_("已审核"))
            elif status == WorkflowRecord.Status.SUBMITTED:
                row_codes.append(AWAITING)
                row_labels.append(TASK_LABELS[AWAITING])
            elif day > period.due_on:
                row_codes.append("lagging")
                row_labels.append(_("逾期未报"))
            else:
                row_codes.append("missing")
                row_labels.append(_("未报"))
        codes.append(row_codes)
        labels.append(row_labels)
    return tasks, periods, codes, labels


def unit_record(plan: Plan, unit, day: dt.date):
    """The unit's standing in every period that has started."""
    periods = [p for p in ReportingPeriod.objects.in_plan(plan) if p.starts_on <= day]
    by_period = stored_compliance(plan, periods, day, unit)
    rows = []
    for period in periods:
        standing = next((r for r in by_period[period.pk] if r.unit.pk == unit.pk), None)
        if standing:
            rows.append((period, standing))
    return rows
