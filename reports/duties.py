"""What a unit owes in a reporting period: one report per task it owns, one value per target it
reports. Reads with a fixed number of queries, whatever the number of tasks or reports."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.models import ProgressReport, TargetValue, WorkflowRecord
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task, TaskUnit, Unit
from tasks.periods import open_period
from tasks.status import AWAITING, LAGGING, task_status

Status = WorkflowRecord.Status


@dataclass
class Duty:
    """A task or target the unit must report on, with what it has done so far."""

    kind: str  # "task" or "target"
    subject: Task | Target
    role: str  # 牵头单位 / 配合单位 / 数据报送单位 …
    record: ProgressReport | TargetValue | None
    series: str = TargetValue.Series.ACTUAL
    has_previous: bool = False
    due_on: dt.date | None = None  # when it is due: with the quarter, or a yearly figure later

    @property
    def is_done(self) -> bool:
        return self.record is not None and self.record.status in (Status.SUBMITTED, Status.APPROVED)

    @property
    def state(self) -> str:
        return self.record.get_status_display() if self.record else _("未填报")

    @property
    def state_code(self) -> str:
        return self.record.status if self.record else "missing"


def targets_reported_by(unit: Unit, plan):
    """City-wide targets the unit reports, and county targets when the unit is a county."""
    return (
        Target.objects.in_plan(plan)
        .filter(
            Q(scope=Target.Scope.CITY, reporting_unit=unit)
            | Q(scope=Target.Scope.EACH_COUNTY, units__members=unit)
        )
        .distinct()
        .order_by("number")
    )


def earlier_tasks(unit: Unit, period: ReportingPeriod) -> list[int]:
    """The tasks the unit reported on in a period of the plan before this one (以上季度为底稿)."""
    return list(
        ProgressReport.objects.filter(
            unit=unit, period__plan=period.plan_id, period__starts_on__lt=period.starts_on
        )
        .order_by("task_id")
        .values_list("task_id", flat=True)
        .distinct()
    )


def series_owed(target: Target, period: ReportingPeriod) -> list[str]:
    """The figures a target's reporting unit owes in the period: none when a yearly figure is
    not owed this quarter (only in the fourth), else the actual figure, and for a benchmarked
    target the benchmark's too."""
    if not target.is_owed_in(period):
        return []
    if target.accumulation == Target.Accumulation.BENCHMARK:
        return [TargetValue.Series.ACTUAL, TargetValue.Series.BENCHMARK]
    return [TargetValue.Series.ACTUAL]


def duties_for(unit: Unit, period: ReportingPeriod, earlier: set[int] | None = None) -> list[Duty]:
    """What the unit owes in the period; `earlier`: the tasks it reported on in an earlier
    period of the plan, when the caller has read them (earlier_tasks)."""
    plan = period.plan
    # The tasks the unit owns (Task.objects.owned_by) with its role in each, in one read: its
    # own assignment where it has one, else its collective's.
    roles: dict[int, TaskUnit] = {}
    for assignment in (
        TaskUnit.objects.filter(task__plan=plan)
        .filter(Q(unit=unit) | Q(unit__members=unit))
        .select_related("task", "unit")
        .order_by("task__number", "pk")
    ):
        if roles.get(assignment.task_id) is None or assignment.unit_id == unit.pk:
            roles[assignment.task_id] = assignment
    tasks = [a.task for a in roles.values()]
    reports = {r.task_id: r for r in ProgressReport.objects.filter(unit=unit, period=period)}
    if earlier is None:
        earlier = set(earlier_tasks(unit, period))
    duties = []
    for task in tasks:
        assignment = roles[task.pk]
        role = assignment.get_role_display()
        if assignment.unit_id != unit.pk:
            role = gettext("%(role)s（作为%(collective)s成员）") % {
                "role": role, "collective": assignment.unit.name,
            }  # fmt: skip
        duties.append(
            Duty("task", task, role, reports.get(task.pk), has_previous=task.pk in earlier,
                 due_on=period.due_on)
        )  # fmt: skip
    targets = list(targets_reported_by(unit, plan))
    values = {
        (v.target_id, v.series): v for v in TargetValue.objects.filter(unit=unit, period=period)
    }
    for target in targets:
        series_list = series_owed(target, period)
        if target.scope == Target.Scope.EACH_COUNTY:
            role = gettext("各县市区分别填报")
        else:
            role = gettext("数据报送单位")
        for series in series_list:
            record = values.get((target.pk, series))
            duties.append(
                Duty("target", target, role, record, series, due_on=target.due_date(period))
            )
    return duties


