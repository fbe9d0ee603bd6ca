import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reports.models import Profile, ProgressReport, ReportEvent, ReportRevision, TargetValue
from reports.workflow import (
    StaleVersionError,
    WorkflowError,
    approve_record,
    approve_records,
    report_no_change,
    return_record,
    save_record,
    submit_record,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)


def test_a_report_goes_from_draft_through_return_and_resubmission_to_approval(
    plan, staff_kjj, reviewer
):
    with at(2024, 6, 20, 9):
        report = f.make_report(staff_kjj, plan)
        assert (report.status, report.version) == ("draft", 1)
        report = submit_record(record=report, user=staff_kjj, version=1)
        report = return_record(record=report, user=reviewer, comment="请补充专项资金下达文号。")
        assert report.status == "returned" and report.review_comment.startswith("请补充")
        report = save_record(record=report, user=staff_kjj, version=report.version,
                             content={"progress": "已下达资金，文号宛财科〔2024〕8号。"})  # fmt: skip
        report = submit_record(record=report, user=staff_kjj, version=report.version)
        report = approve_record(record=report, user=reviewer)
    assert report.status == "approved" and report.is_locked and not report.is_late
    steps = list(report.events.values_list("action", "from_status", "to_status", "actor"))
    assert steps == [
        ("create", "", "draft", staff_kjj.pk),
        ("submit", "draft", "submitted", staff_kjj.pk),
        ("return", "submitted", "returned", reviewer.pk),
        ("save", "returned", "returned", staff_kjj.pk),
        ("submit", "returned", "submitted", staff_kjj.pk),
        ("approve", "submitted", "approved", reviewer.pk),
    ]
    revisions = list(report.revisions.values_list("version", "content__progress"))
    assert revisions == [
        (1, f.REPORT_CONTENT["progress"]),
        (4, "已下达资金，文号宛财科〔2024〕8号。"),
    ]


def test_a_second_save_with_an_old_version_is_refused_and_carries_what_the_other_saved(
    plan, staff_kjj
):
    colleague = type(staff_kjj).objects.create_user("kjj-2", first_name="王科员")
    Profile.objects.create(user=colleague, role="reporter", unit=f.unit("市科技局"))
    report = f.make_report(staff_kjj, plan)
    save_record(record=report, user=colleague, version=1, content={"progress": "同事的版本"})
    with pytest.raises(StaleVersionError) as raised:
        save_record(record=report, user=staff_kjj, version=1, content={"progress": "我的版本"})
    assert raised.value.current.progress == "同事的版本"
    assert "王科员" in str(raised.value)
    report.refresh_from_db()
    assert (report.progress, report.version) == ("同事的版本", 2)


