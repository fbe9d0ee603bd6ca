"""季度通报: what the quarterly briefing for leadership says, gathered from the stored verdicts
exactly as the dashboards show them. 四、（四） of the plan asks for a yearly 考核评比 of the
counties (表扬 for good results, 通报批评 for poor ones), and leaders circulate a 通报 each quarter.

Every figure comes from the function the page that shows it calls: the targets, the tasks and
the reporting from 总览 (dashboards/dashboard.py overview) on the day the 通报's data is read
for, the county scoreboard from dashboards/scoreboard.py for the period's year, and what a
verdict rests on from dashboards/assessment.py basis_text. Nothing here judges anything again.
Whom to praise or criticise is the leadership's call: the 通报 states the ranking, not a
verdict on it. The Word layout is dashboards/briefing_docx.py.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from dashboards import dashboard
from dashboards.assessment import TargetProgress, basis_text
from dashboards.excel import BRIEFING_TITLE
from dashboards.scoreboard import CountyScore, county_scoreboard, scoreboard_years
from dashboards.verdicts import state_for
from reports.duties import UnitCompliance
from targets import progress
from targets.models import Target
from targets.templatetags.figures import in_measure
from tasks.models import Plan, ReportingPeriod

# 偏离进度: the statuses a 通报 names target by target, the worst first.
OFF_TRACK = (progress.MISSED, progress.BEHIND, progress.WARNING)
# A county of a county-by-county target counts as 达标 in 总览's "3/13 个县市区达标" when its
# verdict is one of these (dashboards/assessment.py TargetProgress.counties_met).
COUNTY_MET = (progress.MET, progress.ACHIEVED)
TOP = 3  # counties named at each end of the ranking


@dataclass
class CountyLine:
    """A county of a county-by-county target that is not 达标, with its figure."""

    name: str
    current: str
    status_label: str


@dataclass
class TargetLine:
    """A target as 总览's table shows it: 目标, 当前值, 按进度应达, 完成率, 状态, 依据."""

    number: int
    label: str
    section: str
    goal: str
    current: str
    expected: str
    done: str
    status: str
    status_label: str
    reason: str
    basis: str
    quality: str | None
    stale: bool
    counties_behind: list[CountyLine] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.number}. {self.label}"


@dataclass
class TaskLine:
    """A 滞后 task and the units that make it lag (总览's 滞后任务及原因)."""

    number: int
    title: str
    reported_lagging: list[str]
    not_reported: list[str]


@dataclass
class Briefing:
    title: str
    plan_title: str
    period: ReportingPeriod
    day: dt.date
    made_on: dt.date
    final: bool
    target_counts: list[tuple[str, str, int]]  # (status, label, targets), as 总览's cards
    targets: list[TargetLine]
    reporting: ReportingPeriod | None  # the period 总览 shows the tasks and reporting of
    task_total: int
    task_counts: list[tuple[str, str, int]]
    lagging_tasks: list[TaskLine]
    compliance: list[UnitCompliance]  # in 总览's order: most missing, most late first
    year: int | None
    scoreboard: list[CountyScore]

    @property
    def off_track(self) -> list[TargetLine]:
        """未达成, then 滞后, then 预警; by number within each."""
        lines = [t for t in self.targets if t.status in OFF_TRACK]
        return sorted(lines, key=lambda t: (OFF_TRACK.index(t.status), t.number))

    @property
    def no_data(self) -> list[TargetLine]:
        return [t for t in self.targets if t.status == progress.NO_DATA]

    @property
    def qualities(self) -> list[tuple[str, int]]:
        """How many verdicts rest on 正式, 快报 and 预计 figures, in that order."""
        counted = Counter(t.quality for t in self.targets if t.quality)
        order = [progress.FINAL_DATA, progress.PRELIMINARY, progress.ESTIMATE]
        return [(str(progress.QUALITY_LABELS[q]), counted[q]) for q in order if counted[q]]

    @property
    def stale(self) -> list[TargetLine]:
        return [t for t in self.targets if t.stale]

    @property
    def compliance_totals(self) -> dict[str, int]:
        rows = self.compliance
        return {
            "units": len(rows),
            "owed": sum(r.owed for r in rows),
            "on_time": sum(r.on_time for r in rows),
            "late": sum(r.late for r in rows),
            "missing": sum(r.missing for r in rows),
        }

    @property
    def late_units(self) -> list[UnitCompliance]:
        return sorted((r for r in self.compliance if r.late),
                      key=lambda r: (-r.late, r.unit.sort_order, r.unit.name))  # fmt: skip

    @property
    def best(self) -> list[CountyScore]:
        return self.scoreboard[:TOP]

    @property
    def worst(self) -> list[CountyScore]:
        return self.scoreboard[-TOP:]

    @property
    def missing_units(self) -> list[UnitCompliance]:
        return [r for r in self.compliance if r.missing]


