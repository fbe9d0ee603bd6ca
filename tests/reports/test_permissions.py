"""Who may do what on the reporting pages, as tables: role × own or other unit × state.

A reporter reads everything of their own unit; of another unit only an approved report on a task
both units share, and — when their unit leads the task — a co-unit's submitted one; an approved
target value is a published figure (the dashboards show it to every role), readable by all.
Drafts and returned reports of another unit answer 404 (not even their existence shows), and so do forged
ids of tasks and targets the unit does not report on. Reviewers, leaders and admins read
everything; only reviewers return and approve; only reporters fill in forms (403 for the rest).
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.attachments import check_upload
from reports.models import Attachment, Profile, ProgressReport, TargetValue
from reports.workflow import (
    add_attachments,
    approve_record,
    return_record,
    save_record,
    submit_record,
)
from tasks.models import Plan, ReportingPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ROLES = ("staff_kjj", "staff_county", "reviewer", "leader", "admin_user", "outsider")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- the records the tables speak of --------------------------------------------------------

# key: (unit, task number or target key, 2024 quarter, state). Task 15 (加强技术合同登记工作)
# is led by 市科技局 with 各县市区政府（管委会） assisting, so 卧龙区 shares it; 卧龙区 has no
# part in task 1, 市科技局 none in task 11.
RECORDS = {
    "kjj-draft": ("市科技局", 15, 1, "draft"),
    "kjj-returned": ("市科技局", 15, 2, "returned"),
    "kjj-submitted": ("市科技局", 15, 3, "submitted"),
    "kjj-approved": ("市科技局", 15, 4, "approved"),
    "kjj-approved-task1": ("市科技局", 1, 2, "approved"),
    "county-draft": ("卧龙区", 15, 1, "draft"),
    "county-returned": ("卧龙区", 15, 2, "returned"),
    "county-submitted": ("卧龙区", 15, 3, "submitted"),
    "county-approved": ("卧龙区", 15, 4, "approved"),
    "county-approved-task11": ("卧龙区", 11, 2, "approved"),
    "kjj-value-draft": ("市科技局", "high-tech-enterprises", 2, "draft"),
    "county-value-draft": ("卧龙区", "county-incubators", 2, "draft"),
    "county-value-approved": ("卧龙区", "county-tech-contract-turnover", 2, "approved"),
}


@pytest.fixture
def make(request, plan, reviewer):
    """make(key) builds the record RECORDS names, a report with one attachment."""

    def build(key):
        unit_name, subject, quarter, state = RECORDS[key]
        user = request.getfixturevalue("staff_kjj" if unit_name == "市科技局" else "staff_county")
        if isinstance(subject, int):
            record = f.make_report(user, plan, number=subject, unit_name=unit_name,
                                   quarter=quarter)  # fmt: skip
            add_attachments(report=record, user=user,
                            files=[(check_upload("技术合同登记表.pdf", PDF), PDF)])  # fmt: skip
        else:
            record = f.make_value(user, plan, key=subject, unit_name=unit_name, quarter=quarter,
                                  value=Decimal(3))  # fmt: skip
        if state == "draft":
            return record
        record = submit_record(record=record, user=user, version=record.version)
        if state == "returned":
            return return_record(record=record, user=reviewer, comment="请补充合同清单。")
        if state == "approved":
            return approve_record(record=record, user=reviewer)
        return record

    return build


def kind_of(record) -> str:
    return "report" if isinstance(record, ProgressReport) else "value"


def url(name, record):
    return reverse(name, args=[kind_of(record), record.pk])


def snapshot(record):
    record.refresh_from_db()
    return (record.status, record.version, record.review_comment)


def rows(table):
    """Expand a table of (record, code per role in ROLES…) into (record, role, code) cases."""
    return [
        pytest.param(row[0], role, code, id=f"{role}-{row[0]}")
        for row in table
        for role, code in zip(ROLES, row[1:], strict=True)
    ]


# --- reading --------------------------------------------------------------------------------

READ = [
    # record                   kjj  county review leader admin outsider
    ("kjj-draft",              200, 404,   200,   200,   200,  404),
    ("kjj-returned",           200, 404,   200,   200,   200,  404),
    ("kjj-submitted",          200, 404,   200,   200,   200,  404),  # 卧龙区 assists, not leads
    ("kjj-approved",           200, 200,   200,   200,   200,  404),  # approved, shared task
    ("kjj-approved-task1",     200, 404,   200,   200,   200,  404),  # 卧龙区 has no part in it
    ("county-draft",           404, 200,   200,   200,   200,  404),
    ("county-returned",        404, 200,   200,   200,   200,  404),
    ("county-submitted",       200, 200,   200,   200,   200,  404),  # 市科技局 leads task 15
    ("county-approved",        200, 200,   200,   200,   200,  404),
    ("county-approved-task11", 404, 200,   200,   200,   200,  404),  # 市科技局 has no part
    ("kjj-value-draft",        200, 404,   200,   200,   200,  404),
    ("county-value-draft",     404, 200,   200,   200,   200,  404),
    ("county-value-approved",  200, 200,   200,   200,   200,  404),  # a published figure
]  # fmt: skip


@pytest.mark.parametrize("view", ["reports:record-detail", "reports:record-history"])
@pytest.mark.parametrize(("key", "role", "code"), rows(READ))
def test_who_reads_a_records_page_and_history(request, client, make, view, key, role, code):
    record = make(key)
    client.force_login(request.getfixturevalue(role))
    response = client.get(url(view, record))
    assert response.status_code == code
    if code == 200:
        assert record.unit.name in response.content.decode()


@pytest.mark.parametrize(
    ("key", "role", "code"), rows(row for row in READ if isinstance(RECORDS[row[0]][1], int))
)
def test_who_downloads_a_reports_attachment(request, client, make, key, role, code):
    attachment = make(key).attachments.get()
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert response.status_code == code
    if code == 200:
        assert b"".join(response.streaming_content) == PDF
    response.close()


def test_a_reporter_sees_no_other_units_draft_even_through_the_report_form(
    client, plan, make, staff_kjj
):
    make("county-draft")
    client.force_login(staff_kjj)
    page = client.get(
        reverse("reports:report-edit", args=[f.period(plan, 2024, 1).pk, f.task(plan, 15).pk])
    ).content.decode()
    assert "配合单位本期尚未报送" in page and "卧龙区" not in page.split("配合单位报送情况")[1]


# --- submitting -----------------------------------------------------------------------------

SUBMIT = [
    # record              kjj  county review leader admin outsider
    ("kjj-draft",         302, 404,   403,   403,   403,  404),
    ("kjj-returned",      302, 404,   403,   403,   403,  404),
    ("county-submitted",  403, 302,   403,   403,   403,  404),  # the lead reads, never submits
    ("kjj-value-draft",   302, 404,   403,   403,   403,  404),
]  # fmt: skip


@pytest.mark.parametrize(("key", "role", "code"), rows(SUBMIT))
def test_who_submits_a_record(request, client, make, key, role, code):
    record = make(key)
    before = snapshot(record)
    client.force_login(request.getfixturevalue(role))
    response = client.post(url("reports:record-submit", record), {"version": record.version})
    assert response.status_code == code
    after = snapshot(record)
    if code == 302 and before[0] != "submitted":
        assert after[0] == "submitted"
    else:
        assert after == before


@pytest.mark.parametrize("version", ["", "abc", "²", "-1", "1.0", "9" * 30])
def test_a_forged_version_on_submit_is_refused_without_an_error_page(
    client, make, staff_kjj, version
):
    record = make("kjj-draft")
    client.force_login(staff_kjj)
    response = client.post(url("reports:record-submit", record), {"version": version})
    assert response.status_code == 302
    assert snapshot(record)[0] == "draft"


# --- reviewing ------------------------------------------------------------------------------

REVIEW = [
    # record            kjj  county review leader admin outsider
    ("kjj-submitted",   403, 403,   302,   403,   403,  403),
    ("county-submitted", 403, 403,  302,   403,   403,  403),  # leading a task is not reviewing
    ("kjj-value-draft",  403, 403,  302,   403,   403,  403),  # 302: refused with a message
]  # fmt: skip


@pytest.mark.parametrize("action", ["return", "approve"])
@pytest.mark.parametrize(("key", "role", "code"), rows(REVIEW))
def test_only_reviewers_return_or_approve(request, client, make, action, key, role, code):
    record = make(key)
    before = snapshot(record)
    client.force_login(request.getfixturevalue(role))
    response = client.post(url(f"reports:record-{action}", record), {"comment": "请核实数据。"})
    assert response.status_code == code
    after = snapshot(record)
    if code == 302 and before[0] == "submitted":
        assert after[0] == {"return": "returned", "approve": "approved"}[action]
    else:
        assert after == before


@pytest.mark.parametrize(
    ("role", "code"),
    [("staff_kjj", 403), ("staff_county", 403), ("reviewer", 302), ("leader", 403),
     ("admin_user", 403), ("outsider", 403)],
)  # fmt: skip
def test_only_reviewers_approve_several_at_once(request, client, make, role, code):
    report, value = make("kjj-submitted"), make("kjj-value-draft")
    value = submit_record(record=value, user=value.created_by, version=value.version)
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("reports:review-approve"), {"reports": [report.pk], "values": [value.pk]}
    )
    assert response.status_code == code
    expected = "approved" if code == 302 else "submitted"
    assert (snapshot(report)[0], snapshot(value)[0]) == (expected, expected)


@pytest.mark.parametrize(
    ("role", "code"),
    [("staff_kjj", 403), ("staff_county", 403), ("reviewer", 200), ("leader", 403),
     ("admin_user", 403), ("outsider", 403)],
)  # fmt: skip
def test_only_reviewers_open_the_review_queue(request, client, role, code):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("reports:review-queue")).status_code == code


@pytest.mark.parametrize(
    "query",
    [{"unit": "²"}, {"task": "²"}, {"period": "abc"}, {"unit": "9" * 30}, {"status": "<script>"}],
)
def test_forged_queue_filters_show_a_page_not_an_error(client, reviewer, query):
    client.force_login(reviewer)
    assert client.get(reverse("reports:review-queue"), query).status_code == 200


@pytest.mark.parametrize(
    ("ids", "approved"),
    [(["abc"], True), (["²"], True), (["-1"], True),  # not ids at all: dropped
     (["9" * 30], False), (["0"], False)],  # numbers no record has: nothing is approved
)  # fmt: skip
def test_forged_ids_in_approve_several_never_give_an_error_page(client, make, reviewer, ids,
                                                                approved):  # fmt: skip
    report = make("kjj-submitted")
    client.force_login(reviewer)
    response = client.post(reverse("reports:review-approve"), {"reports": [*ids, report.pk]})
    assert response.status_code == 302
    assert snapshot(report)[0] == ("approved" if approved else "submitted")


# --- the reporter's forms -------------------------------------------------------------------


def reporter_urls(plan):
    period = f.period(plan, 2024, 2)
    rd = f.target(plan, "rd-intensity")
    return {
        "inbox": reverse("reports:inbox"),
        "report-edit": reverse("reports:report-edit", args=[period.pk, f.task(plan, 1).pk]),
        "value-edit": reverse("reports:value-edit", args=[period.pk, rd.pk]),
        "value-edit-benchmark": reverse("reports:value-edit", args=[period.pk, rd.pk])
        + "?series=benchmark",
        "no-change": reverse("reports:report-no-change", args=[period.pk, f.task(plan, 1).pk]),
    }


FORM_DATA = {"progress": "越权填写", "completion": "done", "percent": "100", "value": "1",
             "data_source": "越权", "submit": ""}  # fmt: skip


@pytest.mark.parametrize("page", ["report-edit", "value-edit", "value-edit-benchmark", "no-change"])
@pytest.mark.parametrize("role", ["reviewer", "leader", "admin_user", "outsider"])
def test_only_reporters_use_the_reporting_forms(request, client, plan, role, page):
    f.make_report(request.getfixturevalue("staff_kjj"), plan, number=1, quarter=1)
    client.force_login(request.getfixturevalue(role))
    target = reporter_urls(plan)[page]
    if page != "no-change":
        assert client.get(target).status_code == 403
    assert client.post(target, FORM_DATA).status_code == 403
    assert ProgressReport.objects.count() == 1 and not TargetValue.objects.exists()


@pytest.mark.parametrize(
    ("role", "code"),
    [("staff_kjj", 200), ("staff_county", 200), ("reviewer", 302), ("leader", 403),
     ("admin_user", 403), ("outsider", 403)],
)  # fmt: skip
def test_only_reporters_have_an_inbox(request, client, role, code):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("reports:inbox")).status_code == code


# What a unit does not report on, by the ids in the URL: (role, task number or target key).
FORGED_SUBJECTS = [
    ("staff_county", 1),  # 市科技局 and 市财政局's task
    ("staff_county", 8),
    ("staff_kjj", 11),  # 市委组织部 leads, the counties assist
    ("staff_kjj", 12),
    ("staff_kjj", 21),  # 市人力资源和社会保障局 and 市教育局
    ("staff_county", "high-tech-enterprises"),  # a city-wide target
    ("staff_county", "rd-intensity"),
    ("staff_kjj", "county-incubators"),  # each county reports its own
    ("staff_kjj", "county-tech-contract-turnover"),
    ("staff_kjj", "major-specials-funding"),  # reported by 市财政局
    ("staff_kjj", "external-rd-institutions"),  # reported by 市发展改革委
]


@pytest.mark.parametrize(("role", "subject"), FORGED_SUBJECTS)
def test_a_reporter_cannot_open_or_post_a_form_for_what_their_unit_does_not_report(
    request, client, plan, role, subject
):
    client.force_login(request.getfixturevalue(role))
    period = f.period(plan, 2024, 2)
    if isinstance(subject, int):
        task = f.task(plan, subject)
        targets = [
            reverse("reports:report-edit", args=[period.pk, task.pk]),
            reverse("reports:report-no-change", args=[period.pk, task.pk]),
        ]
    else:
        target = reverse("reports:value-edit", args=[period.pk, f.target(plan, subject).pk])
        targets = [target, f"{target}?series=benchmark"]
    for address in targets:
        if "no-change" not in address:
            assert client.get(address).status_code == 404
        assert client.post(address, FORM_DATA).status_code == 404
    assert not ProgressReport.objects.exists() and not TargetValue.objects.exists()


@pytest.fixture
def other_plan_period(db):
    other = Plan.objects.create(
        code="talent-2022", title="南阳市人才强市行动方案", doc_number="宛办〔2022〕17号",
        issued_on=dt.date(2022, 5, 20), period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )  # fmt: skip
    return ReportingPeriod.objects.create(
        plan=other, year=2024, quarter=2, starts_on=dt.date(2024, 4, 1),
        ends_on=dt.date(2024, 6, 30), due_on=dt.date(2024, 7, 10),
    )  # fmt: skip


@pytest.mark.parametrize("period_of", ["another-plan", "no-such-period"])
def test_a_period_of_another_plan_or_none_is_not_found(
    client, plan, staff_kjj, other_plan_period, period_of
):
    period_pk = other_plan_period.pk if period_of == "another-plan" else 999999
    client.force_login(staff_kjj)
    addresses = [
        reverse("reports:report-edit", args=[period_pk, f.task(plan, 1).pk]),
        reverse("reports:value-edit", args=[period_pk, f.target(plan, "tech-smes").pk]),
    ]
    for address in addresses:
        assert client.get(address).status_code == 404
        assert client.post(address, FORM_DATA).status_code == 404
    no_change = reverse("reports:report-no-change", args=[period_pk, f.task(plan, 1).pk])
    assert client.post(no_change).status_code == 404
    assert client.get(reverse("reports:inbox"), {"period": period_pk}).status_code == 404
    assert not ProgressReport.objects.exists() and not TargetValue.objects.exists()


def test_a_forged_unit_in_the_post_does_not_change_whose_report_it_is(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    forged = FORM_DATA | {"unit": f.unit("卧龙区").pk, "unit_id": f.unit("卧龙区").pk,
                          "status": "approved", "version": "7"}  # fmt: skip
    forged.pop("submit")
    response = client.post(reverse("reports:report-edit", args=[f.period(plan).pk,
                                                              f.task(plan, 15).pk]), forged)  # fmt: skip
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.unit.name, report.status, report.version) == ("市科技局", "draft", 1)


# --- deleting attachments -------------------------------------------------------------------

DELETE = [
    # record              kjj  county review leader admin outsider
    ("kjj-draft",         302, 404,   403,   403,   403,  404),
    ("county-draft",      404, 302,   403,   403,   403,  404),
    ("county-submitted",  403, 302,   403,   403,   403,  404),  # 302: refused, it is submitted
    ("kjj-approved",      302, 403,   302,   403,   403,  404),  # 302: refused, it is approved
]  # fmt: skip
# (The reviewer's profile names 市科技局, so on 市科技局's approved report the workflow answers
# “已审核通过，不能再修改” rather than 403; either way nothing is deleted.)


@pytest.mark.parametrize(("key", "role", "code"), rows(DELETE))
def test_who_deletes_an_attachment(request, client, make, key, role, code):
    record = make(key)
    attachment = record.attachments.get()
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("reports:attachment-delete", args=[attachment.pk]))
    assert response.status_code == code
    may_delete = code == 302 and record.status in ("draft", "returned")
    assert Attachment.objects.filter(pk=attachment.pk).exists() is not may_delete


# --- anonymous users and methods ------------------------------------------------------------


def every_url(plan, make):
    """(url, method) for every reporting page; records made on demand."""
    report, value = make("kjj-submitted"), make("kjj-value-draft")
    attachment = report.attachments.get()
    period, task = f.period(plan, 2024, 2), f.task(plan, 1)
    target = f.target(plan, "rd-intensity")
    gets = [
        reverse("reports:inbox"),
        reverse("reports:report-edit", args=[period.pk, task.pk]),
        reverse("reports:value-edit", args=[period.pk, target.pk]),
        reverse("reports:value-edit", args=[period.pk, target.pk]) + "?series=benchmark",
        reverse("reports:review-queue"),
        reverse("reports:attachment", args=[attachment.pk]),
    ] + [url(name, record) for name in ("reports:record-detail", "reports:record-history")
         for record in (report, value)]  # fmt: skip
    posts = [
        reverse("reports:report-no-change", args=[period.pk, task.pk]),
        reverse("reports:review-approve"),
        reverse("reports:attachment-delete", args=[attachment.pk]),
    ] + [url(f"reports:record-{action}", record) for action in ("submit", "return", "approve")
         for record in (report, value)]  # fmt: skip
    return gets, posts


def test_anonymous_users_are_sent_to_log_in_from_every_reporting_page(client, plan, make):
    gets, posts = every_url(plan, make)
    for address in gets + posts:
        for method in (client.get, client.post):
            response = method(address)
            assert response.status_code == 302, address
            assert response["Location"] == f"/accounts/login/?next={quote(address)}", address
    assert not ProgressReport.objects.filter(status="approved").exists()


POST_ONLY = [
    ("reports:report-no-change", "staff_kjj"),
    ("reports:record-submit", "staff_kjj"),
    ("reports:record-return", "reviewer"),
    ("reports:record-approve", "reviewer"),
    ("reports:review-approve", "reviewer"),
    ("reports:attachment-delete", "staff_kjj"),
]


@pytest.mark.parametrize(("name", "role"), POST_ONLY)
def test_get_on_an_action_is_not_allowed(request, client, plan, make, name, role):
    report = make("kjj-draft")
    args = {
        "reports:report-no-change": [report.period_id, report.task_id],
        "reports:review-approve": [],
        "reports:attachment-delete": [report.attachments.get().pk],
    }.get(name, ["report", report.pk])
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name, args=args))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert snapshot(report)[:2] == ("draft", 1) and Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "role"),
    [("reports:inbox", "staff_kjj"), ("reports:record-detail", "staff_kjj"),
     ("reports:record-history", "staff_kjj"), ("reports:review-queue", "reviewer"),
     ("reports:attachment", "staff_kjj")],
)  # fmt: skip
def test_a_post_to_a_page_that_only_shows_is_not_allowed(request, client, make, name, role):
    report = make("kjj-draft")
    args = {
        "reports:inbox": [],
        "reports:review-queue": [],
        "reports:attachment": [report.attachments.get().pk],
    }.get(name, ["report", report.pk])
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse(name, args=args)).status_code == 405


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("page", ["report-edit", "value-edit"])
def test_the_forms_take_only_get_and_post(client, plan, staff_kjj, method, page):
    client.force_login(staff_kjj)
    response = getattr(client, method)(reporter_urls(plan)[page])
    assert response.status_code == 405


def test_a_reporter_whose_account_was_switched_off_is_treated_as_signed_out(client, plan):
    user = get_user_model().objects.create_user("gone", password="pw-for-tests-1")
    Profile.objects.create(user=user, role=Profile.Role.REPORTER, unit=f.unit("市科技局"))
    user.is_active = False
    user.save()
    client.force_login(user)
    response = client.get(reverse("reports:inbox"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- versions: a draft's text stays a draft's -------------------------------------------------


def _wancheng_reporter():
    return get_user_model().objects.create_user("wancheng-reporter", password="pw-for-tests-1")


def test_a_history_shows_other_units_only_the_versions_they_may_read(
    client, plan, staff_county, staff_kjj, reviewer
):
    """卧龙区 drafts, rewrites and submits; the lead unit 市科技局 then reads the record, and after
    approval so does 宛城区 (which shares task 15): neither ever sees the first draft, nor the
    return and its comment."""
    report = f.make_report(staff_county, plan, number=15, unit_name="卧龙区", quarter=1,
                           progress="初稿：尚未核实的合同数字")  # fmt: skip
    report = save_record(record=report, user=staff_county, version=report.version,
                         content={"progress": "第一次报送的内容"})  # fmt: skip
    report = submit_record(record=report, user=staff_county, version=report.version)
    report = return_record(record=report, user=reviewer, comment="退回意见：请核对合同金额")
    report = save_record(record=report, user=staff_county, version=report.version,
                         content={"progress": "退回后修改、尚未报送的内容"})  # fmt: skip
    report = save_record(record=report, user=staff_county, version=report.version,
                         content={"progress": "第二次报送的内容"})  # fmt: skip
    report = submit_record(record=report, user=staff_county, version=report.version)
    history = reverse("reports:record-history", args=["report", report.pk])
    draft_only = ("初稿：尚未核实的合同数字", "退回后修改、尚未报送的内容", "请核对合同金额")

    client.force_login(staff_kjj)  # the lead unit: submitted versions only
    page = client.get(history).content.decode()
    assert "第一次报送的内容" in page and "第二次报送的内容" in page
    assert not [text for text in draft_only if text in page]
    assert "退回" not in page.split("流转记录")[1]

    client.force_login(staff_county)  # the unit itself: every version and step
    page = client.get(history).content.decode()
    assert all(text in page for text in draft_only)

    approve_record(record=report, user=reviewer)
    wancheng = _wancheng_reporter()
    Profile.objects.create(user=wancheng, role="reporter", unit=f.unit("宛城区"))
    client.force_login(wancheng)  # a unit sharing the task: the approved version only
    page = client.get(history).content.decode()
    assert "第二次报送的内容" in page
    assert "第一次报送的内容" not in page and not [t for t in draft_only if t in page]
