"""The reporting pages: the reporter's inbox, the report and value forms, a record's page and
history, submit/return/approve, the reviewer's queue and deleting an attachment.

Who may not do what is tabled in test_permissions.py; uploads and downloads in
test_attachments.py.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reports.attachments import check_upload
from reports.models import Attachment, Profile, ProgressReport, TargetValue
from reports.workflow import (
    add_attachments,
    approve_record,
    return_record,
    save_record,
    submit_record,
)
from tests import factories as f
from tests.views import assert_login_required

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
INBOX = reverse("reports:inbox")
QUEUE = reverse("reports:review-queue")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# 市科技局 owns every ledger row but 11, 12 (市委组织部 leads, the counties assist) and 21.
KJJ_TASKS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 22]
# It reports every city-wide target except those reported by 市财政局 (9), 市发展改革委 (17)
# and 市委组织部 (23); rd-intensity twice, its own value and the benchmark 全省平均水平.
KJJ_TARGETS = [n for n in range(1, 31) if n not in (9, 17, 22, 23, 27)]
# Of those, these are owed every quarter; the others, published yearly (统计公报, 认定结果),
# once a year with the fourth quarter, due months later (targets.json cadence, due_months).
KJJ_QUARTERLY = [6, 12, 15, 25, 26]
# The inbox and the queue read a fixed number of rows (about 15, with the session, the user and
# the site's menu); a query per listed report would add 25 to 45 with "many-reports".
MAX_PAGE_QUERIES = 20
# 我的填报 served from the cache (reports/views.py): the session, the user with its profile
# and unit (reports/backends.py), the plan, its periods, the unit's reports and values of the
# period and the tasks it reported before (the page's key), the demo flag; drawn: its tasks
# with its roles, its reports, its targets, their values on top. The same with 1 report or 38.
INBOX_QUERIES = 8
INBOX_DRAWN_QUERIES = 12
# With other active plans, what the unit owes in them (reports/duties.py duties_across_plans):
# their periods, the unit's tasks and targets in them, its reports and values — however many.
ACROSS_PLANS_QUERIES = 5


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)


def reporter(username, unit_name, **extra):
    user = get_user_model().objects.create_user(username, password="pw-for-tests-1", **extra)
    Profile.objects.create(user=user, role=Profile.Role.REPORTER, unit=f.unit(unit_name))
    return user


@pytest.fixture
def staff_czj(db):
    """A reporter of 市财政局, a co-unit (配合单位) of the tasks 市科技局 leads."""
    return reporter("czj-reporter", "市财政局")


@pytest.fixture
def colleague(db):
    """A second reporter of 市科技局, who edits the same reports."""
    return reporter("kjj-colleague", "市科技局", first_name="王科员")


def report_url(plan, number=1, year=2024, quarter=2):
    period, task = f.period(plan, year, quarter), f.task(plan, number)
    return reverse("reports:report-edit", args=[period.pk, task.pk])


def no_change_url(plan, number=1, year=2024, quarter=2):
    period, task = f.period(plan, year, quarter), f.task(plan, number)
    return reverse("reports:report-no-change", args=[period.pk, task.pk])


def value_url(plan, key="high-tech-enterprises", year=2024, quarter=2, series=None):
    period, target = f.period(plan, year, quarter), f.target(plan, key)
    url = reverse("reports:value-edit", args=[period.pk, target.pk])
    return f"{url}?series={series}" if series else url


def detail_url(record, name="reports:record-detail"):
    kind = "report" if isinstance(record, ProgressReport) else "value"
    return reverse(name, args=[kind, record.pk])


def report_data(**fields):
    data = {
        "progress": "完成重大科技专项立项12项，下达资金1000万元。",
        "completion": "in_progress",
        "percent": "60",
        "problems": "",
        "next_steps": "",
    }
    return data | fields


def value_data(**fields):
    """A figure as the form posts it: for 2024 Q2 (value_url's quarter), a level at its end."""
    return {"value": "412", "form": "level", "covers_to": "2024-06-30", "quality": "preliminary",
            "data_source": "省科技厅高企认定名单", "remarks": ""} | fields  # fmt: skip


def field_block(page: str, name: str) -> str:
    """The form-field block (label, input and its errors) of the input named `name`."""
    for block in page.split('<div class="form-field')[1:]:
        block = block.split("</div>")[0]
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"the page has no field named {name}")


def section(page: str, start: str) -> str:
    assert start in page, f"{start!r} is not on the page"
    return page.split(start, 1)[1].split("</section>")[0]


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def close(period):
    period.closed_at = timezone.now()
    period.save()


def submitted(user, plan, **kwargs):
    record = f.make_report(user, plan, **kwargs)
    return submit_record(record=record, user=user, version=record.version)


# --- the inbox ------------------------------------------------------------------------------


def test_the_inbox_lists_the_city_bureaus_tasks_and_targets_for_the_open_period(
    client, plan, staff_kjj
):
    client.force_login(staff_kjj)
    with at(2024, 6, 20, 9):
        response = client.get(INBOX)
    assert response.status_code == 200
    assert response.context["period"] == f.period(plan, 2024, 2)
    duties = response.context["duties"]
    assert [d.subject.number for d in duties if d.kind == "task"] == KJJ_TASKS
    targets = [(d.subject.number, d.series) for d in duties if d.kind == "target"]
    assert [n for n, _ in targets] == KJJ_QUARTERLY  # a yearly figure is not asked for in Q2
    page = response.content.decode()
    assert "2024年第二季度" in page and "报送截止 2024年7月10日" in page
    assert "还剩 20 天" in page and "逾期" not in page
    assert "已报送 0 项，待报 24 项" in page
    assert "实施重大科技专项" in page and "用活就业创业政策" not in page  # task 11 is not theirs


