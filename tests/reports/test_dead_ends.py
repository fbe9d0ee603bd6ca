"""No dead ends and no contradictions (issue 13).

- No link leads a role to a page it cannot open: every link on 报送情况 and on the other pages of
  the reports app answers the role that sees it with the page (tests/test_crawl.py walks the
  same pages for what they show; this walk checks where their links lead).
- A reviewer goes from one record of the queue to the next after approving or returning it, and
  sees on a report submitted again what changed since it was returned.
- 审核通过 sends no comment; 退回修改 needs its 退回意见.
- A reporter with work waiting lands on 我的填报 after signing in.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from reports.models import ReportEvent
from reports.review_views import queue_after
from reports.workflow import approve_record, return_record, save_record, submit_record
from tests import factories as f
from tests.test_crawl import links_on

pytestmark = pytest.mark.django_db
QUEUE = reverse("reports:review-queue")
COMPLIANCE = reverse("dashboards:compliance")
LOGIN = reverse("login")
INBOX = reverse("reports:inbox")
HOME = reverse("targets:home")
ROLES = ["staff_kjj", "staff_county", "reviewer", "leader", "admin_user"]


def detail(record) -> str:
    return record.get_absolute_url()


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def submitted(user, plan, **kwargs):
    record = f.make_report(user, plan, **kwargs)
    return submit_record(record=record, user=user, version=record.version)


def submitted_value(user, plan, **kwargs):
    record = f.make_value(user, plan, **kwargs)
    return submit_record(record=record, user=user, version=record.version)


# --- every link answers the role that sees it ------------------------------------------------


@pytest.fixture
def records(plan, staff_kjj, staff_county, reviewer):
    """Records of two units in every state, in the quarters 报送情况 and the queue show."""
    draft = f.make_report(staff_kjj, plan, number=2)
    returned = submitted(staff_county, plan, number=15, unit_name="卧龙区")
    returned = return_record(record=returned, user=reviewer, comment="请补充数据。")
    approved = approve_record(record=submitted(staff_kjj, plan, number=1), user=reviewer)
    waiting = submitted(staff_county, plan, number=15, unit_name="卧龙区", quarter=3)
    value = submitted_value(staff_kjj, plan)
    return [draft, returned, approved, waiting, value]


def reports_pages(plan, records) -> list[str]:
    """The pages of the reports app, with real ids: where the walk starts."""
    period = f.period(plan)
    pages = [COMPLIANCE, f"{COMPLIANCE}?period={period.pk}", QUEUE, f"{QUEUE}?status=returned",
             INBOX, f"{INBOX}?period={period.pk}", reverse("reports:import")]  # fmt: skip
    for record in records:
        kind = record.KIND
        pages += [
            reverse("reports:record-detail", args=[kind, record.pk]),
            reverse("reports:record-history", args=[kind, record.pk]),
        ]
        if kind == "report":
            pages += [
                reverse("reports:task-detail", args=[record.task_id]),
                reverse("reports:report-edit", args=[record.period_id, record.task_id]),
            ]
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_the_reports_pages_opens_for_the_role_that_sees_it(
    client, request, plan, records, role
):
    client.force_login(request.getfixturevalue(role))
    dead, followed = [], set()
    for page in reports_pages(plan, records):
        response = client.get(page)
        if response.status_code != 200:
            continue  # a page the role may not open shows it no links
        for link in links_on(response.content.decode()):
            if link in followed:
                continue
            followed.add(link)
            answer = client.get(link, follow=True)
            if answer.status_code != 200:
                dead.append(f"{page} → {link}: {answer.status_code}")
    assert followed, "the walk found no links"
    assert not dead, "\n".join(dead)


@pytest.mark.parametrize("role", ["reviewer", "leader", "admin_user"])
def test_every_unit_on_the_compliance_page_links_to_a_page_the_role_may_open(
    client, request, plan, records, role
):
    client.force_login(request.getfixturevalue(role))
    page = client.get(COMPLIANCE).content.decode()
    units = [link for link in links_on(page.split("<tbody>", 1)[1]) if "unit" in link]
    assert len(units) > 20  # every unit of the plan has its row and its link
    for link in units:
        assert client.get(link).status_code == 200, link


def test_the_compliance_page_links_a_reviewer_to_the_units_queue(client, plan, reviewer):
    client.force_login(reviewer)
    period, unit = f.period(plan), f.unit("卧龙区")
    page = client.get(f"{COMPLIANCE}?period={period.pk}").content.decode()
    assert f'href="{QUEUE}?unit={unit.pk}&amp;period={period.pk}"' in page
    assert reverse("dashboards:unit", args=[unit.pk]) not in page


@pytest.mark.parametrize("role", ["leader", "admin_user"])
def test_the_compliance_page_links_leaders_and_admins_to_the_units_dashboard(
    client, request, plan, role
):
    client.force_login(request.getfixturevalue(role))
    period, unit = f.period(plan), f.unit("卧龙区")
    page = client.get(f"{COMPLIANCE}?period={period.pk}").content.decode()
    assert f'href="{reverse("dashboards:unit", args=[unit.pk])}?as_of={period.pk}"' in page
    assert f"{QUEUE}?" not in page  # the queue answers them 403
    assert client.get(QUEUE).status_code == 403


def test_a_period_that_has_not_begun_links_to_the_units_dashboard_of_today(client, plan, leader):
    client.force_login(leader)
    unit = f.unit("卧龙区")
    with time_machine.travel(dt.datetime(2024, 5, 1, tzinfo=ZoneInfo("Asia/Shanghai"))):
        later = f.period(plan, 2024, 4)
        page = client.get(f"{COMPLIANCE}?period={later.pk}").content.decode()
        dashboard = reverse("dashboards:unit", args=[unit.pk])
        assert f'href="{dashboard}"' in page
        assert client.get(dashboard).status_code == 200


# --- from one record of the queue to the next ---------------------------------------------------


@pytest.fixture
def queue(plan, staff_kjj, staff_county):
    """Three reports and a value waiting, in the order they were submitted."""
    first = submitted(staff_kjj, plan, number=1)
    second = submitted(staff_county, plan, number=15, unit_name="卧龙区")
    third = submitted(staff_kjj, plan, number=2)
    value = submitted_value(staff_kjj, plan)
    return first, second, third, value


def test_the_next_in_the_queue_is_the_next_submission_then_the_values_then_the_top_again(queue):
    first, second, third, value = queue
    assert queue_after(first) == second
    assert queue_after(second) == third
    assert queue_after(third) == value
    assert queue_after(value) == first  # the end reached, the ones passed over come again


def test_the_next_in_the_queue_is_never_the_record_itself_and_none_when_it_is_empty(
    plan, staff_kjj, reviewer
):
    only = submitted(staff_kjj, plan)
    assert queue_after(only) is None
    approve_record(record=only, user=reviewer)
    assert queue_after(only) is None


def test_approving_on_a_records_page_goes_on_to_the_next_in_the_queue(client, queue, reviewer):
    first, second, *_ = queue
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-approve", args=["report", first.pk]))
    assert response.status_code == 302 and response["Location"] == detail(second)
    assert shown_messages(response) == [f"已审核通过。下面是待审核的下一份：{second}。"]
    first.refresh_from_db()
    assert first.status == "approved"


def test_returning_on_a_records_page_goes_on_to_the_next_in_the_queue(client, queue, reviewer):
    first, *_, value = queue
    client.force_login(reviewer)
    url = reverse("reports:record-return", args=["value", value.pk])
    response = client.post(url, {"comment": "请注明认定批次。"})
    assert response["Location"] == detail(first)
    assert shown_messages(response) == [f"已退回 市科技局。下面是待审核的下一份：{first}。"]


def test_reviewing_the_last_record_goes_back_to_the_queue_with_a_message(
    client, plan, staff_kjj, reviewer
):
    only = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-approve", args=["report", only.pk]))
    assert response["Location"] == QUEUE
    assert shown_messages(response) == ["已审核通过。待审核的报告已全部审核完毕。"]
    assert "待审核的报告已全部审核完毕" in client.get(QUEUE).content.decode()


def test_a_refused_approval_stays_on_the_records_page(client, plan, staff_kjj, reviewer):
    draft = f.make_report(staff_kjj, plan)
    submitted(staff_kjj, plan, number=2)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-approve", args=["report", draft.pk]))
    assert response["Location"] == detail(draft)
    assert "只能审核“已报送”的报告" in shown_messages(response)[0]


# --- 审核通过 and 退回修改 apart ----------------------------------------------------------------


def review_forms(page: str) -> tuple[str, str]:
    box = page.split('class="card review-box"', 1)[1].split("</section>", 1)[0]
    approve = box.split('class="stacked review-approve"', 1)[1].split("</form>", 1)[0]
    ret = box.split('class="stacked review-return"', 1)[1].split("</form>", 1)[0]
    return approve, ret


def test_the_approve_form_sends_no_comment_and_the_comment_box_belongs_to_the_return(
    client, plan, staff_kjj, reviewer
):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    approve, ret = review_forms(client.get(detail(report)).content.decode())
    assert "<textarea" not in approve and 'name="comment"' not in approve
    assert "审核通过" in approve
    assert '<textarea name="comment"' in ret and "required" in ret
    assert "退回意见" in ret and "退回修改" in ret


def test_a_comment_posted_with_an_approval_is_not_kept(client, plan, staff_kjj, reviewer):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    client.post(reverse("reports:record-approve", args=["report", report.pk]), {"comment": "好"})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("approved", "")
    assert not report.events.filter(action=ReportEvent.Action.APPROVE).exclude(comment="").exists()


def test_returning_without_a_comment_shows_the_error_beside_the_box_in_chinese(
    client, plan, staff_kjj, reviewer
):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    response = client.post(reverse("reports:record-return", args=["report", report.pk]),
                           {"comment": " "})  # fmt: skip
    assert response.status_code == 200
    _, ret = review_forms(response.content.decode())
    assert '<p class="field-error" id="id_comment_error">退回时必须填写退回意见。</p>' in ret
    report.refresh_from_db()
    assert report.status == "submitted"


# --- what changed since the return -------------------------------------------------------------


def resubmitted(plan, staff_kjj, reviewer, **changes):
    report = submitted(staff_kjj, plan)
    report = return_record(record=report, user=reviewer, comment="请补充资金下达文号。")
    if changes:
        report = save_record(record=report, user=staff_kjj, content=changes,
                             version=report.version)  # fmt: skip
    return submit_record(record=report, user=staff_kjj, version=report.version)


def test_a_report_submitted_again_shows_the_reviewer_what_changed_since_its_return(
    client, plan, staff_kjj, reviewer
):
    report = resubmitted(plan, staff_kjj, reviewer, progress="已下达资金，文号宛科〔2024〕8号。",
                         completion="done")  # fmt: skip
    client.force_login(reviewer)
    response = client.get(detail(report))
    since = response.context["since_return"]
    assert since.returned.comment == "请补充资金下达文号。"
    assert (
        "工作进展",
        f.REPORT_CONTENT["progress"],
        "已下达资金，文号宛科〔2024〕8号。",
    ) in since.fields
    assert ("完成情况", "推进中", "已完成") in since.fields
    assert [label for label, *_ in since.fields] == ["工作进展", "完成情况"]
    box = response.content.decode().split('class="card since-return"', 1)[1].split("</section>")[0]
    assert "退回后的修改" in box and "请补充资金下达文号。" in box and "宛科〔2024〕8号" in box


def test_a_report_submitted_again_unchanged_says_so(client, plan, staff_kjj, reviewer):
    report = resubmitted(plan, staff_kjj, reviewer)
    client.force_login(reviewer)
    response = client.get(detail(report))
    assert response.context["since_return"].fields == []
    assert "退回后内容未作修改" in response.content.decode()


def test_a_value_submitted_again_shows_its_figure_before_and_after(
    client, plan, staff_kjj, reviewer
):
    value = submitted_value(staff_kjj, plan)
    value = return_record(record=value, user=reviewer, comment="请用正式数据。")
    value = save_record(record=value, user=staff_kjj, content={"value": 410, "quality": "final"},
                        version=value.version)  # fmt: skip
    value = submit_record(record=value, user=staff_kjj, version=value.version)
    client.force_login(reviewer)
    fields = client.get(detail(value)).context["since_return"].fields
    assert ("数值", "402", "410") in fields and ("数据性质", "快报", "正式") in fields


def test_a_first_submission_has_no_changes_since_a_return(client, plan, staff_kjj, reviewer):
    report = submitted(staff_kjj, plan)
    client.force_login(reviewer)
    response = client.get(detail(report))
    assert response.context["since_return"] is None
    assert "退回后的修改" not in response.content.decode()


@pytest.mark.parametrize("role", ["staff_kjj", "leader"])
def test_only_the_reviewer_gets_the_changes_since_the_return(
    client, request, plan, staff_kjj, reviewer, role
):
    report = resubmitted(plan, staff_kjj, reviewer, progress="改过的进展")
    client.force_login(request.getfixturevalue(role))
    response = client.get(detail(report))
    assert response.context["since_return"] is None


# --- where a user lands after signing in --------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_2024_Q2 = dt.datetime(2024, 7, 5, 9, tzinfo=SHANGHAI)  # 2024 Q2 open until 10 July
AFTER_THE_PLAN = dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)  # no period open any more


def log_in(client, user, next_url=None):
    url = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    return client.post(url, {"username": user.username, "password": "pw-for-tests-1"})


def test_a_reporter_who_owes_reports_lands_on_the_inbox(client, staff_kjj):
    with time_machine.travel(IN_2024_Q2, tick=False):
        response = log_in(client, staff_kjj)
    assert response.status_code == 302 and response["Location"] == INBOX


def test_a_reporter_with_a_returned_record_lands_on_the_inbox(client, plan, staff_kjj, reviewer):
    with time_machine.travel(AFTER_THE_PLAN, tick=False):
        return_record(record=submitted(staff_kjj, plan), user=reviewer, comment="请补充。")
        response = log_in(client, staff_kjj)
    assert response["Location"] == INBOX


def test_a_reporter_with_nothing_returned_or_owed_lands_where_everyone_does(client, staff_kjj):
    with time_machine.travel(AFTER_THE_PLAN, tick=False):
        response = log_in(client, staff_kjj)
    assert response["Location"] == HOME


@pytest.mark.parametrize("role", ["reviewer", "leader", "admin_user"])
def test_other_roles_land_where_they_did(client, request, role):
    user = request.getfixturevalue(role)
    with time_machine.travel(IN_2024_Q2, tick=False):
        response = log_in(client, user)
    assert response["Location"] == HOME


def test_a_next_parameter_still_wins(client, staff_kjj):
    ledger = reverse("tasks:unit-list")
    with time_machine.travel(IN_2024_Q2, tick=False):
        response = log_in(client, staff_kjj, next_url=ledger)
    assert response["Location"] == ledger


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_a_next_parameter_to_another_site_is_not_followed(client, staff_kjj, leader, evil):
    with time_machine.travel(IN_2024_Q2, tick=False):
        assert log_in(client, staff_kjj, next_url=evil)["Location"] == INBOX
        client.logout()
        assert log_in(client, leader, next_url=evil)["Location"] == HOME
