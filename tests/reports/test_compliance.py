import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dashboards.verdicts import refresh
from reports.duties import compliance
from reports.workflow import submit_record
from tests import factories as f
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db
URL = reverse("dashboards:compliance")
BUDGET = 17  # as in tests/dashboards/test_scale.py
SHANGHAI = ZoneInfo("Asia/Shanghai")


def standing(period):
    return {row.unit.name: row for row in compliance(period)}


def test_each_unit_owes_a_report_per_task_and_a_value_per_target_it_reports(plan):
    rows = standing(f.period(plan))
    # 卧龙区 in 2024 Q2: tasks 11, 12, 15 through 各县市区政府（管委会）, and the county target
    # reported every quarter (技术合同成交额, 1—N月累计); the yearly one is owed in Q4.
    assert (rows["卧龙区"].owed, rows["卧龙区"].missing) == (4, 4)
    # 市教育局: tasks 7 and 21, no target to report.
    assert rows["市教育局"].owed == 2
    # 市科技局 owns 19 tasks and reports 5 city targets every quarter.
    assert rows["市科技局"].owed == 19 + 5
    assert "各县市区政府（管委会）" not in rows  # a collective reports through its members


def test_in_the_fourth_quarter_the_yearly_figures_are_owed_too_but_not_before_their_due_date(
    plan,
):
    q4 = f.period(plan, 2024, 4)
    every = {row.unit.name: row for row in compliance(q4)}
    # 25 city targets, rd-intensity twice (its own value and the benchmark 全省平均水平).
    assert every["市科技局"].owed == 19 + 25 + 1 and every["卧龙区"].owed == 5
    # On 20 January 2025 the quarter is past due but the yearly figures are not: not missing.
    soon = {row.unit.name: row for row in compliance(q4, today=dt.date(2025, 1, 20))}
    assert (soon["卧龙区"].owed, soon["卧龙区"].missing) == (4, 4)
    later = {row.unit.name: row for row in compliance(q4, today=dt.date(2025, 7, 1))}
    assert later["卧龙区"].owed == 5  # county-incubators was due by 31 March 2025


def test_submitted_reports_count_as_on_time_or_late_and_drafts_do_not_count(plan, staff_county):
    period = f.period(plan, 2024, 2)
    with time_machine.travel(dt.datetime(2024, 7, 5, 9, tzinfo=SHANGHAI), tick=False):
        on_time = f.make_report(staff_county, plan, number=11, unit_name="卧龙区")
        submit_record(record=on_time, user=staff_county, version=1)
        f.make_report(staff_county, plan, number=12, unit_name="卧龙区")  # a draft
    with time_machine.travel(dt.datetime(2024, 7, 15, 9, tzinfo=SHANGHAI), tick=False):
        late = f.make_report(staff_county, plan, number=15, unit_name="卧龙区")
        submit_record(record=late, user=staff_county, version=1)
    row = standing(period)["卧龙区"]
    assert (row.owed, row.on_time, row.late, row.missing, row.state) == (4, 1, 1, 2, "missing")


def test_the_page_lists_units_with_the_most_missing_first(client, reviewer, plan):
    client.force_login(reviewer)
    with time_machine.travel(dt.datetime(2024, 6, 20, 9, tzinfo=SHANGHAI), tick=False):
        page = client.get(URL).content.decode()
    assert "2024年第二季度" in page and "报送截止 2024年7月10日" in page
    assert page.index("市科技局") < page.index("市教育局")
    assert "未报齐" in page


@pytest.mark.parametrize("role", ["reviewer", "leader", "admin_user"])
def test_the_plan_office_leaders_and_admins_may_see_it(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("role", ["staff_kjj", "staff_county", "outsider"])
def test_reporters_and_users_without_a_role_may_not(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    assert_login_required(client, URL)


def test_it_refuses_posts(client, reviewer):
    assert_read_only(client, reviewer, URL)


def test_its_queries_do_not_grow_with_the_reports(client, reviewer, staff_kjj, plan,
                                                  django_assert_max_num_queries):  # fmt: skip
    """The page is drawn from the stored records (refreshed when the data changes, not while
    the page waits), in the same queries before and after ten more reports."""
    client.force_login(reviewer)
    url = f"{URL}?period={f.period(plan).pk}"
    refresh(plan)
    with django_assert_max_num_queries(BUDGET):
        assert "市科技局" in client.get(url).content.decode()
    for number in range(1, 11):
        submit_record(record=f.make_report(staff_kjj, plan, number=number), user=staff_kjj,
                      version=1)  # fmt: skip
    refresh(plan)
    with django_assert_max_num_queries(BUDGET):
        page = client.get(url).content.decode()
    assert "按时 0，逾期 10，" in page  # the quarter was due long ago


def test_one_units_record_equals_its_row_in_everyones(plan, staff_county):
    from reports.duties import compliance_by_period
    from tasks.models import ReportingPeriod

    report = f.make_report(staff_county, plan, number=11, unit_name="卧龙区")
    submit_record(record=report, user=staff_county, version=1)
    periods = list(ReportingPeriod.objects.in_plan(plan)[:6])
    wolong = f.unit("卧龙区")
    everyone = compliance_by_period(plan, periods)
    alone = compliance_by_period(plan, periods, wolong)
    for period in periods:
        row = next(r for r in everyone[period.pk] if r.unit == wolong)
        [own] = alone[period.pk]
        assert (own.owed, own.on_time, own.late) == (row.owed, row.on_time, row.late)