def test_in_the_fourth_quarter_the_inbox_also_asks_for_the_yearly_figures_with_their_due_dates(
    client, plan, staff_kjj
):
    client.force_login(staff_kjj)
    with at(2025, 1, 5, 9):
        response = client.get(INBOX)
    assert response.context["period"] == f.period(plan, 2024, 4)
    duties = [d for d in response.context["duties"] if d.kind == "target"]
    assert [d.subject.number for d in duties] == sorted([*KJJ_TARGETS, 1])
    assert (1, "benchmark") in [(d.subject.number, d.series) for d in duties]
    due = {d.subject.key: d.due_on for d in duties}
    assert due["tech-smes"] == dt.date(2025, 1, 10)  # quarterly: with the quarter
    assert due["high-tech-enterprises"] == dt.date(2025, 6, 30)  # yearly: June next year
    assert due["rd-intensity"] == dt.date(2025, 9, 30)  # after the provincial statistics
    page = response.content.decode()
    assert escape(f.target(plan, "rd-intensity").label) in page  # R&amp;D
    assert "2025年6月30日" in page


def test_the_inbox_of_a_county_lists_tasks_11_12_15_and_the_two_county_targets(
    client, plan, staff_county
):
    client.force_login(staff_county)
    with at(2024, 6, 20, 9):
        response = client.get(INBOX)
    duties = response.context["duties"]
    assert [(d.kind, d.subject.number) for d in duties] == [
        ("task", 11),
        ("task", 12),
        ("task", 15),
        ("target", 27),
    ]  # fmt: skip  (county-incubators, target 22, is counted once a year)
    assert [d.subject.key for d in duties if d.kind == "target"] == [
        "county-tech-contract-turnover",
    ]
    page = response.content.decode()
    assert "卧龙区" in page and "作为各县市区政府（管委会）成员" in page
    assert "实施重大科技专项" not in page


def test_the_inbox_shows_the_state_of_each_duty_and_counts_what_is_done(client, plan, staff_kjj):
    with at(2024, 6, 20, 9):
        f.make_report(staff_kjj, plan, number=1)
        submitted(staff_kjj, plan, number=2)
        f.make_value(staff_kjj, plan, key="tech-smes")
        client.force_login(staff_kjj)
        response = client.get(INBOX)
    states = {
        (d.kind, d.subject.number, d.series): d.state_code for d in response.context["duties"]
    }
    assert states[("task", 1, "actual")] == "draft"
    assert states[("task", 2, "actual")] == "submitted"
    assert states[("task", 3, "actual")] == "missing"
    assert states[("target", 6, "actual")] == "draft"
    page = response.content.decode()
    assert "已报送 1 项，待报 23 项" in page
    for label in ("草稿", "已报送", "未填报", "继续填报"):
        assert label in page


def test_on_the_first_days_of_a_quarter_the_previous_quarter_stays_open_until_its_due_date(
    client, plan, staff_kjj
):
    client.force_login(staff_kjj)
    with at(2024, 7, 5, 9):
        response = client.get(INBOX)
    assert response.context["period"] == f.period(plan, 2024, 2)
    assert "还剩 5 天" in response.content.decode()
    with at(2024, 7, 11, 9):
        response = client.get(INBOX)
    assert response.context["period"] == f.period(plan, 2024, 3)


def test_a_period_past_its_due_date_shows_the_days_overdue_and_marks_what_is_missing(
    client, plan, staff_kjj
):
    client.force_login(staff_kjj)
    with at(2024, 6, 20, 9):
        submitted(staff_kjj, plan, number=1, quarter=1)
        response = client.get(INBOX, {"period": f.period(plan, 2024, 1).pk})
    assert response.context["period"] == f.period(plan, 2024, 1)
    page = response.content.decode()
    assert "已逾期 71 天" in page  # due on 10 April
    # all but task 1: 19 tasks and the 5 quarterly targets (the yearly ones are owed in Q4)
    assert page.count('<span class="state state-overdue">逾期</span>') == 23
    assert "逾期报送" in page  # task 1 was submitted after its due date


def test_after_the_last_period_is_due_the_inbox_shows_the_last_one_overdue(
    client, plan, staff_county
):
    client.force_login(staff_county)
    with at(2026, 1, 20, 9):
        response = client.get(INBOX)
    assert response.context["period"] == f.period(plan, 2025, 4)
    assert "已逾期 10 天" in response.content.decode()


