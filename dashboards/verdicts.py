"""Stored verdicts: the read model the dashboards, the scoreboard and the exports read.

The pure rules (targets/progress.py, tasks/status.py, reports/duties.py) judge; this module
stores what they give and keeps it equal to a fresh computation:

- a target's verdict (and each county's, for a county-by-county target) on every quarter's
  last day that has passed and on today, with the figures it rests on and what the target's
  page draws (TargetVerdict);
- each task's status in each period, before and after its due date (TaskVerdict);
- each unit's reporting record in each period (UnitStanding).

Every change that can move a verdict writes a PendingChange and raises the plan's version in
its own transaction (dashboards/signals.py); once it commits, a refresh job takes the pending
changes under a per-plan lock and recomputes only what they touch. The passing of time (a new
"today") is the nightly job's. `manage.py rebuild_verdicts` recomputes everything.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from dashboards.assessment import (
    CountyResult,
    Figure,
    Inputs,
    TargetProgress,
    figure_from_json,
    judge,
    load_inputs,
    rule_inputs,
)
from dashboards.models import PendingChange, TargetVerdict, TaskVerdict, UnitStanding, VerdictState
from reports.duties import UnitCompliance, standings, task_standings
from targets import progress
from targets.goals import thresholds
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Unit

log = logging.getLogger(__name__)

PLAN, TARGET, TASK, STANDING = "plan", "target", "task", "standing"


# What a verdict is, as JSON ---------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _unday(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


_DECIMALS = ("current", "expected", "ratio", "needed_per_quarter", "achieved_per_quarter")


def progress_json(p: progress.Progress) -> dict:
    data = {f.name: getattr(p, f.name) for f in fields(p)}  # flat: asdict would deep-copy
    for name in _DECIMALS:
        data[name] = _dec(data[name])
    data["as_of"] = _day(p.as_of)
    data["yearly"] = {str(year): str(value) for year, value in p.yearly.items()}
    data["missing"] = list(p.missing)
    return data


def progress_from(data: dict) -> progress.Progress:
    data = dict(data)
    for name in _DECIMALS:
        data[name] = _undec(data[name])
    data["as_of"] = _unday(data["as_of"])
    data["yearly"] = {int(year): Decimal(value) for year, value in data["yearly"].items()}
    data["missing"] = tuple(data["missing"])
    return progress.Progress(**data)


def figure_json(f: Figure) -> list:
    return [f.on.isoformat(), str(f.value), f.value_id, f.period_label, f.form, f.quality]


# Computing ---------------------------------------------------------------------------------


def verdict_days(periods: list[ReportingPeriod], today: dt.date) -> list[dt.date]:
    """The days a plan's target verdicts are stored for: the last day of every quarter that
    has started (the dashboards' 截至 choices, and the open quarter's end, as its export and
    a page asked for it judge) and today."""
    return sorted({p.ends_on for p in periods if p.starts_on <= today} | {today})


def _trajectory(inputs: Inputs, target: Target, periods: list[ReportingPeriod]) -> list:
    """Quarter by quarter: what the figures covering that quarter show, against where the
    target should have been; a quarter no figure covers has no point."""
    goal = inputs.goals[target.pk]
    figures = rule_inputs(inputs.found.get((target.pk, target.reporting_unit_id, "actual"), []))
    bench = rule_inputs(inputs.found.get((target.pk, target.reporting_unit_id, "benchmark"), []))
    points = []
    for period in periods:
        step = progress.assess(goal, figures, period.ends_on, bench, thresholds=thresholds(),
                               final=False)  # fmt: skip
        covered = step.as_of is not None and period.starts_on <= step.as_of <= period.ends_on
        expected = step.expected if covered else progress.expected_value(goal, period.ends_on)
        actual = step.current if covered else None
        points.append((period.ends_on, [period.label, _dec(actual), _dec(expected)]))
    return points


def _county_year(inputs: Inputs, result: TargetProgress, day: dt.date, plan_end: dt.date):
    """Each county on the latest year any county's figures cover, judged on that year alone
    (a year ended short is 未达成 for that year)."""
    year = max(
        (f.on.year for c in result.counties for f in c.figures), default=min(day, plan_end).year
    )
    year_day = min(day, dt.date(year, 12, 31))
    goal = inputs.goals[result.target.pk]
    rows = {}
    for county in result.counties:
        in_year = [f for f in county.figures if f.on.year == year]
        verdict = progress.assess(
            goal, rule_inputs(in_year), year_day, thresholds=thresholds(), final=False
        )
        rows[county.unit.pk] = {
            "year_progress": progress_json(verdict),
            "year_figure": figure_json(in_year[-1]) if in_year else None,
        }
    return year, rows


def compute_target_rows(
    plan: Plan, periods: list[ReportingPeriod], days: list[dt.date], version: int, targets=None
) -> list[TargetVerdict]:
    """The target verdicts of the plan (or of the targets given) on each of `days`, computed
    now from the approved figures."""
    if not days:
        return []
    inputs = load_inputs(plan, max(days), targets)
    ended = [p for p in periods if p.ends_on <= max(days)]
    lines = {
        t.pk: _trajectory(inputs, t, ended)
        for t in inputs.targets
        if t.scope != Target.Scope.EACH_COUNTY
    }
    rows = []
    for day in days:
        for result in judge(inputs, day):
            target = result.target
            base = {"plan": plan, "target": target, "as_of": day, "version": version}
            if target.scope == Target.Scope.EACH_COUNTY:
                year, years = _county_year(inputs, result, day, plan.period_end)
                detail = {"year": year}
            else:
                detail = {"trajectory": [point for on, point in lines[target.pk] if on <= day]}
            rows.append(
                TargetVerdict(
                    **base,
                    status=result.progress.status,
                    progress=progress_json(result.progress),
                    figures={
                        "actual": [figure_json(f) for f in result.figures],
                        "benchmark": [figure_json(f) for f in result.benchmark],
                    },
                    detail=detail,
                )
            )
            for county in result.counties:
                rows.append(
                    TargetVerdict(
                        **base,
                        unit=county.unit,
                        status=county.progress.status,
                        progress=progress_json(county.progress),
                        figures={"actual": [figure_json(f) for f in county.figures]},
                        detail=years[county.unit.pk],
                    )
                )
    return rows


def compute_task_rows(plan, periods, version: int, tasks=None) -> list[TaskVerdict]:
    rows = []
    for period in periods:
        for task_id, t in task_standings(plan, period, tasks).items():
            rows.append(
                TaskVerdict(
                    plan=plan, task_id=task_id, period=period, status=t.before,
                    overdue_status=t.after, lagging_units=list(t.lagging),
                    missing_units=list(t.missing), version=version,
                )
            )  # fmt: skip
    return rows


def compute_standing_rows(plan, periods, version: int, units=None) -> list[UnitStanding]:
    """Every unit's reporting record in the periods (or only these units' ids)."""
    rows = []
    for (period_id, unit_id), s in standings(plan, periods, only=units).items():
        due = [d.isoformat() for d in s.pending_due]
        rows.append(
            UnitStanding(
                plan=plan, period_id=period_id, unit_id=unit_id, owed=s.owed, on_time=s.on_time,
                late=s.late, pending_due=due, version=version,
            )
        )  # fmt: skip
    return rows


# Refreshing --------------------------------------------------------------------------------


def _lock(plan_id: int) -> None:
    """One refresh of a plan at a time, across every worker and web node (PostgreSQL's
    transaction-level advisory lock; SQLite serialises writers by itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, plan_id])


