"""Deterministic demonstration data: every unit's reports and figures from 2022 Q2 on.

The same seed always gives the same data. Figures trend towards the plan's targets at a pace
set per target and per county (some ahead, some behind), and arrive the way statistics are
published (_figures, _publication_patterns): yearly figures once a year, flows as
year-to-date totals, a forecast, a total to date, a year never reported. Most records are
approved, some were returned once and some arrived late, and what fell due in the last 90
days is still in progress. Everything is written through the project's models in bulk, with
the same events and revisions the workflow would have kept, and a DemoDataset row makes every
page say 演示数据.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.models import DemoDataset
from reports.models import ProgressReport, ReportEvent, ReportRevision, TargetValue, WorkflowRecord
from reports.workflow import content_of
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task, Unit
from tasks.signals import plan_data_changed

Status = WorkflowRecord.Status
ANCHORS = Path(settings.BASE_DIR) / "fixtures" / "demo" / "anchors.json"
SYSTEM_USERNAME = "demo-data"
DEMO_SOURCE_PREFIX = "演示"

PROGRESS_TEXT = [
    "{unit}围绕“{task}”召开专题推进会，细化年度任务清单，{period}各项工作按计划推进。",
    "{period}，{unit}组织开展“{task}”相关政策宣讲和企业走访，梳理问题清单并逐项落实。",
    "{unit}会同相关单位推进“{task}”，完成阶段性目标，形成工作台账并按月调度。",
    "{period}{unit}对“{task}”落实情况开展督导检查，推动重点项目和重点企业加快实施。",
]
PROBLEMS_TEXT = ["", "", "部分项目资金到位较慢。", "基层专业人才不足。", "企业参与积极性有待提高。"]
NEXT_TEXT = [
    "继续抓好任务落实，按时报送进展。",
    "加强跟踪调度，确保完成年度目标。",
    "争取上级支持，推动项目早见成效。",
]


@dataclass
class SeedResult:
    reports: int = 0
    values: int = 0
    skipped: bool = False


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _whole(value: float) -> Decimal:
    return Decimal(max(0, round(value)))


def _system_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "演示数据", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _reviewer(fallback):
    User = get_user_model()
    return User.objects.filter(profile__role="reviewer", is_active=True).first() or fallback


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _set_baselines(plan: Plan, rng: random.Random) -> None:
    anchors = {a["key"]: a for a in json.loads(ANCHORS.read_text(encoding="utf-8"))["baselines"]}
    for target in Target.objects.in_plan(plan):
        if target.baseline_value is not None:
            continue  # an admin's real baseline is never overwritten
        anchor = anchors.get(target.key)
        if anchor:
            target.baseline_value = Decimal(anchor["value"])
            target.baseline_on = dt.date.fromisoformat(anchor["on"])
            target.baseline_source = anchor["source"]
        elif target.accumulation == Target.Accumulation.CUMULATIVE and target.value:
            # What was achieved in 2021, before reporting began (a published year-end total).
            target.baseline_value = _whole(float(target.value) * rng.uniform(0.10, 0.18))
            target.baseline_on = dt.date(2021, 12, 31)
            target.baseline_source = "演示假设：2021年已完成量"
        else:
            continue
        if "level" in target.allowed_forms and target.accumulation == "cumulative":
            # A total that includes earlier builds (“总量达到6家”) needs the stock of 2020.
            target.start_stock = _whole(float(target.value) * 0.4)
        target.save(
            update_fields=["baseline_value", "baseline_on", "baseline_source", "start_stock"]
        )


def _pace(rng: random.Random) -> float:
    """How fast a series moves towards its target: most on track, some behind, a few ahead."""
    return rng.choice([1.08, 1.02, 1.0, 0.97, 0.93, 0.85, 0.7])


@dataclass
class DemoFigure:
    """A figure as the source would publish it, for the period its coverage ends in."""

    period: ReportingPeriod
    value: Decimal
    form: str
    covers_to: dt.date
    quality: str = "final"
    shown_case: bool = False  # one of the publication patterns a visitor should see: approved


def _round(target: Target, value: float, form: str = "level") -> Decimal:
    whole = target.measure_of(form) in ("家", "项", "个", "名")
    return _whole(value) if whole else _money(value)


def _figures(
    target: Target, periods: list[ReportingPeriod], pace: float, rng: random.Random
) -> list[DemoFigure]:
    """The figures a source would publish for the target, in the patterns real statistics
    follow (targets/progress.py): yearly targets once a year at year end, flows as
    year-to-date totals, the last year's level as a 快报 or even a 预计, a five-year total
    stated as a total to date, a year that was never reported."""
    kind, goal = target.accumulation, float(target.value or 0)
    yearly = target.cadence == Target.Cadence.ANNUAL
    chosen = [p for p in periods if not yearly or p.quarter == 4]
    last = periods[-1]
    span = (last.ends_on - dt.date(2021, 12, 31)).days or 1
    out: list[DemoFigure] = []
    for period in chosen:
        done = (period.ends_on - dt.date(2021, 12, 31)).days / span
        quality = "preliminary" if period == last else "final"
        if kind in ("level", "share", "benchmark"):
            start = (
                float(target.baseline_value) if target.baseline_value is not None else goal * 0.6
            )
            if kind == "benchmark":
                start, goal_level = 1.45, 1.45 + 0.45 * pace
            else:
                goal_level = goal
            figure = start + (goal_level - start) * min(1.0, done * pace) + rng.uniform(-0.02, 0.02)
            if target.comparator == "about":
                figure = goal + rng.uniform(-1.5, 1.5) * float(target.tolerance or 1) * (2 - pace)
            if kind == "share":
                figure = min(100.0, figure)
            out.append(DemoFigure(period, _round(target, figure), "level", period.ends_on, quality))
        elif kind == "growth":
            # Published as the year's growth rate (同比增长), once a year.
            rate = 19 * pace + rng.uniform(-2.5, 2.5)
            out.append(DemoFigure(period, _money(rate), "growth", period.ends_on, quality))
        elif kind in ("annual", "cumulative"):
            per_year = goal if kind == "annual" else (goal - float(target.baseline_value or 0)) / 4
            if yearly:
                figure = per_year * pace * rng.uniform(0.9, 1.1)
                out.append(DemoFigure(period, _round(target, figure, "ytd"), "ytd", period.ends_on,
                                      quality))  # fmt: skip
            else:
                # 1—N月累计: the year so far, quarter by quarter.
                share = period.quarter / 4 * rng.uniform(0.92, 1.08)
                figure = per_year * pace * share
                out.append(DemoFigure(period, _round(target, figure, "ytd"), "ytd", period.ends_on,
                                      quality))  # fmt: skip
    return out


def _publication_patterns(target: Target, figures: list[DemoFigure], last) -> list[DemoFigure]:
    """Make sure a visitor sees every way figures really arrive."""
    by_key = {f.period.pk: f for f in figures}
    if target.key == "high-tech-enterprises" and last.pk in by_key:
        # A year-end work summary: “预计将达到…家左右”.
        by_key[last.pk].quality, by_key[last.pk].shown_case = "estimate", True
    if target.key == "tech-contract-turnover" and last.pk in by_key:
        # The last quarter's figure as published: 1—10月累计.
        figure = by_key[last.pk]
        figure.covers_to = dt.date(last.year, 10, 31)
        figure.value = _money(float(figure.value) * 10 / 12)
        figure.shown_case = True
    if target.key == "municipal-major-specials":
        # A year that was never reported.
        figures = [f for f in figures if f.period.year != 2023]
    if target.key == "provincial-key-projects":
        # A published statement: “十四五以来累计…项”, in mid-2025.
        mid = [f for f in figures if f.period.year == 2025 and f.period.quarter == 2]
        for figure in mid:
            earlier = sum(
                float(f.value) for f in figures if f.form == "ytd" and f.period.quarter == 4
                and f.period.year < 2025
            )  # fmt: skip
            figure.form, figure.shown_case = "to_date", True
            figure.value = _whole(float(target.baseline_value or 0) + earlier + float(figure.value))
    if target.key == "academician-workstations" and target.start_stock is not None:
        # Published as a total including earlier builds: “总量达到…家”.
        running = float(target.start_stock) + float(target.baseline_value or 0)
        for figure in figures:
            running += float(figure.value)
            figure.form, figure.value = "level", _whole(running)
    return figures


def _published_on(target: Target, figure: DemoFigure) -> dt.date:
    """When the source prints the figure: a forecast in the year-end summary, a yearly
    statistic shortly before it is due, anything else with its quarter."""
    if figure.quality == "estimate":
        return figure.covers_to + dt.timedelta(days=20)
    due = target.due_date(figure.period)
    return due - dt.timedelta(days=20) if due != figure.period.due_on else figure.period.ends_on


def _benchmark_figures(periods, rng) -> list[DemoFigure]:
    """全省平均水平, published about nine months after its year: not yet for the last year."""
    fourth = [p for p in periods if p.quarter == 4][:-1]
    return [
        DemoFigure(p, _money(1.72 + 0.06 * i + rng.uniform(-0.01, 0.01)), "level", p.ends_on)
        for i, p in enumerate(fourth)
    ]


FRESH = dt.timedelta(days=90)  # a record due this recently may still be in the works


def _outcome(rng: random.Random, fresh: bool) -> str:
    """What became of a record: approved (perhaps after a return), still open, or missing;
    a record due recently (`fresh`) is more often still open."""
    roll = rng.random()
    if fresh:
        if roll < 0.55:
            return "approved"
        if roll < 0.70:
            return "submitted"
        if roll < 0.78:
            return "returned"
        if roll < 0.85:
            return "draft"
        return "missing"
    if roll < 0.04:
        return "missing"
    if roll < 0.12:
        return "approved_after_return"
    return "approved"


class _Builder:
    """Collects records, events and revisions for bulk writing."""

    def __init__(self, reporter, reviewer, rng):
        self.reporter, self.reviewer, self.rng = reporter, reviewer, rng
        self.records: list = []
        self.history: list[tuple] = []  # (record, [(action, from, to, comment, when)])

    def add(self, record, period: ReportingPeriod, outcome: str, due=None, written=None) -> None:
        rng = self.rng
        due = due or period.due_on
        late = rng.random() < 0.1
        submitted_on = (
            due + dt.timedelta(days=rng.randint(1, 12))
            if late
            else (due - dt.timedelta(days=rng.randint(0, 8)))
        )
        # A yearly figure is written when its source is published, months after the quarter.
        written = written or period.ends_on
        created = _at(written - dt.timedelta(days=rng.randint(0, 10)), 9)
        submitted = _at(submitted_on, 15)
        record.created_by = record.updated_by = self.reporter
        steps = [("create", "", Status.DRAFT, "")]
        record.status, record.version = Status.DRAFT, 1
        if outcome in ("submitted", "returned", "approved", "approved_after_return"):
            record.status, record.submitted_at, record.is_late = Status.SUBMITTED, submitted, late
            steps.append(("submit", Status.DRAFT, Status.SUBMITTED, ""))
        if outcome in ("returned", "approved_after_return"):
            comment = rng.choice(
                [
                    "请补充具体数据和佐证材料。",
                    "进展描述过于笼统，请细化。",
                    "数据来源请注明文件名称。",
                ]
            )
            record.status, record.review_comment = Status.RETURNED, comment
            record.reviewed_at = submitted + dt.timedelta(days=2)
            steps.append(("return", Status.SUBMITTED, Status.RETURNED, comment))
        if outcome == "approved_after_return":
            steps.append(("submit", Status.RETURNED, Status.SUBMITTED, ""))
        if outcome in ("approved", "approved_after_return"):
            record.status, record.review_comment = Status.APPROVED, ""
            record.reviewed_at = submitted + dt.timedelta(days=4)
            steps.append(("approve", Status.SUBMITTED, Status.APPROVED, ""))
        record.version = len(steps)
        record.created_at = created
        record.updated_at = record.reviewed_at or (submitted if record.submitted_at else created)
        self.records.append(record)
        self.history.append((record, steps, created, submitted))

    def write(self, model) -> int:
        records = [r for r in self.records if isinstance(r, model)]
        model.objects.bulk_create(records, batch_size=500)
        link = "report" if model is ProgressReport else "target_value"
        events, revisions = [], []
        for record, steps, created, submitted in self.history:
            if not isinstance(record, model):
                continue
            for version, (action, from_status, to_status, comment) in enumerate(steps, start=1):
                actor = self.reviewer if action in ("return", "approve") else self.reporter
                when = {"create": created, "submit": submitted}.get(action, record.reviewed_at)
                events.append(
                    ReportEvent(
                        **{link: record},
                        action=action,
                        actor=actor,
                        from_status=from_status,
                        to_status=to_status,
                        comment=comment,
                        version=version,
                        at=when,
                    )
                )
            revisions.append(
                ReportRevision(
                    **{link: record},
                    version=1,
                    content=content_of(record),
                    changed_by=self.reporter,
                    changed_at=created,
                )
            )
        ReportEvent.objects.bulk_create(events, batch_size=1000)
        ReportRevision.objects.bulk_create(revisions, batch_size=1000)
        return len(records)


@transaction.atomic
def seed_demo(*, plan: Plan, seed: int = 2022, today: dt.date | None = None) -> SeedResult:
    if DemoDataset.objects.exists():
        return SeedResult(skipped=True)
    rng = random.Random(seed)
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.in_plan(plan).filter(ends_on__lt=today))
    if not periods:
        return SeedResult()
    system = _system_user()
    builder = _Builder(system, _reviewer(system), rng)
    _set_baselines(plan, rng)

    members = {}
    for unit in Unit.objects.prefetch_related("members"):
        members[unit.pk] = [m for m in unit.members.all()] or [unit]
    unit_pace = {pk: rng.choice([1.0, 1.0, 0.95, 0.9, 0.8]) for pk in members}
    latest = periods[-1]
    # Real reports already in the database are kept; the demo fills only what is missing.
    taken = set(
        ProgressReport.objects.filter(period__plan=plan).values_list(
            "task_id", "unit_id", "period_id"
        )
    )
    taken |= set(
        TargetValue.objects.filter(period__plan=plan).values_list(
            "target_id", "unit_id", "period_id", "series"
        )
    )

    for task in Task.objects.in_plan(plan).prefetch_related("assignments__unit"):
        for assignment in task.assignments.all():
            for unit in members[assignment.unit_id]:
                pace = unit_pace[unit.pk]
                for i, period in enumerate(periods, start=1):
                    outcome = _outcome(rng, fresh=period.due_on > today - FRESH)
                    if outcome == "missing" or (task.pk, unit.pk, period.pk) in taken:
                        continue
                    taken.add((task.pk, unit.pk, period.pk))
                    percent = min(100, round(100 * i / len(periods) * pace * 1.05))
                    lagging = pace < 0.85 and rng.random() < 0.5
                    completion = (
                        "done" if percent >= 100 else "lagging" if lagging else "in_progress"
                    )
                    fill = {"unit": unit.name, "task": task.title, "period": period.label}
                    builder.add(
                        ProgressReport(
                            task=task,
                            unit=unit,
                            period=period,
                            completion=completion,
                            percent=percent,
                            progress=rng.choice(PROGRESS_TEXT).format(**fill),
                            problems=rng.choice(PROBLEMS_TEXT),
                            next_steps=rng.choice(NEXT_TEXT),
                        ),
                        period,
                        outcome,
                    )

    for target in Target.objects.in_plan(plan).prefetch_related("units__members"):
        if target.scope == Target.Scope.CITY:
            reporters = [target.reporting_unit]
        else:
            reporters = sorted(
                {m for u in target.units.all() for m in u.members.all()}, key=lambda u: u.sort_order
            )
        for unit in reporters:
            pace = _pace(rng) * (unit_pace[unit.pk] if target.scope == "each_county" else 1)
            figures = _publication_patterns(target, _figures(target, periods, pace, rng), latest)
            series = [("actual", figures)]
            if target.accumulation == Target.Accumulation.BENCHMARK:
                series.append(("benchmark", _benchmark_figures(periods, rng)))
            for name, values in series:
                for figure in values:
                    due = target.due_date(figure.period)
                    outcome = _outcome(rng, fresh=due > today - FRESH)
                    if figure.shown_case:
                        outcome = "approved"
                    if _published_on(target, figure) > today:
                        continue  # not out yet on the day the demo is made
                    if outcome == "missing" or (
                        target.pk, unit.pk, figure.period.pk, name) in taken:  # fmt: skip
                        continue
                    builder.add(
                        TargetValue(
                            target=target,
                            unit=unit,
                            period=figure.period,
                            series=name,
                            value=figure.value,
                            form=figure.form,
                            covers_to=figure.covers_to,
                            quality=figure.quality,
                            data_source=rng.choice(
                                ["市统计局统计公报", "省科技厅认定文件", "单位统计台账"]
                            ),
                        ),
                        figure.period,
                        outcome,
                        due=due,
                        written=_published_on(target, figure),
                    )

    result = SeedResult(reports=builder.write(ProgressReport), values=builder.write(TargetValue))
    DemoDataset.objects.create(seed=seed, note=f"{periods[0].label}至{latest.label}")
    plan_data_changed.send(sender=seed_demo, plan=plan)  # written in bulk, without signals
    return result


@transaction.atomic
def clear_demo() -> int:
    """Remove the demonstration data and the baselines it assumed; real data stays."""
    system = get_user_model().objects.filter(username=SYSTEM_USERNAME).first()
    removed = 0
    if system is not None:
        removed += ProgressReport.objects.filter(created_by=system).delete()[0]
        removed += TargetValue.objects.filter(created_by=system).delete()[0]
    Target.objects.filter(baseline_source__startswith=DEMO_SOURCE_PREFIX).update(
        baseline_value=None, baseline_on=None, baseline_source=""
    )
    Target.objects.filter(baseline_source__contains="演示锚点").update(
        baseline_value=None, baseline_on=None, baseline_source=""
    )
    DemoDataset.objects.all().delete()
    for plan in Plan.objects.all():
        plan_data_changed.send(sender=clear_demo, plan=plan)  # the baselines, written in bulk
    return removed
