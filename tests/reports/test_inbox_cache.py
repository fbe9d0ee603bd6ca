"""我的填报 is kept in the cache (reports/views.py inbox): it is served from there while nothing
it shows has changed, drawn again after any change that it shows, and its forms work for
every reporter of the unit."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from reports.models import Profile
from reports.workflow import approve_record, return_record, save_record, submit_record
from tasks.models import Unit
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
INBOX = "/reporting/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def main_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<main class="wrap" id="main">') : html.index("</main>")]


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9), SHANGHAI), tick=False)


def assert_fresh(client, step: str) -> None:
    """The page as served is the page drawn afresh (its forms' tokens aside: each drawing
    masks the same secret anew)."""
    served = main_of(client.get(INBOX))
    cache.clear()
    fresh = main_of(client.get(INBOX))
    assert TOKEN.sub("", served) == TOKEN.sub("", fresh), step
    again = main_of(client.get(INBOX))
    assert again == fresh, f"{step}: not served from the cache"  # the same tokens: kept


def test_the_inbox_is_drawn_again_after_every_change_it_shows(plan, staff_county, reviewer):
    client = Client()
    client.force_login(staff_county)
    day = dt.date(2024, 7, 5)  # 2024 Q2 is open for reports until 10 July
    with at(day):
        assert_fresh(client, "first visit")
        report = f.make_report(staff_county, plan, number=11, unit_name="卧龙区")
        assert "继续填报" in main_of(client.get(INBOX))
        assert_fresh(client, "a draft")
        report = save_record(record=report, user=staff_county, version=report.version,
                             content={"progress": "改过的进展"})  # fmt: skip
        assert_fresh(client, "a draft saved again")
        report = submit_record(record=report, user=staff_county, version=report.version)
        assert "已报送 1 项" in main_of(client.get(INBOX))
        assert_fresh(client, "submitted")
        report = return_record(record=report, user=reviewer, comment="请补充具体数据MK1")
        assert "请补充具体数据MK1" in main_of(client.get(INBOX))
        assert_fresh(client, "returned")
        report = submit_record(record=report, user=staff_county, version=report.version)
        approve_record(record=report, user=reviewer)
        assert_fresh(client, "approved")
        target = f.target(plan, "county-tech-contract-turnover")
        target.label = "技术合同成交额（改名）"
        target.save()
        assert "技术合同成交额（改名）" in main_of(client.get(INBOX))
        assert_fresh(client, "a target renamed")
        period = f.period(plan, 2024, 2)
        period.due_on = dt.date(2024, 7, 20)
        period.save()
        assert "2024年7月20日" in main_of(client.get(INBOX))
        assert_fresh(client, "a due date moved")
        collective = Unit.objects.get(kind=Unit.Kind.COLLECTIVE)
        collective.members.remove(f.unit("卧龙区"))
        assert "任务 12" not in main_of(client.get(INBOX))  # task 12 was 卧龙区's as a member
        assert_fresh(client, "left the collective")
    with at(day + dt.timedelta(days=1)):
        assert_fresh(client, "a day later")  # days left


def test_every_reporter_of_the_unit_gets_forms_that_post(plan, staff_county):
    """The page holds forms: two reporters of one unit each get their own, and each posts."""
    other = get_user_model().objects.create_user(username="wolong-2", password="pw-for-tests-1")
    Profile.objects.create(user=other, role=Profile.Role.REPORTER, unit=f.unit("卧龙区"))
    with at(dt.date(2024, 7, 5)):
        for number in (11, 12, 15):  # 卧龙区's tasks: each reported in Q1, one form each
            f.make_report(staff_county, plan, number=number, unit_name="卧龙区", quarter=1)
        # Each reads the page before anyone posts (a post changes what the page shows).
        forms = []
        for user in (staff_county, other, staff_county):  # the last: a new session, a new secret
            client = Client(enforce_csrf_checks=True)
            client.force_login(user)
            page = client.get(INBOX).content.decode()
            found = re.findall(
                r'<form method="post" action="(/reporting/[^"]+/no-change/)"[^>]*>'
                r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
                page,
            )
            assert len(found) == 3, "the inbox offers 与上季度相同，直接报送 for each task"
            forms.append((client, user, found[len(forms)]))
        for client, user, (action, token) in forms:
            response = client.post(action, {"csrfmiddlewaretoken": token})
            assert response.status_code == 302, user.username  # not refused for its token
