"""How far a target has come, judged only on what the published figures show.

One subject, the verdict on a target's figures (about 650 lines): one judge per kind of
target (a level, a per-year flow, a five-year total, a growth rate, a benchmark) sharing the
comparisons, the expected line and the statuses. Plain functions over values (no queries),
so the rules can be argued about and tested alone.

Figures reach a city government the way statistics are published, not quarter by quarter as a
form would like, and every rule here starts from that:
- a figure is typed as the source prints it, with the last day it covers (`covers_to`) and its
  form: a level at that day (企业数、占比), a year-to-date total (1—N月累计; to 31 December it is
  the year's total), a growth rate over the year before (同比增长), or a total since the plan's
  first day (“十四五”以来累计);
- and its quality: 预计 (a forecast, as in year-end work summaries), 快报 (preliminary) or
  正式 (final). A forecast never makes a target 已达成 or 达成: it can say 预计可达成.

The words a leader reads:
- 已达成 (met): the figure already satisfies the plan's words (500 家以上: 500 or more; 超过
  1000 家: more than 1000; 10 家左右: within the tolerance; 10—15 家: inside the range).
- 正常 (on track): not met yet, but at least 95% of where it should be at the date the figure
  covers: a straight line from the starting value to the target on the plan's last day, or the
  covered share of the year for a per-year target.
- 预警 (warning): from 80% up to 95% of that; also a 左右 or range target well above its band.
- 滞后 (seriously behind): under 80%.
- 无数据 (no data): no approved figure yet.
- 预计可达成 (likely): the figure that meets the target is a forecast.
- 待定（数据不全） (pending): what the data would need for a verdict is missing, and the
  verdict names it: a year without a figure, a benchmark not yet published, the plan's last year.
- 达成 / 未达成: the final verdict once the plan period is over, only on the data of the final
  year (every year for a per-year target; every year or a total-to-date for a five-year total).
A figure older than its target's cadence allows is flagged 数据滞后 beside whatever it says.

A target is judged at the date its figures cover, never at today's date: comparing a half-year
total with a three-quarter expectation would make every flow look behind while its data is on
its way.
"""

import calendar
import datetime as dt
import itertools
import math
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

# The forms a figure is published in (targets.models.Target.entry_forms, TargetValue.form).
FORM_LEVEL, FORM_YTD, FORM_GROWTH, FORM_TO_DATE = "level", "ytd", "growth", "to_date"
FORM_LABELS = {
    FORM_LEVEL: _("时点数"),
    FORM_YTD: _("年初至今累计"),
    FORM_GROWTH: _("同比增速"),
    FORM_TO_DATE: _("期初至今累计"),
}
# Its quality, from the least to the most certain.
ESTIMATE, PRELIMINARY, FINAL_DATA = "estimate", "preliminary", "final"
QUALITY_ORDER = [ESTIMATE, PRELIMINARY, FINAL_DATA]
QUALITY_LABELS = {ESTIMATE: _("预计"), PRELIMINARY: _("快报"), FINAL_DATA: _("正式")}
# How often a target is owed.
QUARTERLY, YEARLY = "quarterly", "annual"

MET, ON_TRACK, WARNING, BEHIND, NO_DATA, ACHIEVED, MISSED, LIKELY, PENDING = (
    "met",
    "on_track",
    "warning",
    "behind",
    "no_data",
    "achieved",
    "missed",
    "likely",
    "pending",
)
STATUS_LABELS = {
    MET: _("已达成"),
    ON_TRACK: _("正常"),
    WARNING: _("预警"),
    BEHIND: _("滞后"),
    NO_DATA: _("无数据"),
    ACHIEVED: _("达成"),
    MISSED: _("未达成"),
    LIKELY: _("预计可达成"),
    PENDING: _("待定（数据不全）"),
}
DEFAULT_THRESHOLDS = (Decimal("0.95"), Decimal("0.80"))


@dataclass(frozen=True)
class Point:
    """A value at a date: a milestone, or a point of the expected line."""

    on: dt.date
    value: Decimal


@dataclass(frozen=True)
class Figure:
    """A published figure as the rules see it (see the module's docstring)."""

    covers_to: dt.date
    value: Decimal
    form: str = FORM_LEVEL
    quality: str = FINAL_DATA

    @property
    def covers_whole_year(self) -> bool:
        return (self.covers_to.month, self.covers_to.day) == (12, 31)