def days_left(period: ReportingPeriod, today: dt.date) -> int:
    return (period.due_on - today).days


@dataclass
class UnitCompliance:
    """How far one unit has reported for a period: items owed, sent on time, sent late."""

    unit: Unit
    owed: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return self.owed - self.on_time - self.late

    @property
    def state(self) -> str:
        if self.missing:
            return "missing"
        return "late" if self.late else "on_time"


def compliance(period: ReportingPeriod, today: dt.date | None = None) -> list[UnitCompliance]:
    """Every reporting unit's standing for the period (see compliance_by_period)."""
    return compliance_by_period(period.plan, [period], today=today)[period.pk]


def _owed(plan, only: set[int] | None = None) -> tuple[set[tuple[str, int, int]], dict]:
    """(kind, task or target id, unit id) for everything a unit reports (of the units in
    `only`, when given: their own tasks and their collectives' are read, no other), and the
    yearly targets by id (owed in the fourth quarter only: see compliance_by_period)."""
    members: dict[int, list[int]] = {}
    for collective_id, member_id in Unit.members.through.objects.values_list(
        "from_unit_id", "to_unit_id"
    ):
        members.setdefault(collective_id, []).append(member_id)
    owed: set[tuple[str, int, int]] = set()
    assignments = TaskUnit.objects.filter(task__plan=plan)
    if only is not None:
        theirs = set(only) | {c for c, ms in members.items() if not only.isdisjoint(ms)}
        assignments = assignments.filter(unit__in=theirs)
    for task_id, unit_id in assignments.values_list("task_id", "unit_id"):
        for reporting_unit in members.get(unit_id, [unit_id]):
            if only is None or reporting_unit in only:
                owed.add(("task", task_id, reporting_unit))
    yearly: dict[int, Target] = {}
    for target in Target.objects.in_plan(plan).prefetch_related("units"):
        if target.cadence == Target.Cadence.ANNUAL:
            yearly[target.pk] = target
        series = ["actual", "benchmark"] if target.accumulation == "benchmark" else ["actual"]
        if target.scope == Target.Scope.CITY:
            reporters = [target.reporting_unit_id]
        else:
            reporters = [m for u in target.units.all() for m in members.get(u.pk, [])]
        for unit_id in reporters:
            if only is not None and unit_id not in only:
                continue
            for s in series:
                owed.add((f"target:{s}", target.pk, unit_id))
    return owed, yearly


@dataclass
class Standing:
    """A unit's standing in a period with the day left open: `owed` counts everything owed
    whatever the day, `pending_due` the due dates of yearly figures not yet sent, each owed
    only once its own due date has passed (see compliance_by_period)."""

    owed: int = 0
    on_time: int = 0
    late: int = 0
    pending_due: list[dt.date] = field(default_factory=list)

    def owed_on(self, today: dt.date | None) -> int:
        return self.owed + sum(today is None or today > due for due in self.pending_due)