def test_saving_unchanged_content_makes_no_new_version(plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    report = save_record(record=report, user=staff_kjj, version=1, content={"percent": 60})
    assert report.version == 1 and report.revisions.count() == 1


@pytest.mark.parametrize(
    ("content", "field"),
    [({"percent": 101}, "percent"), ({"progress": ""}, "progress"),
     ({"completion": "maybe"}, "completion")],
)  # fmt: skip
def test_invalid_content_is_refused_and_nothing_is_saved(plan, staff_kjj, content, field):
    report = f.make_report(staff_kjj, plan)
    with pytest.raises(ValidationError) as raised:
        save_record(record=report, user=staff_kjj, version=1, content=content)
    assert field in raised.value.message_dict
    report.refresh_from_db()
    assert report.version == 1 and report.progress == f.REPORT_CONTENT["progress"]


def test_approving_a_draft_is_refused(plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan)
    with pytest.raises(WorkflowError, match="只能审核“已报送”的报告"):
        approve_record(record=report, user=reviewer)


def test_an_approved_report_is_locked(plan, staff_kjj, reviewer):
    report = f.make_report(staff_kjj, plan)
    report = submit_record(record=report, user=staff_kjj, version=1)
    report = approve_record(record=report, user=reviewer)
    with pytest.raises(WorkflowError, match="已审核通过，不能再修改"):
        save_record(record=report, user=staff_kjj, version=report.version,
                    content={"progress": "改"})  # fmt: skip
    with pytest.raises(WorkflowError):
        return_record(record=report, user=reviewer, comment="再看看")


def test_a_submitted_report_cannot_be_edited_until_returned(plan, staff_kjj):
    report = submit_record(record=f.make_report(staff_kjj, plan), user=staff_kjj, version=1)
    with pytest.raises(WorkflowError, match="等待审核期间不能修改"):
        save_record(record=report, user=staff_kjj, version=report.version,
                    content={"progress": "改"})  # fmt: skip


def test_returning_needs_a_comment(plan, staff_kjj, reviewer):
    report = submit_record(record=f.make_report(staff_kjj, plan), user=staff_kjj, version=1)
    with pytest.raises(ValidationError, match="必须填写退回意见"):
        return_record(record=report, user=reviewer, comment="   ")
    report.refresh_from_db()
    assert report.status == "submitted"


@pytest.mark.parametrize("role_fixture", ["staff_kjj", "leader", "admin_user", "outsider"])
def test_only_reviewers_return_or_approve(request, plan, staff_kjj, role_fixture):
    user = request.getfixturevalue(role_fixture)
    report = submit_record(record=f.make_report(staff_kjj, plan), user=staff_kjj, version=1)
    with pytest.raises(PermissionDenied):
        approve_record(record=report, user=user)
    with pytest.raises(PermissionDenied):
        return_record(record=report, user=user, comment="不行")


def test_a_reporter_cannot_create_for_another_unit_or_a_task_their_unit_does_not_own(
    plan, staff_kjj, staff_county
):
    with pytest.raises(PermissionDenied):
        f.make_report(staff_county, plan, number=1, unit_name="市科技局")
    with pytest.raises(PermissionDenied):
        f.make_report(staff_county, plan, number=1, unit_name="卧龙区")  # task 1 is not theirs
    assert f.make_report(staff_county, plan, number=15, unit_name="卧龙区").unit.name == "卧龙区"
    with pytest.raises(PermissionDenied):
        f.make_report(staff_kjj, plan, number=21)  # 市科技局 has no part in row 21


def test_a_reporter_cannot_change_or_submit_another_units_draft(plan, staff_kjj, staff_county):
    report = f.make_report(staff_county, plan, number=15, unit_name="卧龙区")
    with pytest.raises(PermissionDenied):
        save_record(record=report, user=staff_kjj, version=1, content={"progress": "x"})
    with pytest.raises(PermissionDenied):
        submit_record(record=report, user=staff_kjj, version=1)


def test_a_submission_after_the_due_date_is_accepted_and_stays_late(plan, staff_kjj, reviewer):
    with at(2024, 7, 11, 0, 5):  # 2024 Q2 was due on 10 July
        report = submit_record(record=f.make_report(staff_kjj, plan), user=staff_kjj, version=1)
    assert report.is_late
    with at(2024, 7, 12, 9):
        report = return_record(record=report, user=reviewer, comment="补充材料")
        report = submit_record(record=report, user=staff_kjj, version=report.version)
    assert report.is_late


def test_a_submission_on_the_last_day_before_midnight_local_time_is_on_time(plan, staff_kjj):
    with at(2024, 7, 10, 23, 59):
        report = submit_record(record=f.make_report(staff_kjj, plan), user=staff_kjj, version=1)
    assert not report.is_late


def test_a_closed_period_takes_a_submission_only_as_a_late_one(plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    report.period.closed_at = timezone.now()
    report.period.save()
    with pytest.raises(WorkflowError, match="已关闭，请勾选“逾期补报”"):
        submit_record(record=report, user=staff_kjj, version=1)
    report = submit_record(record=report, user=staff_kjj, version=1, late_ok=True)
    assert report.status == "submitted" and report.is_late


def test_approving_several_is_all_or_nothing(plan, staff_kjj, reviewer):
    submitted = submit_record(record=f.make_report(staff_kjj, plan, number=1), user=staff_kjj,
                              version=1)  # fmt: skip
    draft = f.make_report(staff_kjj, plan, number=2)
    with pytest.raises(WorkflowError, match="没有审核任何报告"):
        approve_records(records=[submitted, draft], user=reviewer)
    assert ProgressReport.objects.get(pk=submitted.pk).status == "submitted"
    other = submit_record(record=draft, user=staff_kjj, version=1)
    approved = approve_records(records=[submitted, other], user=reviewer)
    assert {r.status for r in approved} == {"approved"}


def test_no_change_since_last_quarter_is_one_step(plan, staff_kjj):
    earlier = f.make_report(staff_kjj, plan, quarter=1, progress="一季度进展")
    report = report_no_change(task=earlier.task, unit=earlier.unit, period=f.period(plan, 2024, 2),
                              user=staff_kjj)  # fmt: skip
    assert report.status == "submitted"
    assert (report.progress, report.percent) == ("一季度进展", earlier.percent)
    assert list(report.events.values_list("action", flat=True)) == ["create", "submit"]


def test_no_change_without_a_previous_report_is_refused(plan, staff_kjj):
    with pytest.raises(WorkflowError, match="上季度没有本任务的报告"):
        report_no_change(task=f.task(plan, 1), unit=f.unit("市科技局"),
                         period=f.period(plan, 2024, 2), user=staff_kjj)  # fmt: skip
    assert not ProgressReport.objects.exists()


def test_a_second_report_for_the_same_task_unit_and_quarter_is_refused(plan, staff_kjj):
    f.make_report(staff_kjj, plan)
    with pytest.raises(StaleVersionError):
        f.make_report(staff_kjj, plan)
    assert ProgressReport.objects.count() == 1


def test_target_values_follow_the_same_workflow(plan, staff_kjj, reviewer):
    value = f.make_value(staff_kjj, plan)
    value = submit_record(record=value, user=staff_kjj, version=1)
    value = return_record(record=value, user=reviewer, comment="请注明认定批次。")
    value = save_record(record=value, user=staff_kjj, version=value.version,
                        content={"data_source": "省科技厅2024年第一批高企认定名单"})  # fmt: skip
    value = approve_record(record=submit_record(record=value, user=staff_kjj,
                                                version=value.version), user=reviewer)  # fmt: skip
    assert value.status == "approved"
    assert list(ReportEvent.objects.filter(target_value=value).values_list("action", flat=True)) == [
        "create", "submit", "return", "save", "submit", "approve"]  # fmt: skip
    assert ReportRevision.objects.filter(target_value=value).count() == 2


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("high-tech-enterprises", Decimal("402.5"), "应为整数"),
        ("high-tech-industry-share", Decimal("101"), "0 到 100"),
        ("tech-contract-turnover", Decimal("3.555"), "最多保留两位小数"),
        ("tech-smes", Decimal("-1"), "不能为负数"),
    ],
)
def test_a_value_that_does_not_fit_its_target_is_refused(plan, staff_kjj, key, value, message):
    with pytest.raises(ValidationError, match=message):
        f.make_value(staff_kjj, plan, key=key, value=value)
    assert not TargetValue.objects.exists()


