import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.models import ReportingPeriod
from tasks.periods import Quarter, default_due_date, open_period, quarter_of, quarters_between

D = dt.date


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (D(2022, 5, 13), Quarter(2022, 2)),
        (D(2022, 3, 31), Quarter(2022, 1)),
        (D(2022, 4, 1), Quarter(2022, 2)),
        (D(2024, 2, 29), Quarter(2024, 1)),
        (D(2025, 12, 31), Quarter(2025, 4)),
        (D(2026, 1, 1), Quarter(2026, 1)),
    ],
)
def test_a_day_falls_in_its_quarter(day, quarter):
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(
    ("quarter", "start", "end", "due"),
    [
        (Quarter(2022, 2), D(2022, 4, 1), D(2022, 6, 30), D(2022, 7, 10)),
        (Quarter(2024, 1), D(2024, 1, 1), D(2024, 3, 31), D(2024, 4, 10)),
        (Quarter(2025, 4), D(2025, 10, 1), D(2025, 12, 31), D(2026, 1, 10)),
    ],
)
def test_a_quarter_has_its_dates_and_is_due_ten_days_after_it_ends(quarter, start, end, due):
    assert (quarter.start, quarter.end, default_due_date(quarter)) == (start, end, due)


def test_quarters_are_labelled_in_chinese():
    assert Quarter(2022, 2).label == "2022年第二季度"
    assert Quarter(2025, 4).label == "2025年第四季度"


def test_a_quarter_number_outside_1_to_4_is_refused():
    with pytest.raises(ValueError, match="1 to 4"):
        Quarter(2022, 5)


def test_the_plan_period_from_its_issue_to_2025_has_fifteen_quarters():
    quarters = quarters_between(D(2022, 5, 13), D(2025, 12, 31))
    assert len(quarters) == 15
    assert (quarters[0], quarters[-1]) == (Quarter(2022, 2), Quarter(2025, 4))
    assert quarters_between(D(2025, 1, 1), D(2024, 1, 1)) == []


@given(st.dates(D(2000, 1, 1), D(2100, 1, 1)), st.integers(0, 2000))
def test_consecutive_quarters_tile_the_calendar_without_gaps(first, length):
    quarters = quarters_between(first, first + dt.timedelta(days=length))
    assert quarters[0].start <= first
    for earlier, later in itertools.pairwise(quarters):
        assert later.start == earlier.end + dt.timedelta(days=1)


@dataclass
class FakePeriod:
    name: str
    starts_on: dt.date
    due_on: dt.date
    is_closed: bool = False


Q2 = FakePeriod("Q2", D(2022, 4, 1), D(2022, 7, 10))
Q3 = FakePeriod("Q3", D(2022, 7, 1), D(2022, 10, 10))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2022, 3, 31), None),  # before the first period
        (D(2022, 4, 1), "Q2"),  # its first day
        (D(2022, 7, 1), "Q2"),  # overlap: the earlier quarter is still due
        (D(2022, 7, 10), "Q2"),  # its due date is its last open day
        (D(2022, 7, 11), "Q3"),
        (D(2022, 10, 11), None),  # every period is past due
    ],
)
def test_the_open_period_is_the_earliest_one_still_before_its_due_date(today, expected):
    found = open_period([Q3, Q2], today)
    assert (found.name if found else None) == expected


def test_a_closed_period_is_never_open():
    closed_q2 = FakePeriod("Q2", Q2.starts_on, Q2.due_on, is_closed=True)
    assert open_period([closed_q2, Q3], D(2022, 7, 5)).name == "Q3"


@pytest.mark.django_db
def test_loading_the_plan_generates_fifteen_quarters_from_2022_q2_to_2025_q4(plan):
    periods = list(ReportingPeriod.objects.in_plan(plan))
    assert [(p.year, p.quarter) for p in periods[:2]] == [(2022, 2), (2022, 3)]
    assert len(periods) == 15 and (periods[-1].year, periods[-1].quarter) == (2025, 4)
    assert periods[0].due_on == D(2022, 7, 10) and periods[-1].due_on == D(2026, 1, 10)


@pytest.mark.django_db
def test_a_reload_keeps_a_due_date_an_admin_moved(plan):
    from targets.loading import load_plan

    period = ReportingPeriod.objects.get(plan=plan, year=2023, quarter=1)
    period.due_on = D(2023, 4, 20)
    period.save()
    assert not load_plan().changed
    period.refresh_from_db()
    assert period.due_on == D(2023, 4, 20)


def test_a_plans_cadence_makes_its_periods_quarters_half_years_or_years():
    from tasks.periods import period_label, periods_between

    first, last = dt.date(2026, 3, 20), dt.date(2030, 12, 31)
    spans = {c: periods_between(first, last, c) for c in ("quarterly", "half_yearly", "yearly")}
    assert [len(s) for s in spans.values()] == [20, 10, 5]
    half = spans["half_yearly"]
    assert (half[0].starts_on, half[0].ends_on) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert (half[1].starts_on, half[1].ends_on) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    labels = [period_label(s.year, s.quarter, s.starts_on) for s in half[:2]]
    assert labels == ["2026年上半年", "2026年下半年"]
    year = spans["yearly"][0]
    assert period_label(year.year, year.quarter, year.starts_on) == "2026年度"


def test_a_plan_ending_inside_a_period_still_reports_on_that_period():
    from tasks.periods import periods_between

    spans = periods_between(dt.date(2026, 1, 1), dt.date(2027, 8, 31), "yearly")
    assert [(s.year, s.ends_on) for s in spans] == [(2026, dt.date(2026, 12, 31)),
                                                   (2027, dt.date(2027, 12, 31))]  # fmt: skip


def test_the_first_plans_periods_stay_its_fifteen_quarters():
    from tasks.periods import periods_between

    spans = periods_between(dt.date(2022, 5, 13), dt.date(2025, 12, 31), "quarterly")
    assert len(spans) == 15 and spans[0].starts_on == dt.date(2022, 4, 1)