@dataclass(frozen=True)
class Goal:
    """What the rules need to know about a target (see targets/goals.py goal_for)."""

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
    # The first day figures were collected (reporting began with 2022 Q2): a per-year target is
    # owed for the years from this one on.
    reporting_start: dt.date | None = None
    cadence: str = QUARTERLY
    # A yearly figure is owed this many months after its year ends (统计公报 months later).
    due_months: int = 6
    # For a total of what is newly built (新建…): how many there were on the plan's first day,
    # so that a published total that includes earlier builds (“总量达到6家”) gives the new ones.
    start_stock: Decimal | None = None


@dataclass
class Progress:
    status: str
    current: Decimal | None = None
    expected: Decimal | None = None
    as_of: dt.date | None = None  # the last day the figures judged cover (截至)
    ratio: Decimal | None = None  # current / expected
    reason: str = ""
    needed_per_quarter: Decimal | None = None
    achieved_per_quarter: Decimal | None = None
    final: bool = False
    yearly: dict[int, Decimal] = field(default_factory=dict)
    quality: str | None = None  # the least certain quality among the figures judged
    missing: tuple[str, ...] = ()  # what a verdict would still need, in words
    stale: bool = False  # a newer figure was owed by the day judged (数据滞后)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def quality_label(self) -> str:
        return str(QUALITY_LABELS[self.quality]) if self.quality else ""