def shown(target: Target, value: Decimal | None) -> str:
    """A figure as 总览's table writes it (templates/dashboards/overview.html): a growth rate
    in %, anything else in the target's measure, through the same filter."""
    if value is None:
        return "—"
    if target.accumulation == Target.Accumulation.GROWTH:
        return f"{in_measure(value, '%')}%"
    return f"{in_measure(value, target.value_measure)} {target.value_measure}"


def target_line(section: str, result: TargetProgress) -> TargetLine:
    target, p = result.target, result.progress
    county = target.scope == Target.Scope.EACH_COUNTY
    done = dashboard.completion_pct(result)
    behind = [
        CountyLine(c.unit.name, shown(target, c.progress.current), str(c.progress.label))
        for c in result.counties
        if c.progress.status not in COUNTY_MET
    ]
    return TargetLine(
        number=target.number,
        label=target.label,
        section=section,
        goal=target.goal_display,
        current=(p.reason or "—") if county else shown(target, p.current),
        expected="—" if county else shown(target, p.expected),
        done="—" if done is None else f"{done}%",
        status=p.status,
        status_label=str(p.label),
        reason="" if county else p.reason,
        basis=basis_text(p),
        quality=p.quality,
        stale=p.stale,
        counties_behind=behind,
    )


def gather_briefing(plan: Plan, period: ReportingPeriod, day: dt.date) -> Briefing:
    """The 通报 of `period`, its figures read on `day` as 总览 shows them for that day, and the
    county scoreboard of the period's year as its page shows it today (a year is ranked once
    one of its quarters has ended; before that the 通报 has no ranking)."""
    today = timezone.localdate()
    state_for(plan, today)  # the pages bring the stored verdicts up to date the same way
    data = dashboard.overview(plan, day)
    targets = [target_line(name, r) for name, results in data.sections for r in results]
    targets.sort(key=lambda t: t.number)
    year = period.year if period.year in scoreboard_years(plan, today) else None
    board = sorted(county_scoreboard(plan, year), key=lambda r: r.rank) if year else []
    lagging = [
        TaskLine(
            task.number,
            task.title,
            [u.name for u in lag.reported_lagging],
            [u.name for u in lag.not_reported],
        )
        for task, lag in data.lagging_tasks
    ]
    return Briefing(
        title=BRIEFING_TITLE,
        plan_title=plan.title,
        period=period,
        day=day,
        made_on=today,
        # The verdicts are final from the plan's last day on (dashboards/assessment.py judge).
        final=day >= plan.period_end,
        target_counts=[(code, str(label), n) for code, label, n in data.counts],
        targets=targets,
        reporting=data.period,
        task_total=len(data.task_rows),
        task_counts=[(code, str(label), n) for code, label, n in data.task_counts],
        lagging_tasks=lagging,
        compliance=data.compliance_rows,
        year=year,
        scoreboard=board,
    )


def on_time_pct(row) -> int:
    """按时报送率 in whole per cent, rounded as the scoreboard page's {% widthratio %} does
    (Python's round of a float: half to even)."""
    return round(row.on_time / (row.owed or 1) * 100)
