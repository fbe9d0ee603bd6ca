"""Archiving a plan that has ended: read-only, quarters closed, verdicts kept."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports import workflow
from reports.workflow import WorkflowError
from tasks.archiving import archive_plan
from tasks.models import Plan, ReportingPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_plan_still_running_cannot_be_archived(plan):
    with pytest.raises(ValidationError, match="结束后才能归档"):
        archive_plan(plan=plan, today=dt.date(2025, 12, 31))
    plan.refresh_from_db()
    assert not plan.is_archived


def test_an_archived_plan_closes_its_quarters_and_refuses_every_change(plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan, number=1, year=2025, quarter=4)
    workflow.submit_record(record=report, user=staff_kjj, version=report.version)
    archive_plan(plan=plan, today=dt.date(2026, 1, 1))
    plan.refresh_from_db()
    assert plan.is_archived
    assert not ReportingPeriod.objects.in_plan(plan).filter(closed_at__isnull=True).exists()
    report.refresh_from_db()
    with pytest.raises(WorkflowError, match="已归档"):
        workflow.approve_record(record=report, user=reviewer)
    with pytest.raises(WorkflowError, match="已归档"):
        workflow.return_record(record=report, user=reviewer, comment="补充")
    with pytest.raises((WorkflowError, PermissionDenied), match="已归档"):
        f.make_report(staff_kjj, plan, number=2, year=2025, quarter=4)
    with pytest.raises(ValidationError, match="已归档"):
        archive_plan(plan=plan, today=dt.date(2026, 1, 2))
    report.refresh_from_db()
    assert report.status == "submitted"


def test_archiving_through_the_page_is_for_admins_and_needs_a_post(
    client, plan, admin_user, leader
):
    url = reverse("dashboards:plan-archive", args=[plan.code])
    client.force_login(leader)
    assert client.post(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_archived
    page = client.get(reverse("dashboards:plan-manage")).content.decode()
    assert "已归档" in page


def test_the_default_plan_is_an_active_one_when_the_configured_one_is_missing(plan, settings):
    settings.DEFAULT_PLAN_CODE = "no-such-plan"
    assert Plan.objects.default() == plan
    archive_plan(plan=plan, today=dt.date(2026, 1, 1))
    assert Plan.objects.default() == plan  # the only plan, archived, is still shown


def test_an_archived_plans_pages_keep_its_verdicts_of_the_day_it_was_archived(client, plan, leader):
    from zoneinfo import ZoneInfo

    import time_machine

    from dashboards.models import VerdictState

    shanghai = ZoneInfo("Asia/Shanghai")
    client.force_login(leader)
    with time_machine.travel(dt.datetime(2026, 1, 5, 10, tzinfo=shanghai), tick=False):
        archive_plan(plan=plan, today=dt.date(2026, 1, 5))
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=shanghai), tick=False):
        page = client.get(reverse("dashboards:overview")).content.decode()
        assert "统计截至 2026年1月5日" in page
        assert VerdictState.objects.get(plan=plan).built_on == dt.date(2026, 1, 5)
        client.get(reverse("dashboards:plans"))
        client.get(reverse("dashboards:compliance"))
    assert VerdictState.objects.get(plan=plan).built_on == dt.date(2026, 1, 5)