@dataclass
class Outcome:
    """What a refresh changed: rows written per kind, and how many of them differ from what
    was stored before (a dry run writes nothing and reports the same)."""

    written: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    changes_taken: int = 0


def _key(row) -> tuple:
    if isinstance(row, TargetVerdict):
        return ("target", row.target_id, row.unit_id, row.as_of)
    if isinstance(row, TaskVerdict):
        return ("task", row.task_id, row.period_id)
    return ("standing", row.period_id, row.unit_id)


def _content(row) -> tuple:
    if isinstance(row, TargetVerdict):
        return (row.status, row.progress, row.figures, row.detail)
    if isinstance(row, TaskVerdict):
        return (row.status, row.overdue_status, list(row.lagging_units), list(row.missing_units))
    return (row.owed, row.on_time, row.late, list(row.pending_due))


def _replace(
    model, old_rows, new_rows, outcome: Outcome, name: str, dry_run: bool, compare=False
) -> None:
    """Put `new_rows` where `old_rows` (a queryset) were; with `compare` (a rebuild), count
    the rows that differ, which reads the old rows first."""
    outcome.written[name] = outcome.written.get(name, 0) + len(new_rows)
    if compare:
        before = {_key(r): _content(r) for r in old_rows}
        after = {_key(r): _content(r) for r in new_rows}
        changed = sum(before.get(k) != v for k, v in after.items()) + len(before.keys() - after)
        outcome.changed[name] = outcome.changed.get(name, 0) + changed
    if not dry_run:
        old_rows.delete()
        model.objects.bulk_create(new_rows, batch_size=1000)