def standings(
    plan,
    periods: list[ReportingPeriod],
    unit: Unit | None = None,
    units: set[int] | None = None,
    only: set[int] | None = None,
) -> dict[tuple[int, int], Standing]:
    """(period id, unit id) → Standing for every unit that owes something in each period, in a
    fixed number of queries however many periods, units or reports there are.

    A unit owes a report for each task it owns (directly, or as a member of a collective such
    as 各县市区政府（管委会）) and a value for each target it reports, when the target is owed:
    every quarter, or for a yearly target (统计公报 figures) once a year in the fourth quarter,
    and then not before its own due date months later. A record counts once it is submitted
    or approved, as on time or late by its late mark. `units`: the ids of the units counted
    (every countable unit when not given); `unit` or `only`: read just that unit's rows, or
    these units' (by id).
    """
    if units is None:
        units = set(Unit.objects.countable().values_list("pk", flat=True))
    if unit is not None:
        only = {unit.pk}
    owed, yearly = _owed(plan, None if only is None else set(only))
    ids = [p.pk for p in periods]
    sent: dict[tuple, bool] = {}
    done = (Status.SUBMITTED, Status.APPROVED)
    reports = ProgressReport.objects.filter(period__in=ids, status__in=done)
    values = TargetValue.objects.filter(period__in=ids, status__in=done)
    if only is not None:  # some units' record: read only their rows
        units = set(only) & units
        owed = {key for key in owed if key[2] in units}
        reports, values = reports.filter(unit__in=units), values.filter(unit__in=units)
    for period_id, task_id, unit_id, late in reports.values_list(
        "period_id", "task_id", "unit_id", "is_late"
    ):
        sent[(period_id, "task", task_id, unit_id)] = late
    for period_id, target_id, unit_id, series, late in values.values_list(
        "period_id", "target_id", "unit_id", "series", "is_late"
    ):
        sent[(period_id, f"target:{series}", target_id, unit_id)] = late
    result: dict[tuple[int, int], Standing] = {}
    for period in periods:
        for key in owed:
            if key[2] not in units:
                continue
            late = sent.get((period.pk, *key))
            target = yearly.get(key[1]) if key[0] != "task" else None
            if target is not None and period.quarter != 4:
                continue  # a yearly figure is owed in the fourth quarter only
            row = result.setdefault((period.pk, key[2]), Standing())
            if target is not None and late is None:
                row.pending_due.append(target.due_date(period))
                continue  # owed once its own due date has passed
            row.owed += 1
            if late is True:
                row.late += 1
            elif late is False:
                row.on_time += 1
    for row in result.values():
        row.pending_due.sort()
    return result


def compliance_by_period(
    plan, periods: list[ReportingPeriod], unit: Unit | None = None, today: dt.date | None = None
) -> dict[int, list[UnitCompliance]]:
    """Every reporting unit's standing in each of the periods on `today` (see standings); with
    no `today`, every yearly figure of a fourth quarter is owed."""
    units = {u.pk: u for u in Unit.objects.countable()} if unit is None else {unit.pk: unit}
    parts = standings(plan, periods, unit, set(units))
    result = {}
    for period in periods:
        rows = []
        for pk, member in units.items():
            part = parts.get((period.pk, pk))
            if part is not None and part.owed_on(today):
                rows.append(UnitCompliance(member, part.owed_on(today), part.on_time, part.late))
        result[period.pk] = rows
    return result


def task_statuses(plan, period: ReportingPeriod, today: dt.date) -> dict[int, str]:
    """Each task's status in the period (tasks/status.py) from its units' approved reports (a
    submitted one counts as reported, awaiting review), in a fixed number of queries."""
    overdue = today > period.due_on
    return {
        task_id: t.after if overdue else t.before
        for task_id, t in task_standings(plan, period).items()
    }


@dataclass(frozen=True)
class TaskStanding:
    """A task's status in a period before its due date and after it, and the units that make
    it 滞后: those whose approved report says 滞后, and those that have not reported (which
    make it 滞后 once the period is past due). Unit ids, in the ledger's order of units."""

    before: str
    after: str
    lagging: tuple[int, ...] = ()
    missing: tuple[int, ...] = ()


def task_standings(plan, period: ReportingPeriod, tasks=None) -> dict[int, TaskStanding]:
    """Each task's TaskStanding in the period (tasks/status.py), from one read of the period's
    reports."""
    owners: dict[int, list[int]] = {}
    members: dict[int, list[int]] = {}
    for collective_id, member_id in Unit.members.through.objects.values_list(
        "from_unit_id", "to_unit_id"
    ):
        members.setdefault(collective_id, []).append(member_id)
    assignments = TaskUnit.objects.filter(task__plan=plan).order_by("task_id", "position", "pk")
    reports = ProgressReport.objects.filter(
        period=period, status__in=(Status.SUBMITTED, Status.APPROVED)
    )
    if tasks is not None:
        assignments, reports = assignments.filter(task__in=tasks), reports.filter(task__in=tasks)
    for task_id, unit_id in assignments.values_list("task_id", "unit_id"):
        owners.setdefault(task_id, []).extend(members.get(unit_id, [unit_id]))
    completions = {
        (task_id, unit_id): completion if status == Status.APPROVED else AWAITING
        for task_id, unit_id, completion, status in reports.values_list(
            "task_id", "unit_id", "completion", "status"
        )
    }
    result = {}
    for task_id, units in owners.items():
        units = list(dict.fromkeys(units))  # a unit owning a task twice reports once
        found = [completions.get((task_id, u)) for u in units]
        result[task_id] = TaskStanding(
            task_status(found, overdue=False),
            task_status(found, overdue=True),
            tuple(u for u, c in zip(units, found, strict=True) if c == LAGGING),
            tuple(u for u, c in zip(units, found, strict=True) if c is None),
        )
    return result


