"""Security: deployment checks, login throttling, sessions, headers, CSRF and inert text.

Forged ids and fields for every write are in tests/reports/test_permissions.py; refused uploads in
tests/reports/test_attachments.py and tests/reports/test_importing.py; formula-proof Excel cells in
tests/dashboards/test_excel.py.
"""

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dashboards import charts
from demo.accounts import DEMO_PASSWORD, create_demo_accounts
from nanyang_tracker.middleware import CONTENT_SECURITY_POLICY
from reports.workflow import return_record, submit_record
from targets.models import Target
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/accounts/login/"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("https", ["0", "1"])
def test_production_settings_pass_the_deployment_check(https):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DATABASE_URL"}}
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "tracker.example.gov.cn",
        "HTTPS": https,
        "DJANGO_SETTINGS_MODULE": "nanyang_tracker.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def login(client, username, password, address="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_out_that_user_from_that_address_only():
    create_demo_accounts()
    client = Client()
    for _ in range(4):
        assert login(client, "kjj", "wrong-password").status_code == 200
    assert login(client, "kjj", "wrong-password").status_code == 429  # the fifth locks
    locked = login(client, "kjj", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert "暂时无法登录" in locked.content.decode()
    # the same clerk at another computer, and a colleague behind the same address, still log in
    assert login(Client(), "kjj", DEMO_PASSWORD, address="10.1.1.2").status_code == 302
    assert login(Client(), "wolong", DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off():
    create_demo_accounts()
    start = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            login(Client(), "leader", "wrong-password")
        assert login(Client(), "leader", DEMO_PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert login(Client(), "leader", DEMO_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "密码长度太短"),
        ("12345678901", "只包含数字"),
        ("password123", "太常见"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password, message):
    with pytest.raises(ValidationError) as raised:
        validate_password(password)
    assert any(message in m for m in raised.value.messages), raised.value.messages


@pytest.mark.django_db
def test_an_idle_session_ends_and_a_busy_one_does_not(leader):
    client = Client()
    start = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(leader)
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        assert client.get("/").status_code == 200  # 25 minutes after the last request
    with time_machine.travel(start + dt.timedelta(minutes=80), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_a_deactivated_users_session_ends_at_once(client, staff_kjj):
    client.force_login(staff_kjj)
    assert client.get("/reporting/").status_code == 200
    staff_kjj.is_active = False
    staff_kjj.save()
    assert client.get("/reporting/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/plans/innovation-2022/ledger/", "/dashboard/", "/reporting/", LOGIN, "/admin/"]
)
def test_every_page_sends_a_policy_without_inline_scripts_and_has_none(client, staff_kjj, url):
    client.force_login(staff_kjj)
    response = client.get(url, follow=True)
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert script_src.strip() == "'self'"
    page = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " onclick=" not in page and " onload=" not in page
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_posts_without_the_csrf_token_are_refused(plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_kjj)
    submit = reverse("reports:record-submit", args=["report", report.pk])
    assert client.post(submit, {"version": 1}).status_code == 403
    report.refresh_from_db()
    assert report.status == "draft"
    client.force_login(reviewer)
    approve = reverse("reports:record-approve", args=["report", report.pk])
    assert client.post(approve).status_code == 403


@pytest.mark.django_db
def test_html_and_script_in_reports_stay_inert_on_every_page(client, plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan, progress=SCRIPT, problems=SCRIPT)
    report = submit_record(record=report, user=staff_kjj, version=1)
    report = return_record(record=report, user=reviewer, comment=SCRIPT)
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    shown = {  # pages that show the text: it is there, escaped
        staff_kjj: [
            f"/records/report/{report.pk}/",
            f"/records/report/{report.pk}/history/",
            f"/reporting/?period={report.period_id}",
            f"/reporting/{report.period_id}/tasks/{report.task_id}/",
        ],
        reviewer: [f"/records/report/{report.pk}/"],
    }
    listed = {reviewer: [f"/tasks/{report.task_id}/", "/review/?status=returned"]}
    for pages, must_show in ((shown, True), (listed, False)):
        for user, urls in pages.items():
            client.force_login(user)
            for url in urls:
                page = client.get(url).content.decode()
                assert "<script>alert" not in page and "<img src=x" not in page, url
                if must_show:
                    assert escaped in page, url


@pytest.mark.django_db
def test_markup_in_a_target_name_stays_text_in_the_charts(client, plan, leader):
    Target.objects.filter(plan=plan, key="tech-smes").update(
        label='科技型中小企业<b onmouseover="x">'
    )
    client.force_login(leader)
    page = client.get("/dashboard/").content.decode()
    figures = [
        json.loads(body)
        for body in re.findall(
            r'<script id="chart-section-\d+" type="application/json">(.*?)</script>', page, re.S
        )
    ]
    labels = [y for figure in figures for y in figure["data"][0]["y"]]
    hovers = [h for figure in figures for h in figure["data"][0]["hovertext"]]
    assert any("&lt;b onmouseover" in label for label in labels)
    assert not any("<b onmouseover" in text for text in labels + hovers)
    assert "<b onmouseover" not in page  # json_script escapes < as \\u003C as well


def test_chart_text_from_data_is_escaped():
    assert (
        charts.safe("<a href='javascript:x'>点</a>") == "&lt;a href='javascript:x'&gt;点&lt;/a&gt;"
    )
