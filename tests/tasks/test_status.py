import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.status import AWAITING, DONE, IN_PROGRESS, LAGGING, NOT_STARTED, task_status


@pytest.mark.parametrize(
    ("completions", "overdue", "expected"),
    [
        (["done", "done"], False, DONE),
        (["done", "in_progress"], False, IN_PROGRESS),
        (["done", "lagging"], False, LAGGING),  # one unit lagging makes the task lag
        (["done", None], False, IN_PROGRESS),  # a unit still to report before the due date
        (["done", None], True, LAGGING),  # …and after it: overdue
        ([None, None], False, NOT_STARTED),
        ([None, None], True, LAGGING),
        (["not_started", "not_started"], True, NOT_STARTED),
        (["not_started", "in_progress"], False, IN_PROGRESS),
        ([], False, NOT_STARTED),
        (["awaiting", "awaiting"], False, AWAITING),  # reported, but nothing approved yet
        (["awaiting", None], True, LAGGING),  # a unit missing after the due date still lags
        (["awaiting", "in_progress"], False, IN_PROGRESS),  # what is approved decides
        (["awaiting", "done"], False, IN_PROGRESS),  # not done until every unit's is approved
        (["awaiting", "not_started"], False, AWAITING),
    ],
)
def test_a_tasks_status_follows_its_units_reports(completions, overdue, expected):
    assert task_status(completions, overdue=overdue) == expected


completions = st.lists(
    st.sampled_from([None, "not_started", "in_progress", "done", "lagging", "awaiting"]), max_size=8
)


@given(completions, st.booleans())
def test_done_only_when_every_unit_reports_done_and_lagging_wins_over_everything(items, overdue):
    status = task_status(items, overdue=overdue)
    if status == DONE:
        assert items and all(c == "done" for c in items)
    if "lagging" in items:
        assert status == LAGGING


@given(completions, st.booleans())
def test_a_report_awaiting_review_never_makes_a_task_done_or_in_progress(items, overdue):
    approved_only = [c for c in items if c != "awaiting"]
    status = task_status(items, overdue=overdue)
    if status in (DONE, IN_PROGRESS):
        assert task_status(approved_only, overdue=False) in (DONE, IN_PROGRESS)
