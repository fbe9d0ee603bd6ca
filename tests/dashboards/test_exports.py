import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import exporting
from dashboards.exporting import remove_expired_exports, run_export
from dashboards.models import ExportJob
from tests import factories as f
from tests.views import assert_login_required

pytestmark = pytest.mark.django_db
PAGE, START = reverse("dashboards:exports"), reverse("dashboards:export-start")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def start(client, user, period, unit=None, callbacks=None):
    client.force_login(user)
    data = {"period": period.pk} | ({"unit": unit.pk} if unit else {})
    return client.post(START, data)


def download(client, job):
    response = client.get(reverse("dashboards:export-download", args=[job.pk]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_an_admin_exports_the_2025_q4_ledger_and_downloads_it(
    client, admin_user, plan, django_capture_on_commit_callbacks
):
    period = f.period(plan, 2025, 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert start(client, admin_user, period).status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.unit) == ("done", None)
    assert job.filename == "南阳市创新创业行动实施方案重点任务分工台账（2025年第四季度）.xlsx"
    response, content = download(client, job)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''%E5%8D%97%E9%98%B3" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["重点任务台账", "目标指标"]
    assert book["重点任务台账"]["A1"].value.endswith("（2025年第四季度）")
    assert book["目标指标"].max_row == 32  # title, header and 30 targets
    page = client.get(PAGE).content.decode()
    assert "已完成" in page and "下载" in page


def test_the_page_refreshes_itself_while_an_export_runs(client, admin_user, plan):
    period = f.period(plan, 2025, 4)
    start(client, admin_user, period)  # on_commit never fires in a test transaction: pending
    page = client.get(PAGE).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page and "排队中" in page


def test_a_reporter_exports_their_own_unit_only(
    client, staff_county, plan, django_capture_on_commit_callbacks
):
    period = f.period(plan, 2024, 2)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, staff_county, period)  # no unit chosen: their own
    job = ExportJob.objects.get()
    assert job.unit.name == "卧龙区" and job.status == "done"
    ledger = load_workbook(io.BytesIO(download(client, job)[1]))["重点任务台账"]
    column = [c.value for c in ledger[2]].index("填报单位") + 1
    assert {ledger.cell(row=r, column=column).value for r in range(3, ledger.max_row + 1)} == {
        "卧龙区"
    }
    response = start(client, staff_county, period, unit=f.unit("市科技局"))
    assert response.status_code == 403
    assert ExportJob.objects.count() == 1


def test_only_the_requester_or_the_plan_office_and_leaders_may_download(
    client, admin_user, staff_county, leader, plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(client, admin_user, f.period(plan, 2024, 2))
    job = ExportJob.objects.get()
    client.force_login(staff_county)
    assert download(client, job)[0].status_code == 404
    client.force_login(leader)
    assert download(client, job)[0].status_code == 200


def test_a_failed_export_says_so(
    client, admin_user, plan, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(exporting, "write_workbook", broken)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, admin_user, f.period(plan, 2024, 2))
    job = ExportJob.objects.get()
    assert job.status == "failed" and "磁盘已满" in job.error
    page = client.get(PAGE).content.decode()
    assert "失败" in page and "磁盘已满" in page
    assert download(client, job)[0].status_code == 404


def test_a_job_run_twice_runs_once(client, admin_user, plan):
    start(client, admin_user, f.period(plan, 2024, 2))
    job = ExportJob.objects.get()
    assert run_export(job.pk).status == "done"
    assert run_export(job.pk) is None


def test_files_older_than_seven_days_are_deleted(client, admin_user, plan, tmp_path):
    shanghai = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(dt.datetime(2025, 1, 1, 9, tzinfo=shanghai), tick=False):
        start(client, admin_user, f.period(plan, 2024, 2))
        old = ExportJob.objects.get()
        run_export(old.pk)
    with time_machine.travel(dt.datetime(2025, 1, 6, 9, tzinfo=shanghai), tick=False):
        start(client, admin_user, f.period(plan, 2024, 3))
        recent = ExportJob.objects.exclude(pk=old.pk).get()
        run_export(recent.pk)
    old.refresh_from_db()
    old_file = tmp_path / old.file.name
    assert old_file.exists()
    with time_machine.travel(dt.datetime(2025, 1, 8, 10, tzinfo=shanghai), tick=False):
        assert remove_expired_exports() == 1
    assert not old_file.exists()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_cleanup_job_runs_through_celery(client, admin_user, plan):
    from dashboards.jobs import delete_old_exports

    assert delete_old_exports.delay().get() == 0


def test_a_bad_period_is_refused_with_a_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(START, {"period": "999999"}, follow=True)
    assert "没有这个填报期。" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    assert_login_required(client, PAGE)


def test_wrong_methods_are_refused(client, admin_user):
    client.force_login(admin_user)
    assert client.get(START).status_code == 405
    assert client.post(PAGE).status_code == 405


def test_a_user_without_a_role_may_not_export(client, outsider, plan):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 403
    assert client.post(START, {"period": f.period(plan).pk}).status_code == 403
