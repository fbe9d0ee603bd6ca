"""The progress rules, on plain values: each accumulation kind, comparator and boundary."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from targets.progress import (
    ACHIEVED,
    BEHIND,
    MET,
    MISSED,
    NO_DATA,
    ON_TRACK,
    WARNING,
    Goal,
    Point,
    assess,
    average_growth,
    expected_value,
    meets,
)

START, END = dt.date(2021, 1, 1), dt.date(2025, 12, 31)


def goal(accumulation="level", comparator="at_least", value="500", **extra):
    extra = {k: D(v) if isinstance(v, str) else v for k, v in extra.items()}
    return Goal(
        accumulation, comparator, D(value) if value is not None else None, START, END, **extra
    )


def p(y, m, d, value):
    return Point(dt.date(y, m, d), D(str(value)))


def q_end(year, quarter):
    return {1: (year, 3, 31), 2: (year, 6, 30), 3: (year, 9, 30), 4: (year, 12, 31)}[quarter]


# --- comparators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "extra", "current", "expected"),
    [
        ("at_least", {}, "500", True),  # 500 家以上: exactly the target is met
        ("at_least", {}, "499.99", False),
        ("more_than", {}, "1000", False),  # 超过 1000 家 is strict
        ("more_than", {}, "1001", True),
        ("about", {"tolerance": "1"}, "9", True),  # 10 家左右 ±1
        ("about", {"tolerance": "1"}, "11", True),
        ("about", {"tolerance": "1"}, "11.01", False),
        ("about", {"tolerance": "1"}, "8.99", False),
        ("range", {"value_high": "15"}, "10", True),  # 10—15 家, both ends inside
        ("range", {"value_high": "15"}, "15", True),
        ("range", {"value_high": "15"}, "16", False),
        ("range", {"value_high": "15"}, "9", False),
    ],
)
def test_the_plans_words_of_comparison(comparator, extra, current, expected):
    value = {"about": "10", "range": "10", "more_than": "1000"}.get(comparator, "500")
    assert meets(goal(comparator=comparator, value=value, **extra), D(current)) is expected


# --- levels ---------------------------------------------------------------------------------


def high_tech():
    # 高新技术企业 500 家以上, from 353 at the end of 2021.
    return goal(baseline="353", baseline_on=dt.date(2021, 12, 31))


def test_a_level_expects_a_straight_line_from_the_baseline_to_the_target():
    g = high_tech()
    assert expected_value(g, dt.date(2021, 12, 31)) == D(353)
    assert expected_value(g, END) == D(500)
    middle = expected_value(g, dt.date(2023, 12, 31))  # 730 of 1461 days
    assert D("426") < middle < D("427")


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        ("1.00", ON_TRACK),
        ("0.95", ON_TRACK),
        ("0.9499", WARNING),
        ("0.80", WARNING),
        ("0.7999", BEHIND),
    ],
)
def test_the_thresholds_at_95_and_80_percent_of_expected(ratio, status):
    g = high_tech()
    on = dt.date(2023, 12, 31)
    expected = expected_value(g, on)
    result = assess(g, [Point(on, expected * D(ratio))], dt.date(2024, 1, 15))
    assert result.status == status


def test_a_level_that_reaches_the_target_early_is_met():
    result = assess(high_tech(), [p(2024, 6, 30, 512)], dt.date(2024, 7, 20))
    assert (result.status, result.current) == (MET, D(512))


def test_only_figures_up_to_the_day_count_and_the_latest_level_is_current():
    points = [p(2023, 12, 31, 400), p(2024, 3, 31, 420), p(2024, 6, 30, 450)]
    result = assess(high_tech(), points, dt.date(2024, 5, 1))
    assert (result.current, result.as_of) == (D(420), dt.date(2024, 3, 31))


def test_without_a_baseline_a_level_starts_from_its_first_figure():
    g = goal()
    result = assess(g, [p(2022, 6, 30, 380), p(2022, 9, 30, 380)], dt.date(2022, 10, 20))
    assert D(380) < result.expected < D(400)


def test_no_figures_means_no_data():
    assert assess(high_tech(), [], dt.date(2024, 1, 1)).status == NO_DATA
    assert assess(high_tech(), [p(2024, 6, 30, 400)], dt.date(2024, 6, 29)).status == NO_DATA


def test_admin_milestones_bend_the_expected_line():
    g = goal(baseline="353", baseline_on=dt.date(2021, 12, 31), milestones=(p(2023, 12, 31, 380),))
    assert expected_value(g, dt.date(2023, 12, 31)) == D(380)
    assert expected_value(g, dt.date(2022, 12, 31)) == D("366.5")  # halfway to the milestone


def test_about_is_flagged_when_far_above_as_well_as_below():
    leaders = goal(
        comparator="about",
        value="10",
        tolerance="1",
        baseline="6",
        baseline_on=dt.date(2021, 12, 31),
    )
    assert assess(leaders, [p(2024, 6, 30, 14)], dt.date(2024, 7, 20)).status == WARNING
    assert assess(leaders, [p(2024, 6, 30, 14)], dt.date(2024, 7, 20)).reason == "明显高于目标区间"
    assert assess(leaders, [p(2024, 6, 30, 10)], dt.date(2024, 7, 20)).status == MET
    assert assess(leaders, [p(2024, 6, 30, 3)], dt.date(2024, 7, 20)).status == BEHIND


def test_a_range_is_met_inside_and_flagged_above():
    institutions = goal("cumulative", "range", "10", value_high="15")
    assert assess(institutions, [p(2023, 6, 30, 12)], dt.date(2023, 7, 1)).status == MET
    assert assess(institutions, [p(2023, 6, 30, 17)], dt.date(2023, 7, 1)).status == WARNING


def test_more_than_is_strict_even_at_the_end():
    total = goal(
        comparator="more_than", value="1000", baseline="800", baseline_on=dt.date(2021, 12, 31)
    )
    assert assess(total, [p(2025, 12, 31, 1000)], dt.date(2026, 1, 20)).status == MISSED
    assert assess(total, [p(2025, 12, 31, 1001)], dt.date(2026, 1, 20)).status == ACHIEVED


# --- per-year flows ---------------------------------------------------------------------------


def turnover():
    return goal("annual", value="40")  # 每年完成技术合同成交额 40 亿元以上


def test_a_per_year_flow_adds_up_the_year_so_far_and_expects_it_pro_rata():
    points = [p(2024, 3, 31, 9), p(2024, 6, 30, 10.5)]
    result = assess(turnover(), points, dt.date(2024, 7, 15))
    assert result.current == D("19.5")
    # 2024 is a leap year: 30 June is day 182 of 366.
    assert result.expected == (D(40) * D(182) / D(366)).quantize(D("0.01"))
    assert result.status == ON_TRACK  # 19.5 of 19.89 expected: 98%
    assert result.ratio == (D("19.5") / (D(40) * D(182) / D(366))).quantize(D("0.0001"))


def test_each_year_starts_again_from_zero():
    points = [p(2023, 12, 31, 45), p(2024, 3, 31, 8)]
    result = assess(turnover(), points, dt.date(2024, 4, 20))
    assert result.current == D(8)
    assert result.yearly == {2023: D(45), 2024: D(8)}


def test_a_year_that_reaches_its_target_is_met_and_needs_no_more():
    points = [p(2024, 3, 31, 20), p(2024, 6, 30, 21)]
    result = assess(turnover(), points, dt.date(2024, 7, 15))
    assert result.status == MET and result.needed_per_quarter is None


def test_the_run_rate_still_needed_in_the_rest_of_the_year():
    result = assess(turnover(), [p(2024, 3, 31, 7)], dt.date(2024, 4, 20))
    assert (result.achieved_per_quarter, result.needed_per_quarter) == (D(7), D(11))


def test_the_final_verdict_on_a_per_year_flow_needs_every_year():
    good = [Point(dt.date(*q_end(y, 4)), D(41)) for y in (2022, 2023, 2024, 2025)]
    assert assess(turnover(), good, dt.date(2026, 2, 1)).status == ACHIEVED
    bad = [*good[:2], Point(dt.date(2024, 12, 31), D(39)), good[3]]
    assert assess(turnover(), bad, dt.date(2026, 2, 1)).status == MISSED


def test_about_per_year_is_met_inside_its_band():
    recruits = goal("annual", "about", "100", tolerance="10")
    assert assess(recruits, [p(2024, 12, 31, 95)], dt.date(2025, 1, 5)).status == MET
    midyear = assess(recruits, [p(2024, 6, 30, 130)], dt.date(2024, 7, 5))
    assert (midyear.status, midyear.reason) == (WARNING, "明显高于目标区间")
    year_end = assess(recruits, [p(2024, 12, 31, 130)], dt.date(2025, 1, 5))
    assert (year_end.status, year_end.reason) == (MISSED, "明显高于目标区间")


# --- totals over 2021–2025 --------------------------------------------------------------------


def test_a_five_year_total_adds_every_quarter_to_the_baseline():
    projects = goal("cumulative", value="200", baseline="30", baseline_on=dt.date(2022, 3, 31))
    points = [p(2022, 6, 30, 10), p(2022, 9, 30, 12), p(2022, 12, 31, 8)]
    result = assess(projects, points, dt.date(2023, 1, 20))
    assert result.current == D(60)
    assert result.achieved_per_quarter == D(10)  # 30 more in three quarters
    assert result.needed_per_quarter == D("11.67")  # 140 in the twelve quarters left


def test_a_total_without_baseline_starts_from_zero_on_the_plans_first_day():
    g = goal("cumulative", value="50")
    assert expected_value(g, START) == 0
    assert expected_value(g, dt.date(2022, 1, 1)) == D(10)  # 365 of the plan's 1825 days


def test_the_last_day_of_the_plan_expects_the_whole_target():
    g = goal("cumulative", value="50")
    assert expected_value(g, END) == D(50)
    result = assess(g, [p(2025, 12, 31, 50)], END)
    assert (result.status, result.final) == (MET, False)
    result = assess(g, [p(2025, 12, 31, 50)], END + dt.timedelta(days=1))
    assert (result.status, result.final) == (ACHIEVED, True)


# --- growth rates and benchmarks -----------------------------------------------------------


def test_the_average_annual_growth_rate():
    assert average_growth({2020: D(100), 2022: D(121)}) == D("10.0")
    assert average_growth({2023: D(100)}) is None


def test_growth_is_computed_from_complete_years_only():
    rd = goal("growth", value="19", baseline="20", baseline_on=dt.date(2021, 12, 31))
    quarters = [Point(dt.date(*q_end(2022, q)), D("6")) for q in (2, 3, 4)]  # 2022 lacks Q1
    quarters += [Point(dt.date(*q_end(2023, q)), D("7.2")) for q in (1, 2, 3, 4)]  # 28.8
    result = assess(rd, quarters, dt.date(2024, 1, 20))
    # from 20 (2021) to 28.8 (2023): (1.44 ** 0.5 - 1) = 20%
    assert result.current == D("20.00") and result.status == MET


def test_growth_needs_two_years():
    rd = goal("growth", value="19")
    result = assess(
        rd, [Point(dt.date(*q_end(2023, q)), D(5)) for q in (1, 2, 3, 4)], dt.date(2024, 1, 20)
    )
    assert result.status == NO_DATA


def test_a_benchmark_target_compares_with_the_benchmark_of_the_same_period():
    intensity = goal("benchmark", value=None)
    ours = [p(2023, 12, 31, "1.62"), p(2024, 12, 31, "1.90")]
    province = [p(2023, 12, 31, "1.86"), p(2024, 12, 31, "1.88")]
    early = assess(intensity, ours[:1], dt.date(2024, 2, 1), province)
    assert (early.expected, early.status) == (D("1.86"), WARNING)  # 1.62 / 1.86 = 87%
    later = assess(intensity, ours, dt.date(2025, 2, 1), province)
    assert later.status == MET
    assert assess(intensity, ours, dt.date(2025, 2, 1), province[:1]).status == NO_DATA


# --- invariants -----------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False)
days = st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31))


@given(current=amounts, on=days)
def test_never_on_track_or_met_when_below_95_percent_of_expected_and_not_met(current, on):
    g = high_tech()
    result = assess(g, [Point(on, current)], on)
    expected = expected_value(g, on)
    if result.status in (ON_TRACK, MET):
        assert current >= g.value or current >= expected * D("0.95")


@given(low=amounts, extra=amounts, on=days)
def test_more_never_makes_an_at_least_target_look_worse(low, extra, on):
    order = [BEHIND, WARNING, ON_TRACK, MET]
    g = high_tech()
    worse = assess(g, [Point(on, low)], on).status
    better = assess(g, [Point(on, low + extra)], on).status
    assert order.index(better) >= order.index(worse)


def test_a_first_year_reported_only_from_the_second_quarter_expects_only_that_part():
    g = goal("annual", value="40", reporting_start=dt.date(2022, 4, 1))
    # 1 April to 30 September 2022: 183 of 365 days.
    four_places = D("0.0001")
    expected = expected_value(g, dt.date(2022, 9, 30))
    assert expected.quantize(four_places) == (D(40) * D(183) / D(365)).quantize(four_places)
    three_quarters = [p(2022, 6, 30, 10), p(2022, 9, 30, 10), p(2022, 12, 31, 10.5)]
    full_years = [
        Point(dt.date(*q_end(y, q)), D("10.5")) for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)
    ]
    # 30.5 in the nine months reported in 2022 meets 40 × 275/365 = 30.14
    assert assess(g, three_quarters + full_years, dt.date(2026, 2, 1)).status == ACHIEVED
    assert (
        assess(goal("annual", value="40"), three_quarters + full_years, dt.date(2026, 2, 1)).status
        == MISSED
    )


def test_a_year_that_ended_short_of_its_target_is_not_met_whatever_the_ratio():
    points = [Point(dt.date(*q_end(2024, q)), D("9.8")) for q in (1, 2, 3, 4)]  # 39.2 of 40
    result = assess(turnover(), points, dt.date(2025, 1, 20))
    assert (result.status, result.reason) == (MISSED, "2024年全年未达到目标")
    assert assess(turnover(), points[:3], dt.date(2024, 10, 20)).status == ON_TRACK