def _rewrite_changed(old_rows, new_rows: list[TargetVerdict], outcome: Outcome, dry_run) -> None:
    """Put `new_rows` where `old_rows` (a queryset of target verdicts) were, writing only the
    rows whose verdict differs: one approval of a county's figure moves that county's rows
    and the target's, not the other counties' (their rows keep the version they were
    computed at, which is still their data)."""
    stored = {
        (target_id, unit_id, as_of): (pk, (status, progress, figures, detail))
        for pk, target_id, unit_id, as_of, status, progress, figures, detail in (
            old_rows.values_list(
                "pk", "target_id", "unit_id", "as_of", "status", "progress", "figures", "detail"
            )
        )
    }
    fresh = {_key(row)[1:]: row for row in new_rows}
    gone = [pk for key, (pk, content) in stored.items()
            if key not in fresh or _content(fresh[key]) != content]  # fmt: skip
    written = [row for key, row in fresh.items()
               if key not in stored or stored[key][1] != _content(row)]  # fmt: skip
    outcome.written["target"] = outcome.written.get("target", 0) + len(written)
    if not dry_run:
        TargetVerdict.objects.filter(pk__in=gone).delete()
        TargetVerdict.objects.bulk_create(written, batch_size=1000)


def refresh(plan: Plan, today: dt.date | None = None, *, full=False, dry_run=False) -> Outcome:
    """Bring the plan's stored verdicts up to its data and to `today`: take the pending
    changes and recompute what they touch, compute the verdicts of a day not yet stored, drop
    those of a "today" that has passed. `full` recomputes everything. Whatever language the
    request that runs it reads (jobs run in the web process without Redis), what is stored is
    written in the site's language."""
    today = plan.judged_on(today or timezone.localdate())
    outcome = Outcome()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _lock(plan.pk)
        state, _ = VerdictState.objects.get_or_create(plan=plan)
        version = state.version
        pending = list(PendingChange.objects.filter(plan=plan))
        outcome.changes_taken = len(pending)
        periods = list(ReportingPeriod.objects.in_plan(plan).select_related("plan"))
        days = verdict_days(periods, today)
        stored_days = set(
            TargetVerdict.objects.filter(plan=plan).values_list("as_of", flat=True).distinct()
        )
        full = full or any(c.kind == PLAN for c in pending) or state.built_version == 0
        if full:
            _replace_all(plan, periods, days, version, outcome, dry_run)
        else:
            _apply(plan, periods, days, stored_days, pending, version, outcome, dry_run)
        if not dry_run:
            PendingChange.objects.filter(pk__in=[c.pk for c in pending]).delete()
            state.built_version = version
            state.built_on = today
            state.built_at = timezone.now()
            state.save(update_fields=["built_version", "built_on", "built_at"])
        else:
            transaction.set_rollback(True)
    return outcome