def _q(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def year_fraction(day: dt.date) -> Decimal:
    """Share of `day`'s calendar year from 1 January up to and including `day`."""
    days = 366 if calendar.isleap(day.year) else 365
    return Decimal((day - dt.date(day.year, 1, 1)).days + 1) / Decimal(days)


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


def _rank(figure: Figure) -> tuple:
    return figure.covers_to, QUALITY_ORDER.index(figure.quality)


def _least_certain(figures) -> str | None:
    qualities = [f.quality for f in figures if f is not None]
    return min(qualities, key=QUALITY_ORDER.index) if qualities else None


def by_year(figures: list[Figure]) -> dict[int, Figure]:
    """Each year's latest figure (the one covering the most of it; the more certain on a tie)."""
    years: dict[int, Figure] = {}
    for figure in sorted(figures, key=_rank):
        years[figure.covers_to.year] = figure
    return years


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


def expected_value(goal: Goal, day: dt.date, first: Figure | None = None) -> Decimal | None:
    """Where the target should stand on `day`.

    Levels, shares and five-year totals follow a straight line from the baseline (or, with no
    baseline, from the first figure for a level and from zero on the plan's first day for a
    total) to the target on the plan's last day, through any milestones the admin set, and stay
    there after it. The line never runs away from the target: a level that starts above a
    "以上" target is expected to stay at the target. A per-year target expects the share of its
    yearly value that the days covered make up. A growth rate and a benchmark expect the
    figure itself throughout.
    """
    if goal.value is None:
        return None
    if goal.accumulation == ANNUAL:
        return goal.value * year_fraction(day)
    if goal.accumulation in (GROWTH, BENCHMARK):
        return goal.value
    if goal.baseline is not None and goal.baseline_on is not None:
        origin = Point(goal.baseline_on, goal.baseline)
    elif goal.accumulation == CUMULATIVE:
        origin = Point(goal.start, Decimal(0))
    elif first is not None:
        origin = Point(first.covers_to, first.value)
    else:
        return None
    if goal.comparator in (AT_LEAST, MORE_THAN) and origin.value >= goal.value:
        return goal.value
    path = [origin, *sorted(goal.milestones, key=lambda p: p.on), Point(goal.end, goal.value)]
    path = [p for p in path if p.on >= origin.on]
    return _interpolate(path, min(day, goal.end))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def next_due(goal: Goal, covers_to: dt.date) -> tuple[dt.date, dt.date] | None:
    """The next figure after one covering `covers_to`: (what it covers, when it is due), or None
    when the plan owes none after it."""
    if goal.cadence == YEARLY:
        covers = year_end(covers_to.year + 1 if covers_to.month == 12 else covers_to.year)
        due = _add_months(covers, goal.due_months)
    else:
        quarter_end = _add_months(
            dt.date(covers_to.year, ((covers_to.month - 1) // 3) * 3 + 1, 1), 2
        )
        covers = _add_months(quarter_end, 3) if covers_to >= quarter_end else quarter_end
        due = covers + dt.timedelta(days=10)
    return (covers, due) if covers <= goal.end else None


def _stale(goal: Goal, covers_to: dt.date | None, day: dt.date) -> bool:
    if covers_to is None:
        return False
    following = next_due(goal, covers_to)
    return following is not None and day > following[1]


def assess(
    goal: Goal,
    figures: list[Figure],
    day: dt.date,
    benchmark: list[Figure] = (),
    thresholds=DEFAULT_THRESHOLDS,
    *,
    final: bool | None = None,
) -> Progress:
    """The target's progress on `day` from the approved figures covering up to then.

    figures: the target's figures; benchmark: the benchmark series (全省平均水平) for a
    benchmark target. Figures covering days after `day` are left out. The plan period is over
    from its last day on: the verdict is then final (达成, 未达成, 预计可达成 or 待定).
    `final=False` judges a year on its own (a county's 2025 against that year's requirement),
    without the verdict over the whole plan period.
    """
    final = day >= goal.end if final is None else final
    figures = sorted((f for f in figures if f.covers_to <= day), key=_rank)
    benchmark = sorted((f for f in benchmark if f.covers_to <= day), key=_rank)
    if not figures:
        return Progress(NO_DATA, reason="尚无经审核的数据", final=final)
    judge = {
        ANNUAL: _assess_annual,
        CUMULATIVE: _assess_total,
        GROWTH: _assess_growth,
        BENCHMARK: _assess_benchmark,
    }.get(goal.accumulation, _assess_level)
    if goal.accumulation == BENCHMARK:
        progress = judge(goal, figures, day, thresholds, final, benchmark)
    else:
        progress = judge(goal, figures, day, thresholds, final)
    progress.final = final
    progress.stale = progress.stale or _stale(goal, progress.as_of, day)
    return progress


def _verdict(goal: Goal, current: Decimal, ratio, quality, *, final: bool, thresholds) -> str:
    """The status of a figure that covers what the verdict needs."""
    ok = meets(goal, current)
    if final:
        if quality == ESTIMATE:
            return LIKELY if ok else PENDING
        return ACHIEVED if ok else MISSED
    if ok:
        return LIKELY if quality == ESTIMATE else MET
    if _above_band(goal, current):
        return WARNING
    return ratio_status(ratio, thresholds)


def _assess_level(goal: Goal, figures, day, thresholds, final: bool) -> Progress:
    """A level or a share: the latest figure; a final verdict needs the plan's last day."""
    levels = [f for f in figures if f.form == FORM_LEVEL] or figures
    latest = levels[-1]
    current = latest.value
    expected = expected_value(goal, latest.covers_to, first=levels[0])
    ratio = current / expected if expected else None
    progress = Progress(
        ON_TRACK, current, _q(expected), latest.covers_to, _q(ratio, "0.0001"),
        quality=latest.quality,
    )  # fmt: skip
    if final and latest.covers_to < goal.end:
        progress.status = PENDING
        progress.missing = (f"{goal.end.year}年末数据",)
        progress.reason = (
            f"缺{goal.end.year}年末数据，最新数据截至{latest.covers_to:%Y年%-m月%-d日}"
        )
        return progress
    progress.status = _verdict(goal, current, ratio, latest.quality, final=final,
                               thresholds=thresholds)  # fmt: skip
    if progress.status == PENDING:
        progress.reason = "仅有预计数，待正式数据"
    elif _above_band(goal, current):
        progress.reason = "明显高于目标区间"
    if not final:
        _run_rates(progress, goal, latest.covers_to, current, levels[0])
    return progress


def _judged_years(goal: Goal) -> list[int]:
    first = (goal.reporting_start or goal.start).year
    return list(range(first, goal.end.year + 1))


def _assess_annual(goal: Goal, figures, day, thresholds, final: bool) -> Progress:
    """A per-year flow (每年…): each year is judged on its own, on its year-to-date total. The
    headline is the latest year's; the final verdict needs every year's whole-year figure."""
    years = by_year([f for f in figures if f.form == FORM_YTD] or figures)
    judged = [y for y in _judged_years(goal) if y <= day.year]
    over = [y for y in judged if year_end(y) <= day]
    missing = [y for y in over if y not in years or not years[y].covers_whole_year]
    short = [y for y in over if y not in missing and not meets(goal, years[y].value)]
    yearly = {y: f.value for y, f in years.items()}
    latest_year = max(years)
    latest = years[latest_year]
    progress = Progress(
        ON_TRACK, latest.value, None, latest.covers_to, yearly=yearly, quality=latest.quality,
        missing=tuple(f"{y}年全年数据" for y in missing),
    )  # fmt: skip
    if final:
        used = [years[y] for y in judged if y in years]
        certain_short = [y for y in short if years[y].quality != ESTIMATE]
        progress.quality = _least_certain(used)
        if certain_short:
            progress.status = MISSED
            progress.reason = "、".join(f"{y}年" for y in certain_short) + "全年未达到目标"
        elif missing:
            progress.status = PENDING
            progress.reason = "缺" + "、".join(f"{y}年" for y in missing) + "全年数据"
        elif short:
            progress.status = PENDING
            progress.reason = "、".join(f"{y}年" for y in short) + "仅有预计数且低于目标"
        else:
            progress.status = LIKELY if progress.quality == ESTIMATE else ACHIEVED
        progress.expected = goal.value
        return progress
    expected = goal.value * year_fraction(latest.covers_to) if goal.value is not None else None
    ratio = latest.value / expected if expected else None
    progress.expected, progress.ratio = _q(expected), _q(ratio, "0.0001")
    if meets(goal, latest.value):
        progress.status = LIKELY if latest.quality == ESTIMATE else MET
    elif latest.covers_whole_year:
        progress.status = MISSED if latest.quality != ESTIMATE else WARNING
        progress.reason = f"{latest_year}年全年未达到目标"
    elif _above_band(goal, latest.value):
        progress.status = WARNING
    else:
        progress.status = ratio_status(ratio, thresholds)
    if _above_band(goal, latest.value):
        progress.reason = "明显高于目标区间"
    elif missing and not progress.reason:
        progress.reason = "缺" + "、".join(f"{y}年" for y in missing) + "全年数据"
    # Run rates over the months the figure covers, never over the entries that happen to exist.
    months = Decimal(latest.covers_to.month)
    progress.achieved_per_quarter = _q(latest.value / (months / 3))
    left = (12 - months) / 3
    if left > 0 and goal.value is not None and not meets(goal, latest.value):
        progress.needed_per_quarter = _q(max(goal.value - latest.value, Decimal(0)) / left)
    return progress


def _sum_of_years(goal: Goal, base: Figure | None, years: dict[int, Figure], last_year: int):
    """The years' totals added to a year-end total-to-date figure (or to zero on the plan's
    first day): (total, the last day covered, the figures used, the years without a figure)."""
    total = base.value if base else Decimal(0)
    used, missing = ([base] if base else []), []
    covered = base.covers_to if base else goal.start - dt.timedelta(days=1)
    for year in range(covered.year + 1, last_year + 1):
        figure = years.get(year)
        if figure is None or (not figure.covers_whole_year and year < last_year):
            missing.append(year)
            continue
        total += figure.value
        used.append(figure)
        covered = figure.covers_to
    return total, covered, used, missing


def _assess_total(goal: Goal, figures, day, thresholds, final: bool) -> Progress:
    """A total over the plan period (“十四五”期间累计): a total-to-date figure, or the years'
    totals added up from the plan's first year (or from the baseline, or from a year-end
    total-to-date figure). A year without its figure leaves the sum a lower bound: enough to say
    已达成 for 以上, not for anything else."""
    anchors = [f for f in figures if f.form == FORM_TO_DATE]
    stocks = [f for f in figures if f.form == FORM_LEVEL]
    if (
        stocks
        and goal.start_stock is None
        and not anchors
        and not any(f.form == FORM_YTD for f in figures)
    ):
        return Progress(
            PENDING, as_of=stocks[-1].covers_to, quality=stocks[-1].quality,
            reason="只有总量数据，缺期初存量，无法推算期内新增数",
            missing=("期初存量",),
        )  # fmt: skip
    if goal.start_stock is not None:
        # 总量 minus what stood on the plan's first day: what was built since.
        anchors += [
            Figure(f.covers_to, f.value - goal.start_stock, FORM_TO_DATE, f.quality) for f in stocks
        ]
    if goal.baseline is not None and goal.baseline_on is not None:
        anchors.insert(0, Figure(goal.baseline_on, goal.baseline, FORM_TO_DATE, FINAL_DATA))
    anchors.sort(key=_rank)
    years = by_year([f for f in figures if f.form == FORM_YTD])
    last_year = max(f.covers_to.year for f in figures)
    base = next((a for a in reversed(anchors) if a.covers_whole_year), None)
    total, covered, used, missing = _sum_of_years(goal, base, years, last_year)
    latest = anchors[-1] if anchors else None
    if latest is not None and (latest.covers_to > covered or (missing and latest != base)):
        # A total-to-date figure beyond the sum (or where the sum has gaps) stands for itself.
        total, covered, used, missing = latest.value, latest.covers_to, [latest], []
    quality = _least_certain(used)
    expected = expected_value(goal, covered)
    ratio = total / expected if expected else None
    progress = Progress(
        ON_TRACK, total, _q(expected), covered, _q(ratio, "0.0001"), quality=quality,
        missing=tuple(f"{y}年数据" for y in missing),
    )  # fmt: skip
    lower_bound_enough = goal.comparator in (AT_LEAST, MORE_THAN) and meets(goal, total)
    if missing and not lower_bound_enough:
        progress.status = PENDING
        progress.reason = "缺" + "、".join(f"{y}年" for y in missing) + "数据，累计数不全"
        return progress
    if final and covered < goal.end and not lower_bound_enough:
        progress.status = PENDING
        progress.missing = (*progress.missing, f"{goal.end.year}年全年数据")
        progress.reason = f"缺{goal.end.year}年全年数据"
        return progress
    progress.status = _verdict(goal, total, ratio, quality, final=final, thresholds=thresholds)
    if progress.status == PENDING:
        progress.reason = "仅有预计数，待正式数据"
    elif _above_band(goal, total):
        progress.reason = "明显高于目标区间"
    if not final:
        origin_on = goal.baseline_on or goal.start
        origin = Figure(origin_on, goal.baseline if goal.baseline_on else Decimal(0))
        _run_rates(progress, goal, covered, total, origin)
    return progress


def _assess_growth(goal: Goal, figures, day, thresholds, final: bool) -> Progress:
    """An average annual growth rate (年均增长): from the whole-year amounts of the base year and
    a later year, or from the published growth rate of each year in between, or both."""
    base_year = goal.baseline_on.year if goal.baseline_on else goal.start.year - 1
    amounts = {
        y: f for y, f in by_year([f for f in figures if f.form != FORM_GROWTH]).items()
        if f.covers_whole_year
    }  # fmt: skip
    if goal.baseline is not None and goal.baseline_on is not None:
        amounts.setdefault(base_year, Figure(year_end(base_year), goal.baseline))
    rates = by_year([f for f in figures if f.form == FORM_GROWTH])
    index: dict[int, tuple[float, list[Figure]]] = {}
    if base_year in amounts:
        index[base_year] = (1.0, [amounts[base_year]])
    else:
        index[base_year] = (1.0, [])
    last = max([f.covers_to.year for f in figures] + [base_year])
    for year in range(base_year + 1, min(last, goal.end.year) + 1):
        if year in amounts and base_year in amounts and amounts[base_year].value > 0:
            ratio = float(amounts[year].value / amounts[base_year].value)
            index[year] = (ratio, [amounts[base_year], amounts[year]])
        elif year in rates and year - 1 in index:
            previous, used = index[year - 1]
            index[year] = (previous * (1 + float(rates[year].value) / 100), [*used, rates[year]])
        elif year in amounts and year - 1 in amounts and year - 1 in index:
            previous, used = index[year - 1]
            step = float(amounts[year].value / amounts[year - 1].value)
            index[year] = (previous * step, [*used, amounts[year - 1], amounts[year]])
    judged = [y for y in index if y > base_year]
    latest_figure = figures[-1]
    if not judged:
        return Progress(
            NO_DATA, as_of=latest_figure.covers_to,
            reason=f"缺{base_year}年基期数据或之后的全年数据，无法计算年均增速",
            missing=(f"{base_year}年基期数据",),
        )  # fmt: skip
    year = max(judged)
    level, used = index[year]
    rate = Decimal(str(round((level ** (1 / (year - base_year)) - 1) * 100, 4)))
    quality = _least_certain(used)
    ratio = rate / goal.value if goal.value else None
    progress = Progress(
        ON_TRACK, _q(rate), goal.value, year_end(year), _q(ratio, "0.0001"), quality=quality,
        yearly={y: f.value for y, f in amounts.items()},
    )  # fmt: skip
    progress.reason = f"{base_year}—{year}年年均增长"
    if final and year < goal.end.year:
        progress.status = PENDING
        progress.missing = tuple(f"{y}年数据" for y in range(year + 1, goal.end.year + 1))
        years = f"{year + 1}年" if year + 1 == goal.end.year else f"{year + 1}—{goal.end.year}年"
        progress.reason = f"缺{years}数据，仅能算到{year}年"
        return progress
    progress.status = _verdict(goal, rate, ratio, quality, final=final, thresholds=thresholds)
    if progress.status == PENDING:
        progress.reason = "仅有预计数，待正式数据"
    return progress


def _assess_benchmark(goal: Goal, figures, day, thresholds, final, benchmark) -> Progress:
    """Not below a benchmark (不低于全省平均水平): the city's figure for a year against the
    benchmark of the same year, which is published later and revised."""
    ours, theirs = by_year(figures), by_year(benchmark)
    common = sorted(set(ours) & set(theirs))
    latest_year = max(ours)
    if not common:
        return Progress(
            NO_DATA, ours[latest_year].value, None, ours[latest_year].covers_to,
            reason=f"缺{latest_year}年对标基准值（尚未公布）", quality=ours[latest_year].quality,
            missing=(f"{latest_year}年对标基准值",), final=final,
        )  # fmt: skip
    year = common[-1]
    current, bench = ours[year], theirs[year]
    ratio = current.value / bench.value if bench.value else None
    quality = _least_certain([current, bench])
    progress = Progress(
        ON_TRACK, current.value, bench.value, current.covers_to, _q(ratio, "0.0001"),
        quality=quality,
    )  # fmt: skip
    if year < latest_year:
        progress.reason = f"{latest_year}年对标基准值尚未公布，按{year}年比较"
    if final and year < goal.end.year:
        missing_what = "对标基准值" if goal.end.year in ours else "数据"
        progress.status = PENDING
        progress.missing = (f"{goal.end.year}年{missing_what}",)
        progress.reason = f"缺{goal.end.year}年{missing_what}，仅能比较到{year}年"
        return progress
    ok = current.value >= bench.value
    if final:
        status = (
            (LIKELY if ok else PENDING) if quality == ESTIMATE else (ACHIEVED if ok else MISSED)
        )
    elif ok:
        status = LIKELY if quality == ESTIMATE else MET
    else:
        status = ratio_status(ratio, thresholds)
    progress.status = status
    if status == PENDING:
        progress.reason = "仅有预计数，待正式数据"
    return progress


def _quarters_between(earlier: dt.date, later: dt.date) -> Decimal:
    return Decimal((later.year - earlier.year) * 12 + later.month - earlier.month) / 3


def _run_rates(progress: Progress, goal: Goal, latest: dt.date, current: Decimal, first) -> None:
    """The average gain per quarter so far, and the gain per quarter still needed by the plan's
    last day (none once the plan has ended)."""
    if goal.baseline is not None and goal.baseline_on is not None:
        origin_on, origin_value = goal.baseline_on, goal.baseline
    else:
        origin_on, origin_value = first.covers_to, first.value
    elapsed = _quarters_between(origin_on, latest)
    if elapsed > 0:
        progress.achieved_per_quarter = _q((current - origin_value) / elapsed)
    remaining = _quarters_between(latest, goal.end)
    if remaining > 0 and goal.value is not None and not meets(goal, current):
        progress.needed_per_quarter = _q(max(goal.value - current, Decimal(0)) / remaining)


def shown(value: Decimal | None, places: int) -> Decimal | None:
    """A value as a page shows it: counts as whole numbers, others to `places` decimals."""
    if value is None:
        return None
    if places <= 0:
        return Decimal(math.floor(value + Decimal("0.5")))
    return _q(value, "0." + "0" * (places - 1) + "1")