def test_each_county_reports_its_own_value_for_a_county_target(plan, staff_county, staff_kjj):
    value = f.make_value(staff_county, plan, key="county-tech-contract-turnover",
                         unit_name="卧龙区", value=Decimal("3.62"))  # fmt: skip
    assert value.unit.name == "卧龙区"
    with pytest.raises(PermissionDenied):  # the city bureau does not enter county figures
        f.make_value(staff_kjj, plan, key="county-tech-contract-turnover", unit_name="市科技局")
    with pytest.raises(PermissionDenied):  # nor does a county enter a city-wide figure
        f.make_value(staff_county, plan, key="high-tech-enterprises", unit_name="卧龙区")


def test_a_benchmark_value_is_entered_beside_the_actual_one(plan, staff_kjj):
    f.make_value(staff_kjj, plan, key="rd-intensity", value=Decimal("1.62"))
    f.make_value(staff_kjj, plan, key="rd-intensity", series="benchmark", value=Decimal("1.86"))
    with pytest.raises(WorkflowError, match="只有对标类指标"):
        f.make_value(staff_kjj, plan, key="tech-smes", series="benchmark")


def test_the_same_number_written_another_way_is_not_a_change(plan, staff_kjj):
    value = f.make_value(staff_kjj, plan, value=Decimal("402"))
    value.refresh_from_db()  # the database gives 402.00 back
    for same in (Decimal("402.0"), Decimal("402.00"), value.value):
        value = save_record(
            record=value, user=staff_kjj, version=value.version, content={"value": same}
        )
    assert value.version == 1 and value.revisions.count() == 1
    changed = save_record(
        record=value, user=staff_kjj, version=1, content={"value": Decimal("403")}
    )
    assert changed.version == 2


def test_a_batch_passes_over_what_another_reviewer_approved_meanwhile(plan, staff_kjj, reviewer):
    first = submit_record(
        record=f.make_report(staff_kjj, plan, number=1), user=staff_kjj, version=1
    )
    second = submit_record(
        record=f.make_report(staff_kjj, plan, number=2), user=staff_kjj, version=1
    )
    approve_record(record=first, user=reviewer)  # the other reviewer was quicker
    approved = approve_records(records=[first, second], user=reviewer)
    assert [r.pk for r in approved] == [second.pk]
    assert ReportEvent.objects.filter(report=first, action="approve").count() == 1
    with pytest.raises(WorkflowError, match="只能审核“已报送”的报告"):
        approve_record(record=first, user=reviewer)


def test_records_link_to_their_page(plan, staff_kjj):
    report = f.make_report(staff_kjj, plan)
    value = f.make_value(staff_kjj, plan)
    assert report.get_absolute_url() == f"/records/report/{report.pk}/"
    assert value.get_absolute_url() == f"/records/value/{value.pk}/"