def _replace_all(plan, periods, days, version, outcome, dry_run) -> None:
    for model, name, rows in (
        (TargetVerdict, "target", compute_target_rows(plan, periods, days, version)),
        (TaskVerdict, "task", compute_task_rows(plan, periods, version)),
        (UnitStanding, "standing", compute_standing_rows(plan, periods, version)),
    ):
        _replace(model, model.objects.filter(plan=plan), rows, outcome, name, dry_run, True)


def _apply(plan, periods, days, stored_days, pending, version, outcome, dry_run) -> None:
    by_id = {p.pk: p for p in periods}
    # Targets: each from the earliest day a change touches; every target on a day not stored.
    since: dict[int, dt.date | None] = {}
    for change in pending:
        if change.kind == TARGET:
            earlier = since.get(change.first, change.since)
            since[change.first] = (
                None if earlier is None or change.since is None else min(earlier, change.since)
            )
    gone = stored_days - set(days)
    if gone and not dry_run:
        TargetVerdict.objects.filter(plan=plan, as_of__in=gone).delete()
    new_days = [d for d in days if d not in stored_days]
    if new_days:
        _replace(TargetVerdict, TargetVerdict.objects.filter(plan=plan, as_of__in=new_days),
                 compute_target_rows(plan, periods, new_days, version), outcome, "target",
                 dry_run)  # fmt: skip
    by_since: dict[dt.date | None, list[int]] = defaultdict(list)
    for target_id, day in since.items():
        by_since[day].append(target_id)
    for day, target_ids in by_since.items():
        touched = [d for d in days if d in stored_days and (day is None or d >= day)]
        targets = list(
            Target.objects.in_plan(plan)
            .filter(pk__in=target_ids)
            .select_related("section", "reporting_unit")
            .prefetch_related("units__members")
            .order_by("number")
        )
        old = TargetVerdict.objects.filter(plan=plan, target__in=targets, as_of__in=touched)
        rows = compute_target_rows(plan, periods, touched, version, targets)
        _rewrite_changed(old, rows, outcome, dry_run)
    # Tasks and standings: the period (and unit) each change names.
    tasks: dict[int, set[int]] = defaultdict(set)
    units: dict[int, set[int]] = defaultdict(set)
    for change in pending:
        if change.kind == TASK and change.second in by_id:
            tasks[change.second].add(change.first)
        elif change.kind == STANDING and change.first in by_id:
            units[change.first].add(change.second)
    for period_id, task_ids in tasks.items():
        period = by_id[period_id]
        old = TaskVerdict.objects.filter(period=period, task__in=task_ids)
        rows = compute_task_rows(plan, [period], version, tasks=task_ids)
        _replace(TaskVerdict, old, rows, outcome, "task", dry_run)
    for period_id, unit_ids in units.items():
        period = by_id[period_id]
        old = UnitStanding.objects.filter(period=period, unit__in=unit_ids)
        rows = compute_standing_rows(plan, [period], version, units=unit_ids)
        _replace(UnitStanding, old, rows, outcome, "standing", dry_run)


# Reading -----------------------------------------------------------------------------------


def eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def state_for(plan: Plan, today: dt.date) -> VerdictState:
    """The plan's verdict state, brought up to date first when it is not: on a day the
    nightly job has not yet reached, or (when jobs run in the web process, without Redis)
    when changes are still pending. With a worker, pending changes are the worker's, and the
    page says that its figures are being updated."""
    today = plan.judged_on(today)
    state = VerdictState.objects.filter(plan=plan).first()
    if state is None or state.built_on != today or (not state.is_current and eager()):
        refresh(plan, today)
        state = VerdictState.objects.get(plan=plan)
    return state


