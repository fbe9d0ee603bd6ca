import pytest
from django.contrib import admin
from django.urls import reverse

from reports.models import (
    Attachment,
    ProgressReport,
    ReportEvent,
    ReportRevision,
    TargetValue,
    ValueCorrection,
)
from tests.factories import make_report

pytestmark = pytest.mark.django_db


READ_ONLY = {ProgressReport, TargetValue, ReportEvent, ReportRevision, Attachment, ValueCorrection}


def _ids(model):
    return f"{model._meta.app_label}.{model.__name__}"


@pytest.mark.parametrize("model", list(admin.site._registry), ids=_ids)
def test_every_model_has_a_chinese_admin_list(client, admin_user, model):
    client.force_login(admin_user)
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    assert "南阳市创新创业行动 管理后台" in response.content.decode()


@pytest.mark.parametrize("model", list(admin.site._registry), ids=_ids)
def test_plan_data_can_be_added_in_the_admin_but_reports_only_through_the_workflow(
    client, admin_user, model
):
    client.force_login(admin_user)
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # django-axes keeps its login records read-only too.
    read_only = model in READ_ONLY or opts.app_label == "axes"
    assert response.status_code == (403 if read_only else 200)


def test_an_admin_cannot_change_a_report_behind_the_workflows_back(client, admin_user, staff_kjj,
                                                                   plan):  # fmt: skip
    report = make_report(staff_kjj, plan)
    client.force_login(admin_user)
    url = reverse("admin:reports_progressreport_change", args=[report.pk])
    assert "进展" in client.get(url).content.decode()  # readable
    client.post(url, {"progress": "改写", "status": "approved"})
    report.refresh_from_db()
    assert (report.progress, report.status) != ("改写", "approved")
    assert report.status == "draft"


def test_the_task_admin_page_shows_the_units_inline(client, admin_user, plan):
    client.force_login(admin_user)
    task = plan.tasks.get(number=8)
    page = client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert "任务责任单位" in page and "牵头单位" in page


def test_people_without_staff_rights_cannot_open_the_admin(client, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_view_on_site_from_the_admin_opens_the_record_page(client, admin_user, staff_kjj, plan):
    from django.contrib.contenttypes.models import ContentType

    report = make_report(staff_kjj, plan)
    client.force_login(admin_user)
    kind = ContentType.objects.get_for_model(report)
    response = client.get(f"/admin/r/{kind.pk}/{report.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/records/report/{report.pk}/")