def test_before_the_first_period_starts_the_inbox_says_so(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    with at(2022, 3, 1, 9):
        response = client.get(INBOX)
    assert response.status_code == 200 and response.context["period"] is None
    assert "填报期尚未开始" in response.content.decode()


@pytest.mark.parametrize("period", ["999999", "abc"])
def test_an_unknown_period_in_the_inbox_is_not_found(client, staff_kjj, period):
    client.force_login(staff_kjj)
    assert client.get(INBOX, {"period": period}).status_code == 404


def test_the_inbox_offers_no_change_only_for_a_task_reported_the_quarter_before(
    client, plan, staff_kjj
):
    client.force_login(staff_kjj)
    with at(2024, 6, 20, 9):
        f.make_report(staff_kjj, plan, number=1, quarter=1)
        response = client.get(INBOX)
    page = response.content.decode()
    assert page.count("与上季度相同，直接报送") == 1
    assert no_change_url(plan, 1) in page
    assert f"{report_url(plan, 1)}?prefill=previous" in page
    assert no_change_url(plan, 2) not in page


def test_a_reviewer_is_sent_from_the_inbox_to_the_review_queue(client, reviewer):
    client.force_login(reviewer)
    response = client.get(INBOX)
    assert response.status_code == 302 and response["Location"] == QUEUE


def test_the_inbox_needs_a_signed_in_user(client):
    assert_login_required(client, INBOX)


def test_the_inbox_refuses_posts(client, staff_kjj):
    client.force_login(staff_kjj)
    assert client.post(INBOX).status_code == 405


def fill_quarter(plan, user, unit_name, numbers, keys, *, quarter=2):
    """Reports and values of every kind of state for one unit in 2024 `quarter`."""
    for i, number in enumerate(numbers):
        report = f.make_report(user, plan, number=number, unit_name=unit_name, quarter=quarter)
        if i % 2:
            submit_record(record=report, user=user, version=report.version)
    for key in keys:
        f.make_value(user, plan, key=key, unit_name=unit_name, quarter=quarter, value=Decimal(5))


@pytest.mark.parametrize("plans", [1, 3], ids=["one-plan", "three-plans"])
@pytest.mark.parametrize("many", [False, True], ids=["few-reports", "many-reports"])
def test_the_inbox_runs_a_bounded_number_of_queries(
    client, plan, staff_kjj, many, plans, django_assert_max_num_queries
):
    for n in range(plans - 1):
        f.copy_of_plan(f"another-{n}")
    more = ACROSS_PLANS_QUERIES if plans > 1 else 0
    with at(2024, 6, 20, 9):
        if many:
            keys = ["high-tech-enterprises", "innovation-leaders", "tech-smes", "rd-intensity"]
            fill_quarter(plan, staff_kjj, "市科技局", KJJ_TASKS, keys, quarter=1)
            fill_quarter(plan, staff_kjj, "市科技局", KJJ_TASKS, keys)
            assert ProgressReport.objects.count() == 38
        else:
            f.make_report(staff_kjj, plan)
        client.force_login(staff_kjj)
        with django_assert_max_num_queries(INBOX_DRAWN_QUERIES + more):
            response = client.get(INBOX)
        with django_assert_max_num_queries(INBOX_QUERIES + more):
            served = client.get(INBOX).content.decode()
        main = response.content.decode()
        assert (
            served[served.index("<main") :].split("</main>")[0]
            == main[main.index("<main") :].split("</main>")[0]
        )  # the body kept, its forms' tokens with it
    assert len(response.context["duties"]) == 24
    assert len(response.context["across"]) == plans - 1


# --- the report form ------------------------------------------------------------------------


def test_the_report_form_opens_empty_for_a_task_of_the_unit(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get(report_url(plan, 1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "实施重大科技专项" in page and "2024年第二季度" in page
    assert 'name="save"' in page and 'name="submit"' in page
    assert response.context["form"]["percent"].value() == 0


def test_saving_a_draft_creates_the_report_and_returns_to_the_form(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    url = report_url(plan, 1)
    response = client.post(url, report_data(save=""))
    assert response.status_code == 302 and response["Location"] == url
    report = ProgressReport.objects.get()
    assert (report.unit.name, report.task.number, report.period) == (
        "市科技局", 1, f.period(plan, 2024, 2)
    )  # fmt: skip
    assert (report.status, report.version, report.percent) == ("draft", 1, 60)
    assert shown_messages(response) == ["草稿已保存。"]
    page = client.get(url).content.decode()
    assert "完成重大科技专项立项12项" in page and 'value="1"' in page  # the version


def test_submitting_from_the_form_creates_and_submits_in_one_step(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    with at(2024, 6, 20, 9):
        response = client.post(report_url(plan, 1), report_data(submit=""))
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    assert (report.status, report.is_late) == ("submitted", False)
    assert list(report.events.values_list("action", flat=True)) == ["create", "submit"]


def test_saving_an_existing_draft_keeps_one_report_and_moves_its_version_on(
    client, plan, staff_kjj
):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = client.post(
        report_url(plan, 1), report_data(progress="已下达第二批资金。", version="1", save="")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.progress, report.version, report.status) == ("已下达第二批资金。", 2, "draft")
    assert ProgressReport.objects.count() == 1


def test_submitting_an_existing_draft_saves_the_edit_and_submits_it(client, plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = client.post(
        report_url(plan, 1), report_data(progress="已全部完成。", percent="100",
                                         completion="done", version="1", submit="")
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    report.refresh_from_db()
    assert (report.status, report.progress, report.percent) == ("submitted", "已全部完成。", 100)
    assert list(report.events.values_list("action", flat=True)) == ["create", "save", "submit"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"percent": "101"}, "percent", "完成进度应在 0 到 100 之间。"),
        ({"percent": "-1"}, "percent", "完成进度应在 0 到 100 之间。"),
        ({"percent": "六十"}, "percent", "完成进度应为 0 到 100 的整数。"),
        ({"percent": ""}, "percent", "请填写完成进度。"),
        ({"progress": ""}, "progress", "请填写工作进展。"),
        ({"progress": "   "}, "progress", "请填写工作进展。"),
        ({"completion": "maybe"}, "completion", "请从列表中选择完成情况。"),
    ],
)
@pytest.mark.parametrize("button", ["save", "submit"])
def test_an_invalid_report_shows_a_chinese_error_beside_the_field_and_saves_nothing(
    client, plan, staff_kjj, fields, field, message, button
):
    client.force_login(staff_kjj)
    response = client.post(report_url(plan, 1), report_data(**fields, **{button: ""}))
    assert response.status_code == 200
    block = field_block(response.content.decode(), field)
    assert block.startswith(" has-error") and message in block
    assert not ProgressReport.objects.exists()


def test_an_invalid_edit_of_a_draft_changes_nothing_and_keeps_the_typed_text(
    client, plan, staff_kjj
):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = client.post(
        report_url(plan, 1), report_data(progress="新写的进展", percent="101", version="1",
                                         submit="")
    )  # fmt: skip
    assert response.status_code == 200
    assert "新写的进展" in field_block(response.content.decode(), "progress")
    report.refresh_from_db()
    assert (report.progress, report.version, report.status) == (
        f.REPORT_CONTENT["progress"], 1, "draft"
    )  # fmt: skip


def test_a_save_on_a_stale_version_is_refused_showing_both_texts_and_the_other_is_kept(
    client, plan, staff_kjj, colleague
):
    report = f.make_report(staff_kjj, plan)
    save_record(record=report, user=colleague, version=1, content={"progress": "同事保存的进展"})
    client.force_login(staff_kjj)
    response = client.post(
        report_url(plan, 1), report_data(progress="我自己填写的进展", version="1", save="")
    )
    assert response.status_code == 200
    page = response.content.decode()
    theirs = section(page, '<section class="conflict"')
    assert "同事保存的进展" in theirs and "王科员" in theirs and "我自己填写的进展" not in theirs
    assert "我自己填写的进展" in field_block(page, "progress")
    assert "保存失败：王科员已于" in page
    # The form now names the stored version: saving again after merging goes through.
    assert response.context["form"]["version"].value() == "2"
    report.refresh_from_db()
    assert (report.progress, report.version, report.updated_by) == ("同事保存的进展", 2, colleague)
    response = client.post(
        report_url(plan, 1), report_data(progress="合并后的进展", version="2", save="")
    )
    report.refresh_from_db()
    assert response.status_code == 302 and (report.progress, report.version) == ("合并后的进展", 3)


def test_a_submit_on_a_stale_version_is_refused_and_the_report_stays_a_draft(
    client, plan, staff_kjj, colleague
):
    report = f.make_report(staff_kjj, plan)
    save_record(record=report, user=colleague, version=1, content={"progress": "同事保存的进展"})
    client.force_login(staff_kjj)
    response = client.post(report_url(plan, 1), report_data(progress="我的", version="1",
                                                            submit=""))  # fmt: skip
    assert response.status_code == 200 and "对方已保存的内容" in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.progress) == ("draft", "同事保存的进展")


def test_a_submit_the_workflow_refuses_leaves_nothing_saved_neither_text_nor_files(
    client, plan, staff_kjj, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = f.make_report(staff_kjj, plan)
    close(report.period)
    client.force_login(staff_kjj)
    upload = _upload("进展材料.pdf", PDF)
    response = client.post(
        report_url(plan, 1),
        report_data(progress="关闭后改写的进展", version="1", submit="", attachments=[upload]),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2024年第二季度已关闭，请勾选“逾期补报”后再报送。" in page
    assert "关闭后改写的进展" in field_block(page, "progress")  # the typed text stays
    report.refresh_from_db()
    assert (report.progress, report.version, report.status) == (
        f.REPORT_CONTENT["progress"], 1, "draft"
    )  # fmt: skip
    assert report.revisions.count() == 1 and report.events.count() == 1
    assert not Attachment.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_refused_first_submit_creates_no_report_and_keeps_no_file(
    client, plan, staff_kjj, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    close(f.period(plan, 2024, 2))
    client.force_login(staff_kjj)
    response = client.post(
        report_url(plan, 1), report_data(submit="", attachments=[_upload("材料.pdf", PDF)])
    )
    assert response.status_code == 200 and "已关闭" in response.content.decode()
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_closed_period_takes_a_submission_confirmed_as_late(client, plan, staff_kjj):
    close(f.period(plan, 2024, 2))
    client.force_login(staff_kjj)
    page = client.get(report_url(plan, 1)).content.decode()
    assert 'name="late_ok"' in page and "逾期补报" in page
    response = client.post(report_url(plan, 1), report_data(submit="", late_ok="on"))
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.status, report.is_late) == ("submitted", True)


def test_the_late_box_is_shown_only_after_the_due_date(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    with at(2024, 7, 10, 23, 0):
        assert 'name="late_ok"' not in client.get(report_url(plan, 1)).content.decode()
    with at(2024, 7, 11, 0, 30):
        assert 'name="late_ok"' in client.get(report_url(plan, 1)).content.decode()


def test_a_submitted_report_is_not_opened_for_editing_but_shown(client, plan, staff_kjj):
    report = submitted(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = client.get(report_url(plan, 1))
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    response = client.post(report_url(plan, 1), report_data(progress="偷偷改", version="2",
                                                            save=""))  # fmt: skip
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.progress, report.status) == (f.REPORT_CONTENT["progress"], "submitted")


def test_the_form_can_start_from_the_previous_quarters_report(client, plan, staff_kjj):
    f.make_report(staff_kjj, plan, quarter=1, progress="一季度的进展", percent=30)
    client.force_login(staff_kjj)
    form = client.get(report_url(plan, 1), {"prefill": "previous"}).context["form"]
    assert (form["progress"].value(), form["percent"].value()) == ("一季度的进展", 30)
    assert not ProgressReport.objects.filter(period=f.period(plan, 2024, 2)).exists()


def test_a_returned_report_shows_the_reviewers_comment_in_the_inbox_and_the_form(
    client, plan, staff_kjj, reviewer
):
    with at(2024, 6, 20, 9):
        report = submitted(staff_kjj, plan)
        return_record(record=report, user=reviewer, comment="请补充专项资金下达文号。")
        client.force_login(staff_kjj)
        inbox = client.get(INBOX).content.decode()
        form = client.get(report_url(plan, 1))
        response = client.post(
            report_url(plan, 1),
            report_data(progress="文号宛财科〔2024〕8号。", version="3", submit=""),
        )
    assert "已退回" in inbox and "退回意见" in inbox and "请补充专项资金下达文号。" in inbox
    assert form.status_code == 200
    note = form.content.decode().split('<aside class="note"', 1)[1].split("</aside>")[0]
    assert "请补充专项资金下达文号。" in note
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == "submitted"


def test_the_lead_unit_sees_its_co_units_submitted_reports_but_not_their_drafts(
    client, plan, staff_kjj, staff_czj
):
    draft = f.make_report(staff_czj, plan, number=1, unit_name="市财政局",
                          progress="财政局草稿里的话")  # fmt: skip
    client.force_login(staff_kjj)
    page = client.get(report_url(plan, 1)).content.decode()
    co_units = section(page, "配合单位报送情况")
    assert "财政局草稿里的话" not in page and "配合单位本期尚未报送" in co_units

    submit_record(record=draft, user=staff_czj, version=1)
    page = client.get(report_url(plan, 1)).content.decode()
    co_units = section(page, "配合单位报送情况")
    assert "市财政局" in co_units and "财政局草稿里的话" in co_units and "已报送" in co_units
    assert detail_url(draft) in co_units
    assert client.get(detail_url(draft)).status_code == 200


def test_a_co_unit_sees_no_other_units_reports_on_its_form(client, plan, staff_kjj, staff_czj):
    submitted(staff_kjj, plan, number=1, progress="科技局已报送的进展")
    client.force_login(staff_czj)
    response = client.get(report_url(plan, 1))
    assert response.status_code == 200 and response.context["co_reports"] is None
    page = response.content.decode()
    assert "配合单位报送情况" not in page and "科技局已报送的进展" not in page


def test_extra_post_fields_cannot_move_a_report_to_another_unit_or_status(
    client, plan, staff_county
):
    client.force_login(staff_county)
    forged = report_data(save="", unit=str(f.unit("市科技局").pk), task=str(f.task(plan, 1).pk),
                         status="approved", created_by="1")  # fmt: skip
    assert client.post(report_url(plan, 15), forged).status_code == 302
    report = ProgressReport.objects.get()
    assert (report.unit.name, report.task.number, report.status) == ("卧龙区", 15, "draft")


# --- no change since the last quarter -------------------------------------------------------


def test_no_change_reports_last_quarters_content_again_in_one_click(client, plan, staff_kjj):
    earlier = f.make_report(staff_kjj, plan, quarter=1, progress="一季度的进展", percent=35)
    client.force_login(staff_kjj)
    with at(2024, 6, 20, 9):
        response = client.post(no_change_url(plan, 1))
    report = ProgressReport.objects.get(period=f.period(plan, 2024, 2))
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    assert (report.status, report.progress, report.percent) == ("submitted", "一季度的进展", 35)
    assert report.pk != earlier.pk
    assert shown_messages(response) == ["已按上季度内容报送：实施重大科技专项"]


def test_no_change_without_a_previous_report_goes_back_to_the_inbox_with_the_reason(
    client, plan, staff_kjj
):
    client.force_login(staff_kjj)
    response = client.post(no_change_url(plan, 1))
    period = f.period(plan, 2024, 2)
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?period={period.pk}"
    assert shown_messages(response) == ["上季度没有本任务的报告，请直接填报。"]
    assert not ProgressReport.objects.exists()


def test_no_change_in_a_closed_period_needs_the_late_confirmation(client, plan, staff_kjj):
    f.make_report(staff_kjj, plan, quarter=1)
    close(f.period(plan, 2024, 2))
    client.force_login(staff_kjj)
    response = client.post(no_change_url(plan, 1))
    assert "请勾选“逾期补报”" in shown_messages(response)[0]
    assert not ProgressReport.objects.filter(period=f.period(plan, 2024, 2)).exists()
    response = client.post(no_change_url(plan, 1), {"late_ok": "1"})
    report = ProgressReport.objects.get(period=f.period(plan, 2024, 2))
    assert (report.status, report.is_late) == ("submitted", True)


def test_no_change_does_not_touch_a_report_already_submitted(client, plan, staff_kjj):
    f.make_report(staff_kjj, plan, quarter=1, progress="一季度")
    report = submitted(staff_kjj, plan, progress="二季度已报送")
    client.force_login(staff_kjj)
    response = client.post(no_change_url(plan, 1))
    assert response.status_code == 302 and "等待审核期间不能修改" in shown_messages(response)[0]
    report.refresh_from_db()
    assert (report.progress, report.version) == ("二季度已报送", 2)


# --- the value form -------------------------------------------------------------------------


def test_the_value_form_shows_the_target_and_its_goal(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get(value_url(plan, "high-tech-enterprises"))
    assert response.status_code == 200
    page = response.content.decode()
    target = f.target(plan, "high-tech-enterprises")
    assert target.label in page and target.goal_display in page and "数值（家）" in page


def test_saving_and_submitting_a_value(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    url = value_url(plan, "high-tech-enterprises")
    response = client.post(url, value_data(save=""))
    assert response.status_code == 302 and response["Location"] == url
    value = TargetValue.objects.get()
    assert (value.value, value.status, value.unit.name) == (Decimal(412), "draft", "市科技局")
    response = client.post(url, value_data(value="415", quality="final", version="1", submit=""))
    value.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == detail_url(value)
    assert (value.value, value.quality, value.status) == (Decimal(415), "final", "submitted")
    assert value.covers_to == dt.date(2024, 6, 30) and value.form == "level"


@pytest.mark.parametrize(
    ("key", "fields", "field", "message"),
    [
        ("high-tech-enterprises", {"value": "402.5"}, "value", "以“家”计的数量应为整数。"),
        ("high-tech-industry-share", {"value": "101"}, "value", "百分比应在 0 到 100 之间。"),
        ("tech-contract-turnover", {"value": "3.555", "form": "ytd"}, "value", "最多保留两位小数"),
        ("tech-contract-turnover", {"form": "level"}, "form", "这个指标不按这个口径填报"),
        ("tech-smes", {"covers_to": "2024-07-01"}, "covers_to", "应在2024年第二季度之内"),
        ("tech-smes", {"covers_to": "十月底"}, "covers_to", "请按 2025-10-31 的格式"),
        ("tech-smes", {"value": "-1"}, "value", "数值不能为负数。"),
        ("tech-smes", {"value": "很多"}, "value", "请输入一个数字。"),
        ("tech-smes", {"value": ""}, "value", "请填写数值。"),
        ("tech-smes", {"data_source": ""}, "data_source", "请注明数据来源"),
    ],
)
def test_an_invalid_value_shows_a_chinese_error_beside_the_field_and_saves_nothing(
    client, plan, staff_kjj, key, fields, field, message
):
    client.force_login(staff_kjj)
    response = client.post(value_url(plan, key), value_data(**fields, submit=""))
    assert response.status_code == 200
    block = field_block(response.content.decode(), field)
    assert block.startswith(" has-error") and message in block
    assert not TargetValue.objects.exists()


def test_the_benchmark_of_rd_intensity_is_entered_beside_its_own_value(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    f.make_value(staff_kjj, plan, key="rd-intensity", value=Decimal("1.62"))
    url = value_url(plan, "rd-intensity", series="benchmark")
    page = client.get(url).content.decode()
    assert "对标基准值" in page and f.target(plan, "rd-intensity").benchmark_label in page
    assert 'value="1.62"' not in page  # the benchmark form does not show the actual value
    response = client.post(url, value_data(value="1.86", save=""))
    assert response.status_code == 302 and response["Location"] == url
    values = dict(TargetValue.objects.values_list("series", "value"))
    assert values == {"actual": Decimal("1.62"), "benchmark": Decimal("1.86")}


def test_a_benchmark_for_a_target_without_one_is_refused(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    response = client.post(value_url(plan, "tech-smes", series="benchmark"), value_data(save=""))
    assert response.status_code == 200
    assert "只有对标类指标才填报基准值。" in response.content.decode()
    assert not TargetValue.objects.exists()


def test_an_unknown_series_is_not_found(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    assert client.get(value_url(plan, "rd-intensity", series="forecast")).status_code == 404


def test_a_county_enters_its_own_figure_for_a_county_target(client, plan, staff_county):
    client.force_login(staff_county)
    url = value_url(plan, "county-tech-contract-turnover")
    response = client.post(url, value_data(value="3.62", data_source="区科技局登记台账",
                                           form="ytd", submit=""))  # fmt: skip
    assert response.status_code == 302
    value = TargetValue.objects.get()
    assert (value.unit.name, value.value, value.status) == ("卧龙区", Decimal("3.62"), "submitted")


def test_a_value_saved_on_a_stale_version_is_refused_and_both_figures_are_shown(
    client, plan, staff_kjj, colleague
):
    value = f.make_value(staff_kjj, plan)
    save_record(record=value, user=colleague, version=1, content={"value": Decimal(405)})
    client.force_login(staff_kjj)
    response = client.post(value_url(plan), value_data(value="398", version="1", save=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "405" in section(page, '<section class="conflict"')
    assert 'value="398"' in field_block(page, "value")
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal(405), 2)


def test_a_returned_value_shows_the_comment_on_the_form(client, plan, staff_kjj, reviewer):
    value = f.make_value(staff_kjj, plan)
    value = submit_record(record=value, user=staff_kjj, version=1)
    return_record(record=value, user=reviewer, comment="请注明认定批次。")
    client.force_login(staff_kjj)
    page = client.get(value_url(plan)).content.decode()
    assert "退回意见" in page and "请注明认定批次。" in page


# --- a record's page and history ------------------------------------------------------------


def test_a_reports_page_shows_its_content_steps_and_the_buttons_its_unit_may_use(
    client, plan, staff_kjj
):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = client.get(detail_url(report))
    assert response.status_code == 200
    page = response.content.decode()
    assert f.REPORT_CONTENT["progress"] in page and "推进中" in page and "草稿" in page
    assert reverse("reports:record-submit", args=["report", report.pk]) in page
    assert reverse("reports:record-approve", args=["report", report.pk]) not in page
    assert "创建" in section(page, "流转记录")


def test_a_reviewer_sees_the_review_box_on_a_submitted_report(client, plan, staff_kjj, reviewer):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    page = client.get(detail_url(report)).content.decode()
    assert reverse("reports:record-approve", args=["report", report.pk]) in page
    assert reverse("reports:record-return", args=["report", report.pk]) in page
    assert reverse("reports:record-submit", args=["report", report.pk]) not in page


def test_a_values_page_shows_the_figure_and_the_goal(client, plan, staff_kjj, leader):
    value = f.make_value(staff_kjj, plan, key="rd-intensity", series="benchmark",
                         value=Decimal("1.86"))  # fmt: skip
    client.force_login(leader)
    page = client.get(detail_url(value)).content.decode()
    assert "1.86" in page and "对标基准值" in page and "省科技厅高企认定名单" in page


def test_the_history_lists_what_each_version_changed(client, plan, staff_kjj, colleague):
    report = f.make_report(staff_kjj, plan)
    save_record(record=report, user=colleague, version=1,
                content={"progress": "改写后的进展", "completion": "done"})  # fmt: skip
    client.force_login(staff_kjj)
    response = client.get(detail_url(report, "reports:record-history"))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [c.version for c in changes] == [2, 1]
    assert changes[0].by == "王科员"
    assert ("工作进展", f.REPORT_CONTENT["progress"], "改写后的进展") in changes[0].fields
    assert ("完成情况", "推进中", "已完成") in changes[0].fields
    page = response.content.decode()
    assert "改写后的进展" in page and "已完成" in page


def test_the_history_of_a_value_shows_the_figure_before_and_after(client, plan, staff_kjj):
    value = f.make_value(staff_kjj, plan)
    save_record(record=value, user=staff_kjj, version=1,
                content={"value": Decimal(410), "quality": "final"})  # fmt: skip
    client.force_login(staff_kjj)
    changes = client.get(detail_url(value, "reports:record-history")).context["changes"]
    assert ("数值", "402", "410") in changes[0].fields
    assert ("数据性质", "快报", "正式") in changes[0].fields


@pytest.mark.parametrize("name", ["reports:record-detail", "reports:record-history"])
def test_a_record_of_an_unknown_kind_or_number_is_not_found(client, leader, name):
    client.force_login(leader)
    assert client.get(reverse(name, args=["report", 999999])).status_code == 404
    assert client.get(reverse(name, args=["value", 999999])).status_code == 404
    assert client.get(reverse(name, args=["task", 1])).status_code == 404


# --- submit, return, approve ----------------------------------------------------------------


def test_submitting_from_the_records_page(client, plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    url = reverse("reports:record-submit", args=["report", report.pk])
    response = client.post(url, {"version": "1"})
    assert response.status_code == 302 and response["Location"] == detail_url(report)
    report.refresh_from_db()
    assert report.status == "submitted"
    assert shown_messages(response) == ["已报送，等待审核。"]


def test_submitting_an_old_version_from_the_records_page_is_refused(
    client, plan, staff_kjj, colleague
):
    report = f.make_report(staff_kjj, plan)
    save_record(record=report, user=colleague, version=1, content={"progress": "同事的"})
    client.force_login(staff_kjj)
    response = client.post(reverse("reports:record-submit", args=["report", report.pk]),
                           {"version": "1"})  # fmt: skip
    assert response.status_code == 302 and "保存失败" in shown_messages(response)[0]
    report.refresh_from_db()
    assert report.status == "draft"


def test_submitting_a_value_from_its_page(client, plan, staff_kjj):
    value = f.make_value(staff_kjj, plan)
    client.force_login(staff_kjj)
    client.post(reverse("reports:record-submit", args=["value", value.pk]), {"version": "1"})
    value.refresh_from_db()
    assert value.status == "submitted"


def test_a_reviewer_returns_a_report_with_a_comment(client, plan, staff_kjj, reviewer):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    url = reverse("reports:record-return", args=["report", report.pk])
    response = client.post(url, {"comment": "请补充资金下达文号。"})
    assert response.status_code == 302 and response["Location"] == QUEUE  # nothing else waits
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("returned", "请补充资金下达文号。")
    assert shown_messages(response) == ["已退回 市科技局。待审核的报告已全部审核完毕。"]


@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_without_a_comment_is_refused(client, plan, staff_kjj, reviewer, comment):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-return", args=["report", report.pk]),
                           {"comment": comment})  # fmt: skip
    assert response.status_code == 200  # the page again, the error beside the comment box
    assert response.context["return_form"].errors["comment"] == ["退回时必须填写退回意见。"]
    assert "退回时必须填写退回意见。" in section(response.content.decode(), "review-return")
    report.refresh_from_db()
    assert report.status == "submitted"


def test_returning_a_draft_is_refused(client, plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-return", args=["report", report.pk]),
                           {"comment": "不对"})  # fmt: skip
    assert "只能审核“已报送”的报告" in shown_messages(response)[0]
    report.refresh_from_db()
    assert report.status == "draft"


def test_a_reviewer_approves_a_report_and_a_value(client, plan, staff_kjj, reviewer):
    report = submitted(staff_kjj, plan)
    value = f.make_value(staff_kjj, plan)
    value = submit_record(record=value, user=staff_kjj, version=1)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-approve", args=["report", report.pk]))
    assert response.status_code == 302 and response["Location"] == detail_url(value)
    assert shown_messages(response) == [f"已审核通过。下面是待审核的下一份：{value}。"]
    client.post(reverse("reports:record-approve", args=["value", value.pk]))
    report.refresh_from_db()
    value.refresh_from_db()
    assert (report.status, value.status) == ("approved", "approved")


def test_approving_a_draft_is_refused(client, plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-approve", args=["report", report.pk]))
    assert "只能审核“已报送”的报告" in shown_messages(response)[0]
    report.refresh_from_db()
    assert report.status == "draft"


# --- the review queue -----------------------------------------------------------------------


def listed(table) -> set[int]:
    return {row.record.pk for row in table.page.object_list}


@pytest.fixture
def queue(plan, staff_kjj, staff_county, reviewer):
    """Reports and values of two units, two quarters and every state."""
    records = {
        "kjj-1": submitted(staff_kjj, plan, number=1),
        "kjj-2-q1": submitted(staff_kjj, plan, number=2, quarter=1),
        "kjj-3-draft": f.make_report(staff_kjj, plan, number=3),
        "county-15": submitted(staff_county, plan, number=15, unit_name="卧龙区"),
        "kjj-4-approved": approve_record(
            record=submitted(staff_kjj, plan, number=4), user=reviewer
        ),
    }
    value = f.make_value(staff_kjj, plan, key="tech-contract-turnover", value=Decimal("9.5"))
    records["value-26"] = submit_record(record=value, user=staff_kjj, version=1)
    records["value-3-draft"] = f.make_value(staff_kjj, plan)
    return records


def test_the_queue_lists_what_waits_for_review(client, reviewer, queue):
    client.force_login(reviewer)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert listed(response.context["report_table"]) == {
        queue[k].pk for k in ("kjj-1", "kjj-2-q1", "county-15")
    }
    assert listed(response.context["value_table"]) == {queue["value-26"].pk}
    page = response.content.decode()
    assert "实施重大科技专项" in page and "9.5 亿元" in page and "审核通过所选" in page


@pytest.mark.parametrize(
    ("query", "reports", "values"),
    [
        ({"status": "approved"}, {"kjj-4-approved"}, set()),
        ({"status": "draft"}, {"kjj-3-draft"}, {"value-3-draft"}),
        ({"unit": "卧龙区"}, {"county-15"}, set()),
        ({"unit": "市科技局"}, {"kjj-1", "kjj-2-q1"}, {"value-26"}),
        ({"task": 15}, {"county-15"}, {"value-26"}),  # tech-contract-turnover is task 15's
        ({"task": 1}, {"kjj-1"}, set()),
        ({"period": (2024, 1)}, {"kjj-2-q1"}, set()),
        ({"period": (2024, 2), "unit": "市科技局"}, {"kjj-1"}, {"value-26"}),
    ],
)
def test_the_queue_filters_by_status_unit_task_and_period(
    client, plan, reviewer, queue, query, reports, values
):
    params = dict(query)
    if "unit" in params:
        params["unit"] = f.unit(params["unit"]).pk
    if "task" in params:
        params["task"] = f.task(plan, params["task"]).pk
    if "period" in params:
        params["period"] = f.period(plan, *params["period"]).pk
    client.force_login(reviewer)
    response = client.get(QUEUE, params)
    assert listed(response.context["report_table"]) == {queue[k].pk for k in reports}
    assert listed(response.context["value_table"]) == {queue[k].pk for k in values}


def test_approving_several_reports_and_values_at_once(client, reviewer, queue):
    client.force_login(reviewer)
    response = client.post(
        reverse("reports:review-approve"),
        {"reports": [queue["kjj-1"].pk, queue["county-15"].pk], "values": [queue["value-26"].pk],
         "next": f"{QUEUE}?status=submitted"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?status=submitted"
    assert shown_messages(response) == ["已审核通过 3 份。"]
    statuses = dict(ProgressReport.objects.values_list("pk", "status"))
    assert statuses[queue["kjj-1"].pk] == statuses[queue["county-15"].pk] == "approved"
    assert statuses[queue["kjj-2-q1"].pk] == "submitted"
    assert TargetValue.objects.get(pk=queue["value-26"].pk).status == "approved"


def test_a_batch_names_the_reports_another_reviewer_approved_first(client, reviewer, queue):
    approve_record(record=queue["county-15"], user=reviewer)  # the other reviewer
    client.force_login(reviewer)
    response = client.post(
        reverse("reports:review-approve"),
        {"reports": [queue["kjj-1"].pk, queue["county-15"].pk], "values": [queue["value-26"].pk]},
    )
    assert shown_messages(response) == [
        f"已审核通过 2 份。另有 1 份已由其他审核员审核通过，未重复审核：{queue['county-15']}。"
    ]
    assert "卧龙区" in str(queue["county-15"])


@pytest.mark.parametrize("spoiler", ["draft", "missing"])
def test_approving_several_is_all_or_nothing(client, reviewer, queue, spoiler):
    client.force_login(reviewer)
    extra = queue["kjj-3-draft"].pk if spoiler == "draft" else 999999
    response = client.post(
        reverse("reports:review-approve"),
        {"reports": [queue["kjj-1"].pk, extra], "values": [queue["value-26"].pk]},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert "没有审核任何报告" in shown_messages(response)[0]
    assert ProgressReport.objects.get(pk=queue["kjj-1"].pk).status == "submitted"
    assert TargetValue.objects.get(pk=queue["value-26"].pk).status == "submitted"


def test_approving_nothing_selected_says_so(client, reviewer, queue):
    client.force_login(reviewer)
    response = client.post(reverse("reports:review-approve"), {})
    assert shown_messages(response) == ["请至少选择一份报告。"]


@pytest.mark.parametrize("next_url", ["https://evil.example/phish", "//evil.example/phish"])
def test_approving_several_never_redirects_to_another_site(client, reviewer, queue, next_url):
    client.force_login(reviewer)
    response = client.post(
        reverse("reports:review-approve"), {"reports": [queue["kjj-1"].pk], "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE


@pytest.mark.parametrize("many", [False, True], ids=["few-reports", "many-reports"])
def test_the_queue_runs_a_bounded_number_of_queries(
    client, plan, staff_kjj, staff_county, reviewer, many, django_assert_max_num_queries
):
    if many:
        for quarter in (1, 2):
            for number in KJJ_TASKS:
                submitted(staff_kjj, plan, number=number, quarter=quarter)
            for number in (11, 12, 15):
                submitted(staff_county, plan, number=number, unit_name="卧龙区", quarter=quarter)
        for key in ("high-tech-enterprises", "tech-smes", "tech-contract-turnover"):
            value = f.make_value(staff_kjj, plan, key=key, value=Decimal(5))
            submit_record(record=value, user=staff_kjj, version=1)
        assert ProgressReport.objects.count() == 44
    else:
        submitted(staff_kjj, plan)
    client.force_login(reviewer)
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get(QUEUE)
    assert len(response.context["report_table"].page.object_list) == (25 if many else 1)


def test_the_queue_needs_a_signed_in_user(client):
    assert_login_required(client, QUEUE)


# --- deleting an attachment -----------------------------------------------------------------


def _upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def attach(report, user, name="专项资金下达文件.pdf", data=PDF):
    return add_attachments(report=report, user=user, files=[(check_upload(name, data), data)])[0]


def test_a_reporter_deletes_an_attachment_of_their_draft(
    client, plan, staff_kjj, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    report = f.make_report(staff_kjj, plan)
    attachment = attach(report, staff_kjj)
    stored = tmp_path / attachment.file.name
    assert stored.read_bytes() == PDF
    client.force_login(staff_kjj)
    page = client.get(report_url(plan, 1)).content.decode()
    assert "专项资金下达文件.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:attachment-delete", args=[attachment.pk]))
    assert response.status_code == 302 and response["Location"] == report_url(plan, 1)
    assert shown_messages(response) == ["附件已删除。"]
    assert not Attachment.objects.exists() and not stored.exists()


def test_an_attachment_of_a_submitted_report_cannot_be_deleted(
    client, plan, staff_kjj, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = f.make_report(staff_kjj, plan)
    attachment = attach(report, staff_kjj)
    submit_record(record=report, user=staff_kjj, version=1)
    client.force_login(staff_kjj)
    response = client.post(reverse("reports:attachment-delete", args=[attachment.pk]))
    assert response.status_code == 302 and "等待审核期间不能修改" in shown_messages(response)[0]
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert (tmp_path / attachment.file.name).exists()