def stored_results(
    plan: Plan, day: dt.date, targets=None, *, figures: bool = False
) -> list[TargetProgress]:
    """The stored verdicts of the plan's targets (or of the ones given) on `day`, in the form
    the pages and exports use; with `figures`, the approved figures each rests on too (the
    target's page links them; the other pages show only the verdicts). Three queries however
    many figures there are."""
    rows = TargetVerdict.objects.filter(plan=plan, as_of=day)
    if targets is None:
        targets = list(
            Target.objects.in_plan(plan)
            .select_related("section", "reporting_unit")
            .order_by("number")
        )
    else:
        rows = rows.filter(target__in=targets)
    if figures:
        rows = list(rows.values_list("target_id", "unit_id", "progress", "figures", "detail"))
    else:
        none = {"actual": [], "benchmark": []}
        rows = [
            (target_id, unit_id, data, none, detail)
            for target_id, unit_id, data, detail in rows.values_list(
                "target_id", "unit_id", "progress", "detail"
            )
        ]
    unit_ids = {unit_id for _, unit_id, *_ in rows if unit_id}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)} if unit_ids else {}
    whole, counties = {}, defaultdict(list)
    for target_id, unit_id, data, figures, detail in rows:
        if unit_id is None:
            whole[target_id] = (data, figures, detail)
        else:
            counties[target_id].append((units[unit_id], data, figures, detail))
    results = []
    for target in targets:
        if target.pk not in whole:
            continue
        data, figures, detail = whole[target.pk]
        result = TargetProgress(
            target,
            progress_from(data),
            [figure_from_json(f) for f in figures["actual"]],
            [figure_from_json(f) for f in figures["benchmark"]],
            detail=detail,
        )
        for unit, data, figures, detail in sorted(
            counties[target.pk], key=lambda c: (c[0].sort_order, c[0].name)
        ):
            shown = [figure_from_json(f) for f in figures["actual"]]
            result.counties.append(CountyResult(unit, progress_from(data), shown, detail))
        results.append(result)
    return results


def stored_task_statuses(plan: Plan, period: ReportingPeriod, day: dt.date) -> dict[int, str]:
    overdue = day > period.due_on
    return {
        task_id: after if overdue else before
        for task_id, before, after in TaskVerdict.objects.filter(period=period).values_list(
            "task_id", "status", "overdue_status"
        )
    }


@dataclass
class TaskLag:
    """Why a task is 滞后 on a day: the units whose report says 滞后, and the units that have
    not reported once the period is past due."""

    reported_lagging: list[Unit]
    not_reported: list[Unit]


def stored_task_lags(plan: Plan, period: ReportingPeriod, day: dt.date) -> dict[int, TaskLag]:
    """Each 滞后 task's TaskLag in the period on `day`, from the stored verdicts."""
    overdue = day > period.due_on
    lagging = {"overdue_status" if overdue else "status": "lagging"}
    rows = [
        (task_id, reported, missing if overdue else [])
        for task_id, reported, missing in TaskVerdict.objects.filter(period=period, **lagging)
        .values_list("task_id", "lagging_units", "missing_units")
    ]  # fmt: skip
    ids = {u for _, reported, missing in rows for u in (*reported, *missing)}
    units = Unit.objects.in_bulk(ids) if ids else {}
    return {
        task_id: TaskLag([units[u] for u in reported], [units[u] for u in missing])
        for task_id, reported, missing in rows
    }


def stored_compliance(
    plan: Plan, periods: list[ReportingPeriod], day: dt.date, unit: Unit | None = None
) -> dict[int, list[UnitCompliance]]:
    """Each unit's standing in each of the periods on `day`, as reports/duties.py
    compliance_by_period gives it, from the stored records."""
    rows = UnitStanding.objects.filter(period__in=periods).select_related("unit")
    if unit is not None:
        rows = rows.filter(unit=unit)
    result: dict[int, list[UnitCompliance]] = {p.pk: [] for p in periods}
    for row in rows.order_by("unit__sort_order", "unit__name", "unit_id"):
        owed = row.owed + sum(day > dt.date.fromisoformat(d) for d in row.pending_due)
        if owed:
            result[row.period_id].append(UnitCompliance(row.unit, owed, row.on_time, row.late))
    return result
