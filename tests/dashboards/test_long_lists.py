"""Long lists fold: a task every county shares lists its first units and folds the rest in the
台账; the overview's reporting table and a county target's table show their first 20 rows
and fold the rest, so a page reads on a projector and a phone at 200 counties."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dashboards.verdicts import refresh
from demo.seeding import seed_demo
from tasks.models import Task, TaskUnit, Unit
from tasks.tables import UNITS_SHOWN
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 8, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_task_with_many_units_folds_the_rest_in_the_ledger(client, leader, plan):
    task = Task.objects.in_plan(plan).get(number=5)
    have = set(TaskUnit.objects.filter(task=task).values_list("unit_id", flat=True))
    extra = [u for u in Unit.objects.countable().order_by("sort_order") if u.pk not in have]
    for n, unit in enumerate(extra[:20], start=100):
        TaskUnit.objects.create(task=task, unit=unit, role=TaskUnit.Role.CO, position=n)
    total = len(have) + 20
    client.force_login(leader)
    html = client.get(reverse("tasks:ledger", args=[plan.code])).content.decode()
    row = html[html.index(task.title) :]
    row = row[: row.index("</tr>")]
    assert f"其余 {total - UNITS_SHOWN} 个单位</summary>" in row
    assert len(re.findall(r'class="unit[ "]', row)) == total  # every unit is still there


def test_the_overview_and_a_county_target_fold_after_twenty_rows(client, leader, plan):
    with time_machine.travel(NOW, tick=False):
        seed_demo(plan=plan, seed=5, today=NOW.date())
        refresh(plan)
        client.force_login(leader)
        html = client.get("/dashboard/").content.decode()
        target = f.target(plan, "county-tech-contract-turnover")
        county_page = client.get(reverse("dashboards:target", args=[target.pk])).content
    rows = html[html.index('data-chart="chart-compliance"') :]
    shown = rows[: rows.index("<details")].count("<tr>") - 1  # the header row
    assert shown == 20
    assert re.search(r"其余 \d+ 个单位</summary>", rows)
    counties = Unit.objects.get(kind=Unit.Kind.COLLECTIVE).members.count()
    assert f"其余 {counties - 20} 个县市区" in county_page.decode() or counties <= 20
