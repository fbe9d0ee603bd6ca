"""Dashboard pages from the page cache (dashboards/page_cache.py): a page drawn once is served
again without being drawn, and any change to what it shows gives a new page at once. That a
cached page equals a fresh drawing after every approval, correction and edit is proved by the
random walk in test_verdicts.py."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.verdicts import refresh
from demo.seeding import seed_demo
from tasks.models import Section, Task, Unit
from tests.dashboards.test_verdicts import main_of

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 8, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
OVERVIEW = "/dashboard/"


@pytest.fixture
def demo(plan, client, leader):
    with time_machine.travel(NOW, tick=False):
        seed_demo(plan=plan, seed=5, today=NOW.date())
        refresh(plan)
        client.force_login(leader)
        yield plan


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), main_of(response)


def test_a_page_drawn_once_is_served_without_drawing_it_again(client, demo):
    with time_machine.travel(NOW, tick=False):
        for url in [OVERVIEW, reverse("dashboards:scoreboard"),
                    reverse("dashboards:unit", args=[Unit.objects.get(name="卧龙区").pk])]:  # fmt: skip
            drawn, first = _queries(client, url)
            served, again = _queries(client, url)
            assert again == first
            # session, user, profile, plan, verdict state and the menu's (the scoreboard also
            # reads which years have ended): no verdict, no figure, no report is read
            assert served <= 7 < drawn, url


def test_a_new_title_shows_at_once(client, demo):
    with time_machine.travel(NOW, tick=False):
        client.get(OVERVIEW)
        task = Task.objects.in_plan(demo).get(number=3)
        task.title = "建设高水平创新平台（新标题）"
        task.save()
        assert "建设高水平创新平台（新标题）" in client.get(OVERVIEW).content.decode()
        section = Section.objects.filter(plan=demo).first()
        section.title = "新的部分标题"
        section.save()
        assert "新的部分标题" in client.get(OVERVIEW).content.decode()
        unit = Unit.objects.get(name="卧龙区")
        unit.name = "卧龙区（新名称）"
        unit.save()
        assert "卧龙区（新名称）" in client.get(OVERVIEW).content.decode()


def test_each_language_has_its_own_page(client, demo):
    with time_machine.travel(NOW, tick=False):
        chinese = client.get(OVERVIEW, headers={"accept-language": "zh-hans"}).content.decode()
        client.cookies["django_language"] = "en"
        english = client.get(OVERVIEW).content.decode()
    assert "总览 · 南阳市实施创新创业行动工作方案" in chinese
    assert "总览 · 南阳市实施创新创业行动工作方案" not in english
