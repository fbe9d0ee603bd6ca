"""How far a target has come: its current value, where it should be by now, and a status.

Plain functions over values (no queries), so the rules can be argued about and tested alone.
The words a leader reads:
- 已达成 (met): the figure already satisfies the plan's words (500 家以上: 500 or more; 超过
  1000 家: more than 1000; 10 家左右: within the tolerance; 10—15 家: inside the range).
- 正常 (on track): not met yet, but at least 95% of where a straight line from the starting
  value to the 2025 target says it should be by the date of the latest figure.
- 预警 (warning): from 80% up to 95% of that; also a 左右 or range target that is well above
  its band (too many is a deviation from the plan as well).
- 滞后 (seriously behind): under 80%.
- 无数据 (no data): no approved figure yet.
After the plan period (2025-12-31) every target gets a final verdict: 达成 or 未达成.

Figures arrive quarterly and late, so a target is judged at the date of its latest figure (the
end of the last quarter reported), not at today's date: comparing a half-year total with a
three-quarter expectation would make every flow look behind while the data is on its way.
"""

import calendar
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

# Accumulation kinds and comparators, as stored on targets.models.Target.
LEVEL, ANNUAL, CUMULATIVE, SHARE, GROWTH, BENCHMARK = (
    "level",
    "annual",
    "cumulative",
    "share",
    "growth",
    "benchmark",
)
AT_LEAST, MORE_THAN, ABOUT, RANGE = "at_least", "more_than", "about", "range"

MET, ON_TRACK, WARNING, BEHIND, NO_DATA, ACHIEVED, MISSED = (
    "met",
    "on_track",
    "warning",
    "behind",
    "no_data",
    "achieved",
    "missed",
)
STATUS_LABELS = {
    MET: _("已达成"),
    ON_TRACK: _("正常"),
    WARNING: _("预警"),
    BEHIND: _("滞后"),
    NO_DATA: _("无数据"),
    ACHIEVED: _("达成"),
    MISSED: _("未达成"),
}
DEFAULT_THRESHOLDS = (Decimal("0.95"), Decimal("0.80"))


@dataclass(frozen=True)
class Point:
    """A figure for the quarter ending `on`: a level at that date, or the amount in the quarter."""

    on: dt.date
    value: Decimal


@dataclass(frozen=True)
class Goal:
    """What the rules need to know about a target (see goal_for in dashboards/assessment.py)."""

    accumulation: str
    comparator: str
    value: Decimal | None
    start: dt.date
    end: dt.date
    value_high: Decimal | None = None
    tolerance: Decimal | None = None
    baseline: Decimal | None = None
    baseline_on: dt.date | None = None
    milestones: tuple[Point, ...] = ()
    # The first day figures were collected (reporting began with 2022 Q2): a per-year flow
    # expects only the part of its first year that was reported on.
    reporting_start: dt.date | None = None


