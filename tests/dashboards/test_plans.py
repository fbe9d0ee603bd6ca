"""Plans in the interface: the switcher, pages scoped to the current plan, the page across
plans for leadership, and 我的填报 across active plans."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tasks.archiving import archive_plan
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def second(plan):
    return f.second_plan()


def test_the_switcher_makes_the_pages_show_the_chosen_plan(client, leader, plan, second):
    client.force_login(leader)
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert plan.title in page and 'id="plan-switch"' in page
    response = client.get(
        reverse("tasks:plan-switch"), {"plan": second.code, "next": "/dashboard/"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert second.title in page
    assert f'href="/plans/{second.code}/ledger/"' in page  # the menu follows the plan
    # A plan's address switches the switcher too, and switching from it keeps the page.
    client.get(reverse("tasks:ledger", args=[plan.code]))
    response = client.get(
        reverse("tasks:plan-switch"), {"plan": second.code, "next": f"/plans/{plan.code}/ledger/"}
    )
    assert response["Location"] == f"/plans/{second.code}/ledger/"


def test_switching_to_an_unknown_plan_or_offsite_is_refused(client, leader, plan):
    client.force_login(leader)
    assert client.get(reverse("tasks:plan-switch"), {"plan": "nope"}).status_code == 404
    response = client.get(
        reverse("tasks:plan-switch"), {"plan": plan.code, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("targets:home")
    assert client.get(reverse("dashboards:overview"), {"plan": "nope"}).status_code == 404


def test_the_page_across_plans_shows_every_plan_and_links_into_each(client, leader, plan, second):
    client.force_login(leader)
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI), tick=False):
        archive_plan(plan=plan, today=dt.date(2026, 12, 3))
        page = client.get(reverse("dashboards:plans")).content.decode()
    assert plan.title in page and second.title in page
    assert f"?plan={second.code}" in page and f"?plan={plan.code}" in page
    assert page.index(second.title) < page.index("已归档的方案") < page.index(plan.title + "</a>")
    assert "目标指标（30 个）" in page


def test_the_page_across_plans_is_for_the_plan_office_leaders_and_admins(client, staff_kjj):
    client.force_login(staff_kjj)
    assert client.get(reverse("dashboards:plans")).status_code == 403
    client.logout()
    assert client.get(reverse("dashboards:plans")).status_code == 302


def test_the_page_across_plans_reads_a_bounded_number_of_queries(
    client, leader, plan, second, django_assert_max_num_queries
):
    client.force_login(leader)
    client.get(reverse("dashboards:plans"))  # verdicts built
    with django_assert_max_num_queries(60):
        client.get(reverse("dashboards:plans"))


def test_my_reporting_lists_what_the_unit_owes_in_every_active_plan(
    client, staff_kjj, plan, second
):
    client.force_login(staff_kjj)
    with time_machine.travel(dt.datetime(2026, 4, 3, 10, tzinfo=SHANGHAI), tick=False):
        page = client.get(reverse("reports:inbox"), {"plan": plan.code}).content.decode()
        assert "其他行动方案的待办" in page and second.title in page
        assert f"?plan={second.code}" in page
        page = client.get(reverse("reports:inbox"), {"plan": second.code}).content.decode()
        assert "待报" in page


def test_the_counts_across_plans_are_those_of_each_plans_own_inbox(staff_kjj, plan, second):
    from reports.duties import duties_across_plans, duties_for
    from tasks.models import Unit

    unit = Unit.objects.get(name="市科技局")
    report = f.make_report(staff_kjj, second, number=4, year=2026, quarter=2)
    from reports import workflow

    workflow.submit_record(record=report, user=staff_kjj, version=report.version)
    for today in (dt.date(2026, 4, 3), dt.date(2026, 7, 5), dt.date(2026, 12, 31)):
        for d in duties_across_plans(unit, today):
            duties = duties_for(unit, d.period)
            done = sum(x.is_done for x in duties)
            assert (d.done, d.owed) == (done, len(duties) - done), (today, d.plan.code)
    found = duties_across_plans(unit, dt.date(2026, 7, 5))
    assert [d.plan.code for d in found] == ["digital-2026"]
    assert found[0].done == 1


def test_the_counts_across_plans_read_the_same_queries_for_more_plans(
    staff_kjj, plan, second, django_assert_num_queries
):
    from reports.duties import duties_across_plans
    from tasks.models import Unit

    unit = Unit.objects.get(name="市科技局")
    with django_assert_num_queries(6):  # plans, periods, tasks, targets, reports, values
        duties_across_plans(unit, dt.date(2026, 7, 5))
    f.second_plan().__class__.objects.filter(pk=second.pk).update(code="digital-2026-b")
    third = f.second_plan()  # a third plan, the same units
    assert third.pk != second.pk
    with django_assert_num_queries(6):
        assert len(duties_across_plans(unit, dt.date(2026, 7, 5))) == 2
