"""The progress rules, on plain values: how figures are really published, and the verdict a
careful analyst would give on them (and why)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.progress import (
    ACHIEVED,
    BEHIND,
    ESTIMATE,
    FINAL_DATA,
    FORM_GROWTH,
    FORM_LEVEL,
    FORM_TO_DATE,
    FORM_YTD,
    LIKELY,
    MET,
    MISSED,
    NO_DATA,
    ON_TRACK,
    PENDING,
    PRELIMINARY,
    WARNING,
    YEARLY,
    Figure,
    Goal,
    Point,
    assess,
    expected_value,
    meets,
    next_due,
    shown,
)

START, END = dt.date(2021, 1, 1), dt.date(2025, 12, 31)
AFTER = dt.date(2026, 12, 1)  # today: the plan is over
REPORTING = dt.date(2022, 4, 1)  # reporting began with 2022 Q2


def goal(accumulation="level", comparator="at_least", value="500", **extra):
    numbers = {"value_high", "tolerance", "baseline", "start_stock"}
    extra = {k: D(v) if k in numbers else v for k, v in extra.items()}
    return Goal(
        accumulation, comparator, D(value) if value is not None else None, START, END, **extra
    )


def f(day, value, form=FORM_LEVEL, quality=FINAL_DATA):
    return Figure(dt.date.fromisoformat(day), D(str(value)), form, quality)


def ytd(day, value, quality=FINAL_DATA):
    return f(day, value, FORM_YTD, quality)


def high_tech():
    # 高新技术企业达到 500 家以上, from 353 at the end of 2021 (published), yearly (认定 results).
    return goal(baseline="353", baseline_on=dt.date(2021, 12, 31), cadence=YEARLY)


def turnover():
    # 每年完成技术合同成交额 40 亿元以上: published as 1—N月累计.
    return goal("annual", value="40", reporting_start=REPORTING)


def specials():
    # 每年组织实施 10 个以上重大科技专项: an annual total, once a year.
    return goal("annual", value="10", reporting_start=REPORTING, cadence=YEARLY)


def provincial_projects():
    # “十四五”期间，争取省级以上重点科技创新项目 200 项以上.
    return goal("cumulative", value="200")


def rd_growth():
    # 全社会 R&D 经费投入年均增长不低于 19%, from 31.6 亿元 in 2021.
    return goal("growth", value="19", baseline="31.6", baseline_on=dt.date(2021, 12, 31),
                cadence=YEARLY)  # fmt: skip


def rd_intensity():
    # 全社会 R&D 经费投入强度不低于全省平均水平: yearly, the province's average ~9 months later.
    return goal("benchmark", value=None, cadence=YEARLY, due_months=9)


# --- realistic publication scenarios ----------------------------------------------------------

SCENARIOS = [
    # (name, goal, figures, benchmark, day, status, why)
    ("a forecast at year end that reaches the target says only that it is likely",
     high_tech, [f("2024-12-31", 452), f("2025-12-31", 512, quality=ESTIMATE)], [], AFTER,
     LIKELY, "“将达到512家左右” is a forecast, not a published figure"),
    ("a forecast below the target leaves the final verdict open",
     high_tech, [f("2024-12-31", 452), f("2025-12-31", 490, quality=ESTIMATE)], [], AFTER,
     PENDING, "a work summary's 预计 cannot prove 未达成 either"),
    ("a final year-end level decides the level target",
     high_tech, [f("2024-12-31", 452), f("2025-12-31", 503)], [], AFTER, ACHIEVED,
     "the 2025 统计公报 figure is there"),
    ("without the plan's last year-end figure a level has no final verdict",
     high_tech, [f("2024-12-31", 452)], [], AFTER, PENDING,
     "the latest figure is a year before the plan's end"),
    ("a preliminary figure below the target is a verdict, marked 快报",
     high_tech, [f("2025-12-31", 498, quality=PRELIMINARY)], [], AFTER, MISSED,
     "快报 is published data; the page says it is preliminary"),
    ("a year-to-date flow reported in October only is judged on ten months",
     turnover, [ytd("2025-10-31", "30")], [], dt.date(2025, 11, 20), WARNING,
     "1—10月累计 30 against 40 × 304/365 = 33.3: 90%"),
    ("a year-to-date flow above the year's target is met before the year ends",
     turnover, [ytd("2025-10-31", "62.3")], [], dt.date(2025, 11, 20), MET,
     "1—10月累计 62.3 亿元 already exceeds 40"),
    ("after the plan, a flow known only to October of its last year has no final verdict",
     turnover, [ytd(f"{y}-12-31", 45) for y in (2022, 2023, 2024)] + [ytd("2025-10-31", "36")],
     [], AFTER, PENDING, "2025's whole-year figure is missing, 36 by October is not a verdict"),
    ("a per-year target with a missing year is pending, the year named",
     specials, [ytd("2022-12-31", 12), ytd("2024-12-31", 11), ytd("2025-12-31", 10)], [], AFTER,
     PENDING, "2023 has no figure: never skipped"),
    ("a per-year target with one year short has missed, whatever is missing",
     specials, [ytd("2022-12-31", 12), ytd("2024-12-31", 9), ytd("2025-12-31", 10)], [], AFTER,
     MISSED, "2024 ended short; the plan asks every year"),
    ("a per-year target met every year is achieved",
     specials, [ytd(f"{y}-12-31", 11) for y in (2022, 2023, 2024, 2025)], [], AFTER, ACHIEVED,
     "every year from the first reported one has its whole-year figure"),
    ("the first reporting year is judged on the whole year when the source covers it",
     specials, [ytd("2022-12-31", 10)], [], dt.date(2023, 2, 1), MET,
     "2022's total covers January–December even though reporting began in Q2"),
    ("a benchmark published late is compared year with year",
     rd_intensity, [f("2024-12-31", "1.90"), f("2025-12-31", "2.01")],
     [f("2024-12-31", "1.88", quality=PRELIMINARY)], dt.date(2026, 3, 1), PENDING,
     "2025's provincial average is not out: 2024 with 2024 only, no final verdict"),
    ("a benchmark met in the same year, before the plan ends",
     rd_intensity, [f("2024-12-31", "1.90")], [f("2024-12-31", "1.88")], dt.date(2025, 10, 1),
     MET, "1.90 ≥ 1.88 for 2024"),
    ("a revised benchmark changes the verdict",
     rd_intensity, [f("2024-12-31", "1.90")], [f("2024-12-31", "2.10")], dt.date(2025, 10, 1),
     WARNING, "the province's 2024 average revised to 2.10: 1.90 is 90% of it"),
    ("a growth target from published growth rates only",
     rd_growth, [f(f"{y}-12-31", r, FORM_GROWTH) for y, r in
                 ((2022, 21), (2023, 18), (2024, 20), (2025, 19))], [], AFTER, ACHIEVED,
     "(1.21 × 1.18 × 1.20 × 1.19)^¼ − 1 = 19.49%"),
    ("a growth target with a year's rate missing cannot be averaged to the end",
     rd_growth, [f(f"{y}-12-31", r, FORM_GROWTH) for y, r in ((2022, 21), (2024, 20), (2025, 19))],
     [], AFTER, PENDING, "2023's rate is missing: the chain stops at 2022"),
    ("a growth target from the base year's and the last year's amounts",
     rd_growth, [ytd("2025-12-31", "63.5")], [], AFTER, ACHIEVED,
     "(63.5 / 31.6)^¼ − 1 = 19.1%"),
    ("a cumulative statement stands for the total so far",
     provincial_projects, [f("2025-06-30", 186, FORM_TO_DATE)], [], dt.date(2025, 8, 1),
     ON_TRACK, "十四五以来累计186项 against about 180 expected by 30 June 2025"),
    ("a five-year total of yearly totals with its first year missing is a lower bound",
     provincial_projects, [ytd(f"{y}-12-31", 40) for y in (2022, 2023, 2024, 2025)], [], AFTER,
     PENDING, "160 without 2021 says nothing final about 200"),
    ("a lower bound that already reaches an “以上” total is enough",
     provincial_projects, [ytd(f"{y}-12-31", 55) for y in (2022, 2023, 2024, 2025)], [], AFTER,
     ACHIEVED, "220 without 2021 is already over 200"),
    ("a corrected 快报: the latest approved figure counts",
     high_tech, [f("2025-12-31", 503)], [], AFTER, ACHIEVED,
     "the 快报 498 was corrected to 正式 503; only the correction is passed in"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "figures", "benchmark", "day", "status", "why"),
    [pytest.param(*row[1:], id=row[0]) for row in SCENARIOS],
)
def test_a_verdict_rests_only_on_what_the_published_figures_show(
    make, figures, benchmark, day, status, why
):
    result = assess(make(), figures, day, benchmark)
    assert result.status == status, f"{why}: got {result.status} ({result.reason})"


def test_the_final_verdict_names_the_missing_year():
    result = assess(specials(), [ytd("2022-12-31", 12), ytd("2024-12-31", 11),
                                 ytd("2025-12-31", 10)], AFTER)  # fmt: skip
    assert result.missing == ("2023年全年数据",) and "2023年" in result.reason


def test_a_verdict_says_the_date_and_the_quality_of_its_data():
    result = assess(high_tech(), [f("2025-12-31", 512, quality=ESTIMATE)], AFTER)
    assert (result.as_of, result.quality, result.quality_label) == (END, ESTIMATE, "预计")
    result = assess(turnover(), [ytd("2025-10-31", "30", PRELIMINARY)], dt.date(2025, 11, 20))
    assert (result.as_of, result.quality) == (dt.date(2025, 10, 31), PRELIMINARY)


def test_a_growth_rate_averages_the_published_rates():
    rates = [f(f"{y}-12-31", r, FORM_GROWTH) for y, r in ((2022, 21), (2023, 18), (2024, 20),
                                                          (2025, 19))]  # fmt: skip
    assert assess(rd_growth(), rates, AFTER).current == D("19.49")


def test_a_benchmark_says_which_year_it_compares():
    result = assess(rd_intensity(), [f("2024-12-31", "1.90"), f("2025-12-31", "2.01")],
                    dt.date(2026, 3, 1), [f("2024-12-31", "1.88")])  # fmt: skip
    assert (result.current, result.expected) == (D("1.90"), D("1.88"))
    assert "2025年对标基准值尚未公布，按2024年比较" in result.reason or "2025" in result.reason


def test_a_total_of_new_builds_from_a_published_total_including_earlier_ones():
    workstations = goal("cumulative", value="5", start_stock="2")  # 新建院士工作站 5 家以上
    result = assess(workstations, [f("2025-12-31", 6)], AFTER)  # “总量达到6家”
    assert (result.current, result.status) == (D(4), MISSED)
    assert assess(goal("cumulative", value="5"), [f("2025-12-31", 6)], AFTER).status == PENDING


def test_no_run_rate_after_the_plan_has_ended():
    result = assess(high_tech(), [f("2025-12-31", 480)], AFTER)
    assert result.needed_per_quarter is None and result.final


def test_an_annual_total_is_divided_by_the_quarters_it_covers():
    result = assess(turnover(), [ytd("2025-06-30", 18)], dt.date(2025, 7, 20))
    assert result.achieved_per_quarter == D(9)  # 18 over two quarters, not over one entry
    assert result.needed_per_quarter == D(11)  # 22 more in two quarters


def test_the_plans_last_day_already_gives_the_final_verdict():
    # 统计截至 2025年第四季度末 and 今天 say the same for the same 2025 figures.
    figures = [f("2025-12-31", 480)]
    assert assess(high_tech(), figures, END).status == assess(high_tech(), figures, AFTER).status
    assert assess(high_tech(), figures, END).status == MISSED


def test_a_figure_older_than_its_cadence_allows_is_flagged():
    assert assess(high_tech(), [f("2023-12-31", 420)], dt.date(2025, 7, 15)).stale
    assert not assess(high_tech(), [f("2024-12-31", 452)], dt.date(2025, 6, 30)).stale
    quarterly = goal(baseline="353", baseline_on=dt.date(2021, 12, 31))
    assert assess(quarterly, [f("2024-06-30", 420)], dt.date(2025, 1, 20)).stale
    assert not assess(quarterly, [f("2024-09-30", 420)], dt.date(2024, 10, 5)).stale


def test_nothing_is_owed_after_the_plan():
    assert next_due(high_tech(), END) is None
    assert next_due(high_tech(), dt.date(2024, 12, 31)) == (END, dt.date(2026, 6, 30))


# --- comparators and expected lines -----------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "extra", "current", "expected"),
    [
        ("at_least", {}, "500", True),  # 500 家以上: exactly the target is met
        ("at_least", {}, "499.99", False),
        ("more_than", {}, "1000", False),  # 超过 1000 家 is strict
        ("more_than", {}, "1001", True),
        ("about", {"tolerance": "1"}, "9", True),  # 10 家左右 ±1
        ("about", {"tolerance": "1"}, "11.01", False),
        ("range", {"value_high": "15"}, "15", True),  # 10—15 家, both ends inside
        ("range", {"value_high": "15"}, "16", False),
    ],
)
def test_the_plans_words_of_comparison(comparator, extra, current, expected):
    value = {"about": "10", "range": "10", "more_than": "1000"}.get(comparator, "500")
    assert meets(goal(comparator=comparator, value=value, **extra), D(current)) is expected


def test_a_level_expects_a_straight_line_from_the_baseline_to_the_target():
    g = high_tech()
    assert expected_value(g, dt.date(2021, 12, 31)) == D(353)
    assert expected_value(g, END) == D(500)
    assert D("426") < expected_value(g, dt.date(2023, 12, 31)) < D("427")
    assert expected_value(g, AFTER) == D(500)  # flat after the plan


def test_the_expected_line_never_runs_away_from_the_target():
    already = goal(baseline="520", baseline_on=dt.date(2021, 12, 31))
    assert expected_value(already, dt.date(2023, 6, 30)) == D(500)


def test_admin_milestones_bend_the_expected_line():
    g = goal(baseline="353", baseline_on=dt.date(2021, 12, 31),
             milestones=(Point(dt.date(2023, 12, 31), D(380)),))  # fmt: skip
    assert expected_value(g, dt.date(2023, 12, 31)) == D(380)
    assert expected_value(g, dt.date(2022, 12, 31)) == D("366.5")


@pytest.mark.parametrize(
    ("ratio", "status"),
    [("1.00", ON_TRACK), ("0.95", ON_TRACK), ("0.9499", WARNING), ("0.80", WARNING),
     ("0.7999", BEHIND)],
)  # fmt: skip
def test_the_thresholds_at_95_and_80_percent_of_expected(ratio, status):
    on = dt.date(2023, 12, 31)
    expected = expected_value(high_tech(), on)
    result = assess(high_tech(), [Figure(on, expected * D(ratio))], dt.date(2024, 1, 15))
    assert result.status == status


def test_about_is_flagged_when_far_above_as_well_as_below():
    leaders = goal(comparator="about", value="10", tolerance="1", baseline="6",
                   baseline_on=dt.date(2021, 12, 31))  # fmt: skip
    result = assess(leaders, [f("2024-06-30", 14)], dt.date(2024, 7, 20))
    assert (result.status, result.reason) == (WARNING, "明显高于目标区间")
    assert assess(leaders, [f("2024-06-30", 10)], dt.date(2024, 7, 20)).status == MET


def test_no_figures_means_no_data():
    assert assess(high_tech(), [], dt.date(2024, 1, 1)).status == NO_DATA
    assert assess(high_tech(), [f("2024-06-30", 400)], dt.date(2024, 6, 29)).status == NO_DATA


def test_counts_are_shown_whole_and_amounts_with_their_places():
    assert shown(D("1316.63"), 0) == D(1317) and str(shown(D("1316.63"), 0)) == "1317"
    assert shown(D("33.2877"), 2) == D("33.29")


# --- invariants -------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False)
days = st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 30))
qualities = st.sampled_from([ESTIMATE, PRELIMINARY, FINAL_DATA])


@given(current=amounts, on=days, quality=qualities)
def test_never_green_below_95_percent_of_expected(current, on, quality):
    g = high_tech()
    result = assess(g, [Figure(on, current, FORM_LEVEL, quality)], on)
    if result.status in (ON_TRACK, MET, LIKELY):
        assert current >= g.value or current >= expected_value(g, on) * D("0.95")


@given(current=amounts, on=st.dates(dt.date(2022, 1, 1), dt.date(2026, 12, 31)))
def test_a_forecast_never_makes_a_target_met_or_achieved(current, on):
    for make in (high_tech, turnover, provincial_projects):
        figure = Figure(min(on, END), current, FORM_YTD if make is turnover else FORM_LEVEL,
                        ESTIMATE)  # fmt: skip
        assert assess(make(), [figure], on).status not in (MET, ACHIEVED)


@given(low=amounts, extra=amounts, on=days)
def test_more_never_makes_an_at_least_target_look_worse(low, extra, on):
    order = [BEHIND, WARNING, ON_TRACK, MET]
    worse = assess(high_tech(), [Figure(on, low)], on).status
    better = assess(high_tech(), [Figure(on, low + extra)], on).status
    assert order.index(better) >= order.index(worse)


@given(years=st.sets(st.sampled_from([2022, 2023, 2024, 2025])), value=amounts)
def test_a_final_per_year_verdict_needs_every_year(years, value):
    figures = [ytd(f"{y}-12-31", value) for y in years]
    if not figures:
        return
    result = assess(specials(), figures, AFTER)
    if result.status == ACHIEVED:
        assert years == {2022, 2023, 2024, 2025}