@dataclass(frozen=True)
class PlanDuties:
    """What a unit owes in one active plan today: the period open for reporting (else the
    latest begun), how much of it is done, and how many records the plan office returned."""

    plan: object
    period: ReportingPeriod | None
    done: int
    owed: int
    returned: int

    @property
    def has_work(self) -> bool:
        return self.owed > 0 or self.returned > 0


def duties_across_plans(unit: Unit, today: dt.date, plans=None) -> list[PlanDuties]:
    """我的填报 across plans: each active (not archived) plan the unit has something to do in
    (of `plans`, when the caller has read them). The counts are duties_for's, read for every
    plan at once: a fixed number of queries however many plans there are."""
    if plans is None:
        plans = Plan.objects.active().defer("text").order_by("-issued_on", "code")
    plans = [p for p in plans if not p.is_archived]
    if not plans:
        return []
    by_plan: dict[int, list[ReportingPeriod]] = {p.pk: [] for p in plans}
    for period in ReportingPeriod.objects.filter(plan__in=plans, starts_on__lte=today):
        by_plan[period.plan_id].append(period)
    open_periods = {pk: open_period(periods, today) for pk, periods in by_plan.items()}
    counts, returned = _counts_in(unit, plans, [p for p in open_periods.values() if p])
    found = []
    for plan in plans:
        period = open_periods[plan.pk]
        done, owed = counts.get(period.pk, (0, 0)) if period else (0, 0)
        if owed or returned[plan.pk]:
            found.append(PlanDuties(plan, period, done, owed - done, returned[plan.pk]))
    return found


def _counts_in(unit: Unit, plans, periods: list[ReportingPeriod]):
    """(done, owed) of duties_for(unit, period) for each period, and the unit's returned
    records in each plan: four queries in all."""
    plan_ids = {p.pk for p in plans}
    tasks: dict[int, set[int]] = {pk: set() for pk in plan_ids}
    targets: dict[int, list[Target]] = {pk: [] for pk in plan_ids}
    if periods:
        for task_id, plan_id in (
            TaskUnit.objects.filter(task__plan__in=plan_ids)
            .filter(Q(unit=unit) | Q(unit__members=unit))
            .values_list("task_id", "task__plan_id")
        ):
            tasks[plan_id].add(task_id)
        for target in (
            Target.objects.filter(plan__in=plan_ids)
            .filter(
                Q(scope=Target.Scope.CITY, reporting_unit=unit)
                | Q(scope=Target.Scope.EACH_COUNTY, units__members=unit)
            )
            .distinct()
        ):
            targets[target.plan_id].append(target)
    # The unit's records of the open periods, and those returned in any period of the plans.
    sent = (Status.SUBMITTED, Status.APPROVED)
    mine = Q(unit=unit, period__plan__in=plan_ids) & (
        Q(period__in=periods, status__in=sent) | Q(status=Status.RETURNED)
    )
    reports, values, returned = set(), set(), Counter()
    for plan_id, period_id, task_id, status in ProgressReport.objects.filter(mine).values_list(
        "period__plan_id", "period_id", "task_id", "status"
    ):
        if status == Status.RETURNED:
            returned[plan_id] += 1
        else:
            reports.add((period_id, task_id))
    for plan_id, period_id, target_id, series, status in TargetValue.objects.filter(
        mine
    ).values_list("period__plan_id", "period_id", "target_id", "series", "status"):
        if status == Status.RETURNED:
            returned[plan_id] += 1
        else:
            values.add((period_id, target_id, series))
    counts = {}
    for period in periods:
        owed_tasks = tasks[period.plan_id]
        done = sum((period.pk, t) in reports for t in owed_tasks)
        owed = len(owed_tasks)
        for target in targets[period.plan_id]:
            series = series_owed(target, period)
            owed += len(series)
            done += sum((period.pk, target.pk, s) in values for s in series)
        counts[period.pk] = (done, owed)
    return counts, returned
