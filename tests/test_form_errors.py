"""Every form the site renders, sent with bad input: the error is in Chinese beside its field,
the field says it is invalid (aria-invalid) and names the error (aria-describedby, an id on the
same page), the form carries novalidate (no English browser bubble; the server checks what the
browser did: required, min/max, numbers, dates, lengths), and nothing is saved (WCAG 2.1 3.3.1,
3.3.3, 1.3.1, 4.1.2). The focus after a refused submit is tested in Chromium:
tests/test_browser_form_errors.py. The markup is read by tests/html_forms.py.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from dashboards.models import ExportJob
from reports.corrections import propose_correction
from reports.models import ProgressReport, ReportEvent, TargetValue, ValueCorrection
from reports.workflow import approve_record, submit_record
from tests import factories as f
from tests.html_forms import Page, assert_field_error, assert_summary_says

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
EXPORTS, EXPORT_START = reverse("dashboards:exports"), reverse("dashboards:export-start")
IMPORT = reverse("reports:import")
LEDGER = reverse("tasks:ledger", args=["innovation-2022"])


def report_url(plan, number=1):
    return reverse("reports:report-edit", args=[f.period(plan).pk, f.task(plan, number).pk])


def value_url(plan, key="tech-smes"):
    return reverse("reports:value-edit", args=[f.period(plan).pk, f.target(plan, key).pk])


def report_data(**fields):
    return {"progress": "完成重大科技专项立项12项。", "completion": "in_progress",
            "percent": "60", "problems": "", "next_steps": "", "submit": ""} | fields  # fmt: skip


def value_data(**fields):
    """For 2024 Q2 (the factories' default period): a level at the quarter's end."""
    return {"value": "412", "form": "level", "covers_to": "2024-06-30", "quality": "preliminary",
            "data_source": "省科技厅认定名单", "remarks": "", "submit": ""} | fields  # fmt: skip


def correction_data(**fields):
    return {"value": "503", "form": "level", "covers_to": "2024-06-30", "quality": "final",
            "data_source": "统计公报", "remarks": "", "reason": "统计公报公布正式数据"} | fields  # fmt: skip


@pytest.fixture
def approved_value(plan, staff_kjj, reviewer):
    value = f.make_value(staff_kjj, plan, key="high-tech-enterprises", value=Decimal(498))
    value = submit_record(record=value, user=staff_kjj, version=value.version)
    return approve_record(record=value, user=reviewer)


@pytest.fixture
def submitted_report(plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    return submit_record(record=report, user=staff_kjj, version=report.version)


@pytest.fixture
def pending_correction(approved_value, staff_kjj):
    content = {n: getattr(approved_value, n) for n in TargetValue.CONTENT_FIELDS}
    return propose_correction(value=approved_value, user=staff_kjj, reason="修正录入错误",
                              content=content | {"value": Decimal(520)})  # fmt: skip


# --- the login page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "", "password": "pw"}, "username", "请填写用户名。"),
        ({"username": "kjj-reporter", "password": ""}, "password", "请填写密码。"),
        ({"username": "x" * 151, "password": "pw"}, "username", "用户名最多 150 个字符"),
    ],
)
def test_a_login_without_a_name_or_password_asks_for_it_beside_the_field(
    client, staff_kjj, data, field, message
):
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert_field_error(response.content.decode(), field, message)
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_said_in_the_focusable_summary_at_the_top_of_the_form(
    client, staff_kjj
):
    response = client.post(LOGIN, {"username": "kjj-reporter", "password": "wrong"})
    page = response.content.decode()
    summary = assert_summary_says(page, "请输入一个正确的")
    assert summary.closest("form") is not None and "novalidate" in summary.closest("form").attrs
    assert "_auth_user_id" not in client.session


# --- the report, value and correction forms ---------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"progress": ""}, "progress", "请填写工作进展。"),
        ({"completion": ""}, "completion", "请选择完成情况。"),
        ({"completion": "finished-maybe"}, "completion", "请从列表中选择完成情况。"),
        ({"percent": ""}, "percent", "请填写完成进度。"),
        ({"percent": "150"}, "percent", "完成进度应在 0 到 100 之间。"),  # max=100
        ({"percent": "-1"}, "percent", "完成进度应在 0 到 100 之间。"),  # min=0
        ({"percent": "六十"}, "percent", "完成进度应为 0 到 100 的整数。"),  # type=number
    ],
)
def test_a_bad_report_is_refused_beside_the_field_and_nothing_is_saved(
    client, plan, staff_kjj, fields, field, message
):
    client.force_login(staff_kjj)
    response = client.post(report_url(plan), report_data(**fields))
    assert response.status_code == 200
    assert_field_error(response.content.decode(), field, message)
    assert not ProgressReport.objects.exists()


def test_a_bad_edit_of_a_draft_changes_nothing(client, plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = client.post(report_url(plan), report_data(progress="", version="1", save=""))
    assert_field_error(response.content.decode(), "progress", "请填写工作进展。")
    report.refresh_from_db()
    assert (report.progress, report.version) == (f.REPORT_CONTENT["progress"], 1)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"value": ""}, "value", "请填写数值。"),
        ({"value": "很多"}, "value", "请输入一个数字。"),
        ({"form": ""}, "form", "请选择口径。"),
        ({"covers_to": ""}, "covers_to", "请填写数据截止日期。"),
        ({"covers_to": "2024-13-45"}, "covers_to", "请按 2025-10-31 的格式填写日期。"),  # type=date
        ({"quality": ""}, "quality", "请选择数据性质。"),
        ({"quality": "guess"}, "quality", "请从列表中选择数据性质。"),
        ({"data_source": ""}, "data_source", "请注明数据来源"),
        ({"data_source": "统" * 201}, "data_source", "数据来源最多 200 个字（现在 201 个）。"),
    ],
)
def test_a_bad_value_is_refused_beside_the_field_and_nothing_is_saved(
    client, plan, staff_kjj, fields, field, message
):
    client.force_login(staff_kjj)
    response = client.post(value_url(plan), value_data(**fields))
    assert response.status_code == 200
    assert_field_error(response.content.decode(), field, message)
    assert not TargetValue.objects.exists()


def test_a_field_with_help_is_described_by_its_help_and_its_error(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    response = client.post(value_url(plan), value_data(covers_to=""))
    field = assert_field_error(response.content.decode(), "covers_to", "请填写数据截止日期。")
    assert field.get("aria-describedby") == "id_covers_to_helptext id_covers_to_error"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reason": " "}, "reason", "请说明更正原因"),
        ({"value": "-5"}, "value", "数值不能为负数。"),
        ({"data_source": "统" * 201}, "data_source", "数据来源最多 200 个字"),
    ],
)
def test_a_bad_correction_is_refused_beside_the_field_and_nothing_is_proposed(
    client, staff_kjj, approved_value, fields, field, message
):
    client.force_login(staff_kjj)
    url = reverse("reports:value-correct", args=[approved_value.pk])
    response = client.post(url, correction_data(**fields))
    assert response.status_code == 200
    assert_field_error(response.content.decode(), field, message)
    assert not ValueCorrection.objects.exists()
    approved_value.refresh_from_db()
    assert approved_value.value == Decimal(498)


def close(period):
    period.closed_at = timezone.now()
    period.save()


def test_a_closed_periods_submit_without_the_late_box_says_so_beside_the_box(
    client, plan, staff_kjj
):
    close(f.period(plan))
    client.force_login(staff_kjj)
    response = client.post(report_url(plan), report_data())
    assert response.status_code == 200
    message = "2024年第二季度已关闭，请勾选“逾期补报”后再报送。"
    assert_field_error(response.content.decode(), "late_ok", message)
    assert not ProgressReport.objects.exists()


def test_a_closed_periods_submit_from_the_records_page_says_so_beside_the_box(
    client, plan, staff_kjj
):
    report = f.make_report(staff_kjj, plan)
    close(report.period)
    client.force_login(staff_kjj)
    url = reverse("reports:record-submit", args=["report", report.pk])
    response = client.post(url, {"version": str(report.version)})
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.broken_references() == []
    (box,) = page.fields("late_ok")
    assert box.get("aria-invalid") == "true" and "novalidate" in box.closest("form").attrs
    (error,) = [page.ids[ref] for ref in box.get("aria-describedby").split()]
    assert "请勾选“逾期补报”" in error.text and error.closest("form") is box.closest("form")
    report.refresh_from_db()
    assert (report.status, report.version) == ("draft", 1)


# --- the Excel import -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "file", "请选择要导入的 Excel 文件。"),
        ({"period": "999999"}, "period", "没有这个填报期。"),
    ],
)
def test_an_import_without_a_file_or_with_an_unknown_period_says_so_beside_the_field(
    client, plan, staff_kjj, data, field, message
):
    client.force_login(staff_kjj)
    response = client.post(IMPORT, {"period": str(f.period(plan).pk)} | data)
    assert response.status_code == 200
    assert_field_error(response.content.decode(), field, message)
    assert not ProgressReport.objects.exists() and not TargetValue.objects.exists()


def test_a_refused_workbook_is_listed_in_a_focusable_box(client, plan, staff_kjj):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff_kjj)
    upload = SimpleUploadedFile("填报.xlsx", b"not a workbook", content_type="application/zip")
    response = client.post(IMPORT, {"period": str(f.period(plan).pk), "file": upload})
    page = Page(response.content.decode())
    assert page.broken_references() == []
    refused = page.summary()
    assert refused is not None and refused.get("id") == "import-refused"
    assert refused.get("tabindex") == "-1" and "没有导入" in refused.text
    assert not ProgressReport.objects.exists() and not TargetValue.objects.exists()


# --- the review: returning a record, rejecting a correction -----------------------------------


@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_without_a_comment_asks_for_it_beside_the_box_and_changes_nothing(
    client, reviewer, submitted_report, comment
):
    client.force_login(reviewer)
    url = reverse("reports:record-return", args=["report", submitted_report.pk])
    response = client.post(url, {"comment": comment})
    assert response.status_code == 200
    field = assert_field_error(response.content.decode(), "comment", "退回时必须填写退回意见。")
    assert field.get("aria-describedby") == "id_comment_helptext id_comment_error"
    submitted_report.refresh_from_db()
    assert (submitted_report.status, submitted_report.review_comment) == ("submitted", "")
    assert not submitted_report.events.filter(action=ReportEvent.Action.RETURN).exists()


def test_a_blank_return_of_a_record_another_reviewer_approved_is_not_a_silent_page(
    client, reviewer, submitted_report
):
    """The page would show no return box to put the error beside: the refusal says it."""
    approve_record(record=submitted_report, user=reviewer)
    client.force_login(reviewer)
    url = reverse("reports:record-return", args=["report", submitted_report.pk])
    response = client.post(url, {"comment": ""}, follow=True)
    assert response.redirect_chain and "退回时必须填写退回意见。" in response.content.decode()
    submitted_report.refresh_from_db()
    assert submitted_report.status == "approved"


def test_rejecting_a_correction_without_a_reason_asks_for_it_beside_the_box(
    client, reviewer, pending_correction
):
    client.force_login(reviewer)
    url = reverse("reports:correction-reject", args=[pending_correction.pk])
    response = client.post(url, {"comment": " "})
    assert response.status_code == 200
    assert_field_error(response.content.decode(), "comment", "不采纳更正时必须说明理由。")
    pending_correction.refresh_from_db()
    assert (pending_correction.status, pending_correction.review_comment) == ("submitted", "")


# --- the export form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": ""}, "period", "请选择填报期。"),
        ({"period": "999999"}, "period", "没有这个填报期。"),
        ({"unit": "abc"}, "unit", "没有这个单位。"),
    ],
)
def test_a_bad_export_request_is_refused_beside_the_field_and_starts_nothing(
    client, plan, admin_user, data, field, message
):
    client.force_login(admin_user)
    response = client.post(EXPORT_START, {"period": str(f.period(plan).pk)} | data)
    assert response.status_code == 200
    assert_field_error(response.content.decode(), field, message)
    assert not ExportJob.objects.exists()


def test_a_reporter_refused_an_export_is_still_offered_only_their_unit(client, staff_county):
    client.force_login(staff_county)
    response = client.post(EXPORT_START, {"period": ""})
    assert_field_error(response.content.decode(), "period", "请选择填报期。")
    (unit,) = Page(response.content.decode()).fields("unit")
    assert [o.text for o in unit.iter() if o.tag == "option"] == ["卧龙区"]


def test_a_refused_export_page_does_not_reload_itself_and_lose_the_error(client, plan, admin_user):
    ExportJob.objects.create(requested_by=admin_user, plan=plan, period=f.period(plan))
    client.force_login(admin_user)
    assert 'http-equiv="refresh"' in client.get(EXPORTS).content.decode()
    response = client.post(EXPORT_START, {"period": ""})
    assert 'http-equiv="refresh"' not in response.content.decode()


# --- the ledger's filters (a GET form) ---------------------------------------------------------


def test_an_unknown_unit_in_the_ledgers_filter_is_named_beside_the_field(client, leader):
    client.force_login(leader)
    response = client.get(LEDGER, {"unit": "999999"})
    assert_field_error(response.content.decode(), "unit", "没有这个责任单位，请从列表中选择。")


# --- every form page, before anything is sent ---------------------------------------------------


def form_pages(plan, *, approved_value, submitted_report, draft, correction):
    return {
        "anonymous": [LOGIN],
        "kjj-reporter": [
            report_url(plan, 3),
            value_url(plan),
            IMPORT,
            EXPORTS,
            reverse("reports:value-correct", args=[approved_value.pk]),
            draft.get_absolute_url(),  # its submit form, with the late box
        ],
        "plan-office": [
            submitted_report.get_absolute_url(),  # the return form
            correction.get_absolute_url(),  # the reject form
            EXPORTS,
            LEDGER,
        ],
    }


def test_every_form_page_names_only_ids_it_has_and_its_forms_leave_checks_to_the_server(
    client, plan, staff_kjj, reviewer, approved_value, submitted_report
):
    # The value already approved, a correction of it waiting: both review forms are shown.
    content = {n: getattr(approved_value, n) for n in TargetValue.CONTENT_FIELDS}
    correction = propose_correction(value=approved_value, user=staff_kjj, reason="改",
                                    content=content | {"value": Decimal(499)})  # fmt: skip
    draft = f.make_report(staff_kjj, plan, number=2)
    pages = form_pages(plan, approved_value=approved_value, submitted_report=submitted_report,
                       draft=draft, correction=correction)  # fmt: skip
    users = get_user_model().objects
    seen = 0
    for username, urls in pages.items():
        if username == "anonymous":
            client.logout()
        else:
            client.force_login(users.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            page = Page(html)
            assert page.broken_references() == [], (url, page.broken_references())
            assert '<script src="/static/js/forms.js" defer></script>' in html, url
            for form in (e for e in page.elements if e.tag == "form"):
                typed = [
                    e
                    for e in form.iter()
                    if e.tag in {"textarea", "select"}
                    or (e.tag == "input" and e.get("type") not in {"hidden", "submit"})
                ]
                if typed and form.get("method", "get").lower() == "post":
                    assert "novalidate" in form.attrs, (url, form.attrs)
                    seen += 1
    # login, report, value, import, export ×2, correction, submit (with its late box),
    # return, reject correction
    assert seen == 10, seen


def test_a_required_field_still_says_so_to_assistive_technology(client, plan, staff_kjj):
    """novalidate stops the browser's checks, not the `required` a screen reader announces."""
    client.force_login(staff_kjj)
    (progress,) = Page(client.get(report_url(plan)).content.decode()).fields("progress")
    assert "required" in progress.attrs and "aria-invalid" not in progress.attrs


def test_a_date_typed_in_the_chinese_way_is_still_taken(client, plan, staff_kjj):
    """The server reads what a browser without a date picker sends (input_formats)."""
    client.force_login(staff_kjj)
    response = client.post(value_url(plan), value_data(covers_to="2024年6月30日", save=""))
    assert response.status_code == 302
    assert TargetValue.objects.get().covers_to == dt.date(2024, 6, 30)


@pytest.mark.parametrize(
    ("url", "name", "help_text"),
    [
        (lambda plan: report_url(plan), "attachments", "每个不超过 10 MB"),
        (lambda plan: IMPORT, "file", "只接受本系统下载的 .xlsx 模板"),
        (lambda plan: value_url(plan), "covers_to", "数据所反映的最后一天"),
    ],
)
def test_a_fields_help_is_read_with_the_field(client, plan, staff_kjj, url, name, help_text):
    client.force_login(staff_kjj)
    page = Page(client.get(url(plan)).content.decode())
    (field,) = page.fields(name)
    (described,) = [page.ids[ref] for ref in field.get("aria-describedby").split()]
    assert help_text in described.text and described.parent is field.parent
