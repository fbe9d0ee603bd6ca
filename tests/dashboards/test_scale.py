"""Dashboard queries stay the same on a database ten times the demonstration data."""

import datetime as dt
import json
import shutil
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dashboards.verdicts import refresh
from demo.models import DemoDataset
from demo.seeding import seed_demo
from reports.models import ProgressReport
from targets.loading import FIXTURES_DIR, load_plan
from tasks.models import Plan
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ten_plans(tmp_path):
    """Nine more copies of the plan (the notice launches ten such plans), each with the whole
    demonstration data set: ten times the demo."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, fixtures)
    for n in range(2, 11):
        copy = fixtures / f"copy-{n}"
        shutil.copytree(fixtures / "innovation-2022", copy)
        meta = json.loads((copy / "plan.json").read_text(encoding="utf-8"))
        meta |= {"code": f"copy-{n}", "title": f"{meta['title']}（副本{n}）"}
        (copy / "plan.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    load_plan(fixtures_dir=fixtures)
    for plan in Plan.objects.all():
        DemoDataset.objects.all().delete()  # seed_demo runs once per database otherwise
        seed_demo(plan=plan, seed=plan.pk, today=dt.date(2026, 3, 1))
    return Plan.objects.count()


def test_dashboards_run_the_same_queries_on_ten_times_the_demo(
    client, leader, plan, django_assert_max_num_queries, ten_plans
):
    assert ten_plans == 10
    assert ProgressReport.objects.count() > 10 * 1000
    client.force_login(leader)
    target = f.target(plan, "county-tech-contract-turnover")
    unit = f.unit("市科技局")
    budgets = {  # the same budgets as on the demonstration data (test_dashboards.py)
        reverse("dashboards:overview"): 16,
        reverse("dashboards:target", args=[target.pk]): 16,
        reverse("dashboards:unit", args=[unit.pk]): 18,
        reverse("dashboards:scoreboard"): 15,
        reverse("tasks:ledger", args=[plan.code]): 12,
        reverse("dashboards:compliance"): 17,
    }
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        for each in Plan.objects.all():
            refresh(each)  # stored when the data changes, not while a page waits
        for url, budget in budgets.items():
            with django_assert_max_num_queries(budget):
                assert client.get(url).status_code == 200