@dataclass
class Progress:
    status: str
    current: Decimal | None = None
    expected: Decimal | None = None
    as_of: dt.date | None = None  # the date of the latest figure judged
    ratio: Decimal | None = None  # current / expected
    reason: str = ""
    needed_per_quarter: Decimal | None = None
    achieved_per_quarter: Decimal | None = None
    final: bool = False
    yearly: dict[int, Decimal] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _q(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _year_fraction(day: dt.date, since: dt.date | None = None) -> Decimal:
    """Share of `day`'s calendar year from its first day (or from `since`, when later) up to
    and including `day`, counting 366 days in a leap year."""
    days = 366 if calendar.isleap(day.year) else 365
    first = dt.date(day.year, 1, 1)
    if since is not None and since > first:
        first = since
    covered = (day - first).days + 1
    return Decimal(max(covered, 0)) / Decimal(days)


def _interpolate(points: list[Point], day: dt.date) -> Decimal:
    """Straight lines between the points (sorted by date), flat beyond the ends."""
    if day <= points[0].on:
        return points[0].value
    for earlier, later in itertools.pairwise(points):
        if day <= later.on:
            span = Decimal((later.on - earlier.on).days)
            done = Decimal((day - earlier.on).days)
            return earlier.value + (later.value - earlier.value) * done / span
    return points[-1].value


def annual_totals(points: list[Point]) -> dict[int, Decimal]:
    """The amounts of each calendar year added up (quarterly flows)."""
    totals: dict[int, Decimal] = {}
    for point in points:
        totals[point.on.year] = totals.get(point.on.year, Decimal(0)) + point.value
    return totals


def average_growth(annual: dict[int, Decimal]) -> Decimal | None:
    """Average annual growth rate in %, from the first to the last year with a positive value.

    Needs two years; the result is ((last / first) ** (1 / years) - 1) × 100.
    """
    years = sorted(y for y, v in annual.items() if v > 0)
    if len(years) < 2:
        return None
    first, last = years[0], years[-1]
    ratio = float(annual[last] / annual[first])
    rate = (ratio ** (1 / (last - first)) - 1) * 100
    return Decimal(str(round(rate, 4)))


def meets(goal: Goal, current: Decimal, target: Decimal | None = None) -> bool:
    """Does `current` satisfy the plan's words of comparison?"""
    target = goal.value if target is None else target
    if goal.comparator == MORE_THAN:
        return current > target
    if goal.comparator == ABOUT:
        return abs(current - target) <= (goal.tolerance or 0)
    if goal.comparator == RANGE:
        return goal.value <= current <= goal.value_high
    return current >= target


def _above_band(goal: Goal, current: Decimal, target: Decimal | None = None) -> bool:
    target = goal.value if target is None else target
    if goal.comparator == ABOUT:
        return current > target + (goal.tolerance or 0)
    if goal.comparator == RANGE:
        return current > goal.value_high
    return False


def ratio_status(ratio: Decimal | None, thresholds=DEFAULT_THRESHOLDS) -> str:
    on_track, warning = thresholds
    if ratio is None or ratio >= on_track:
        return ON_TRACK
    if ratio >= warning:
        return WARNING
    return BEHIND


def _quarters_between(earlier: dt.date, later: dt.date) -> Decimal:
    return Decimal((later.year - earlier.year) * 12 + later.month - earlier.month) / 3


def expected_value(goal: Goal, day: dt.date, first: Point | None = None) -> Decimal | None:
    """Where the target should stand on `day`.

    Levels, shares and 2021–2025 totals follow a straight line from the baseline (or, when no
    baseline is known, from the first figure for a level and from zero at the plan's start for a
    total) to the target on the last day of the plan, through any milestones the admin set. A
    per-year flow expects its yearly target pro rata over the days of each year. A growth rate
    and a benchmark expect the figure itself throughout.
    """
    if goal.value is None:
        return None
    if goal.accumulation == ANNUAL:
        return goal.value * _year_fraction(day, goal.reporting_start)
    if goal.accumulation in (GROWTH, BENCHMARK):
        return goal.value
    if goal.baseline is not None and goal.baseline_on is not None:
        origin = Point(goal.baseline_on, goal.baseline)
    elif goal.accumulation == CUMULATIVE:
        origin = Point(goal.start, Decimal(0))
    elif first is not None:
        origin = first
    else:
        return None
    path = [origin, *sorted(goal.milestones, key=lambda p: p.on), Point(goal.end, goal.value)]
    path = [p for p in path if p.on >= origin.on]
    return _interpolate(path, day)


def assess(
    goal: Goal,
    points: list[Point],
    today: dt.date,
    benchmark: list[Point] = (),
    thresholds=DEFAULT_THRESHOLDS,
) -> Progress:
    """The target's progress on `today` from the figures reported up to then.

    points: approved figures of the target, one per quarter (levels at the quarter's end, flows
    as the quarter's amount); benchmark: the benchmark series (全省平均水平) for a benchmark
    target. Figures dated after `today` are ignored.
    """
    points = sorted((p for p in points if p.on <= today), key=lambda p: p.on)
    if not points:
        return Progress(NO_DATA)
    latest = points[-1]
    final = today > goal.end

    if goal.accumulation == BENCHMARK:
        same = [b for b in benchmark if b.on == latest.on]
        if not same:
            return Progress(
                NO_DATA, current=latest.value, as_of=latest.on, reason="缺少同期对标基准值"
            )
        bench = same[0].value
        ratio = latest.value / bench if bench else None
        ok = latest.value >= bench
        status = (
            (ACHIEVED if ok else MISSED)
            if final
            else (MET if ok else ratio_status(ratio, thresholds))
        )
        return Progress(status, latest.value, bench, latest.on, _q(ratio, "0.0001"), final=final)

    if goal.accumulation == GROWTH:
        yearly = annual_totals(points)
        if goal.baseline is not None and goal.baseline_on is not None:
            yearly.setdefault(goal.baseline_on.year, goal.baseline)
        complete = {
            y: v
            for y, v in yearly.items()
            if y == getattr(goal.baseline_on, "year", None)
            or sum(1 for p in points if p.on.year == y) == 4
        }
        rate = average_growth(complete)
        if rate is None:
            return Progress(NO_DATA, as_of=latest.on, reason="不足两个完整年度", yearly=yearly)
        ratio = rate / goal.value if goal.value else None
        ok = meets(goal, rate)
        status = (
            (ACHIEVED if ok else MISSED)
            if final
            else (MET if ok else ratio_status(ratio, thresholds))
        )
        return Progress(
            status, _q(rate), goal.value, latest.on, _q(ratio, "0.0001"), final=final, yearly=yearly
        )

    if goal.accumulation == ANNUAL:
        return _assess_annual(goal, points, latest, final, thresholds)

    if goal.accumulation == CUMULATIVE:
        current = (goal.baseline or Decimal(0)) + sum((p.value for p in points), Decimal(0))
    else:
        current = latest.value
    expected = expected_value(goal, latest.on, first=points[0])
    ratio = current / expected if expected else None
    if final:
        status = ACHIEVED if meets(goal, current) else MISSED
    elif meets(goal, current):
        status = MET
    elif _above_band(goal, current):
        status = WARNING
    else:
        status = ratio_status(ratio, thresholds)
    progress = Progress(status, current, _q(expected), latest.on, _q(ratio, "0.0001"), final=final)
    if _above_band(goal, current):
        progress.reason = "明显高于目标区间"
    _run_rates(progress, goal, points, current)
    return progress


def _assess_annual(goal, points, latest, final, thresholds) -> Progress:
    """A per-year flow: each year is judged on its own. The current value is the total of the
    latest year so far; the final verdict needs every reported year to have met its target."""
    yearly = annual_totals(points)
    year = latest.on.year
    current = yearly[year]
    expected = expected_value(goal, latest.on)
    year_goal = goal.value * _year_fraction(dt.date(year, 12, 31), goal.reporting_start)
    ratio = current / expected if expected else None
    if final:
        ok = all(
            meets(
                goal, total, goal.value * _year_fraction(dt.date(y, 12, 31), goal.reporting_start)
            )
            for y, total in yearly.items()
        )
        status = ACHIEVED if ok else MISSED
    elif meets(goal, current, year_goal):
        status = MET
    elif latest.on == dt.date(year, 12, 31):
        status = MISSED  # the year is over: it is judged on its own, and it fell short
    elif _above_band(goal, current, year_goal):
        status = WARNING
    else:
        status = ratio_status(ratio, thresholds)
    progress = Progress(
        status, current, _q(expected), latest.on, _q(ratio, "0.0001"), final=final, yearly=yearly
    )
    if _above_band(goal, current, year_goal):
        progress.reason = "明显高于目标区间"
    elif status == MISSED and not final:
        progress.reason = f"{year}年全年未达到目标"
    quarters_done = Decimal(sum(1 for p in points if p.on.year == year))
    quarters_left = 4 - Decimal((latest.on.month + 2) // 3)
    progress.achieved_per_quarter = _q(current / quarters_done)
    if quarters_left and goal.value is not None and not meets(goal, current, year_goal):
        progress.needed_per_quarter = _q(max(year_goal - current, Decimal(0)) / quarters_left)
    return progress


def _run_rates(progress: Progress, goal: Goal, points: list[Point], current: Decimal) -> None:
    """The average gain per quarter so far, and the gain per quarter still needed by 2025."""
    latest = points[-1].on
    if goal.accumulation == CUMULATIVE:
        origin_on = goal.baseline_on or goal.start
        origin_value = goal.baseline or Decimal(0)
    elif goal.baseline is not None and goal.baseline_on is not None:
        origin_on, origin_value = goal.baseline_on, goal.baseline
    else:
        origin_on, origin_value = points[0].on, points[0].value
    elapsed = _quarters_between(origin_on, latest)
    if elapsed > 0:
        progress.achieved_per_quarter = _q((current - origin_value) / elapsed)
    remaining = _quarters_between(latest, goal.end)
    if remaining > 0 and goal.value is not None and not meets(goal, current):
        progress.needed_per_quarter = _q(max(goal.value - current, Decimal(0)) / remaining)
