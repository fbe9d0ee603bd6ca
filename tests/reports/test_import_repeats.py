"""An untouched template is not a quarter's report: the template pre-fills each task with last
quarter's report, so an upload whose rows are, field for field, last quarter's submitted or
approved reports is not imported at once. The page says how many rows repeat last quarter and
asks; by default they are left out and only the changed rows saved, or, confirmed, imported
too as drafts the same as last quarter. Either answer imports the file in one transaction."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache

from reports import import_views, importing
from reports.duties import Duty
from reports.models import ProgressReport, TargetValue
from reports.workflow import approve_record, submit_record
from tasks.models import Task
from tests import factories as f
from tests.reports.test_importing import (  # noqa: F401  (_in_2024_q4: the same open quarter)
    IMPORT,
    _in_2024_q4,
    download,
    edit,
    refusal_in,
    snapshot,
    success_message,
    upload,
)

pytestmark = pytest.mark.django_db

PROGRESS = {
    11: "出台大学生创业补贴办法，发放创业担保贷款 860 万元。",
    12: "储备青年大学生 280 名。",
    15: "技术合同登记 126 项。",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the files kept for an answer, and the inbox pages
    yield
    cache.clear()


@pytest.fixture
def last_quarter(staff_county, reviewer, plan):
    """卧龙区's three tasks reported in 2024 Q3: 11 and 15 submitted, 12 approved."""
    reports = {}
    for number, progress in PROGRESS.items():
        report = f.make_report(
            staff_county, plan, number=number, unit_name="卧龙区", quarter=3, progress=progress
        )
        reports[number] = submit_record(record=report, user=staff_county, version=1)
    reports[12] = approve_record(record=reports[12], user=reviewer)
    return reports


def q4_reports(plan) -> dict[int, ProgressReport]:
    period = f.period(plan, 2024, 4)
    return {r.task.number: r for r in ProgressReport.objects.filter(period=period)}


def preview_of(response) -> dict:
    """What the preview page says: the count, the rows listed, the other rows, the token."""
    assert response.status_code == 200, response.get("Location")
    html = response.content.decode()
    count = re.search(
        r'<strong class="import-repeated-count">(\d+) 行与上季度内容相同</strong>', html
    )
    assert count, "no preview on the page"
    rows = re.findall(
        r'<tr class="import-repeated-row"><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>',
        html,
    )
    return {
        "count": int(count[1]),
        "rows": [(sheet, int(row), subject, when) for sheet, row, subject, when in rows],
        "others": re.search(r'<p class="import-changed">(.*?)</p>', html)[1],
        "token": re.search(r'name="token" value="([^"]+)"', html)[1],
        "html": html,
    }


def answer(client, token, repeats=None):
    fields = {"token": token}
    if repeats is not None:
        fields["repeats"] = repeats
    return client.post(IMPORT, fields)


# --- the preview ------------------------------------------------------------------------------


def test_an_untouched_template_saves_nothing_and_says_how_many_rows_repeat_last_quarter(
    client, staff_county, plan, last_quarter
):
    data = download(client, staff_county)
    before = snapshot()
    preview = preview_of(upload(client, staff_county, data, f.period(plan, 2024, 4)))
    assert preview["count"] == 3
    assert preview["rows"] == [
        ("任务进展", 2, "11 用活就业创业政策", "2024年第三季度"),
        ("任务进展", 3, "12 推动青年大学生储备", "2024年第三季度"),
        ("任务进展", 4, "15 加强技术合同登记工作", "2024年第三季度"),
    ]
    assert preview["others"] == "其余各行：新建 0 份、更新 0 份、未变 0 份（2 行留空）。"
    assert "还没有导入" in preview["html"] and "默认不导入这些行" in preview["html"]
    # The default answer is checked: leave them out.
    assert re.search(
        r'<input type="radio" name="repeats" value="leave_out"[^>]* checked', preview["html"]
    )
    assert 'value="include"' in preview["html"]
    assert snapshot() == before


def test_the_default_answer_leaves_the_repeated_rows_out(client, staff_county, plan, last_quarter):
    preview = preview_of(
        upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    )
    before = snapshot()
    response = answer(client, preview["token"], "leave_out")
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORT}?period={f.period(plan, 2024, 4).pk}"
    message = success_message(response)
    assert "新建 0 份、更新 0 份、未变 0 份" in message
    assert "另有 3 行与上季度内容相同，按您的选择没有导入。" in message
    assert q4_reports(plan) == {} and snapshot() == before


def test_an_answer_without_a_choice_is_the_default_one(client, staff_county, plan, last_quarter):
    preview = preview_of(
        upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    )
    response = answer(client, preview["token"])
    assert "另有 3 行与上季度内容相同，按您的选择没有导入。" in success_message(response)
    assert q4_reports(plan) == {}


def test_confirming_include_saves_them_as_drafts_the_same_as_last_quarter(
    client, staff_county, plan, last_quarter
):
    preview = preview_of(
        upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    )
    response = answer(client, preview["token"], "include")
    assert response.status_code == 302
    message = success_message(response)
    assert "新建 3 份、更新 0 份、未变 0 份" in message
    assert "其中 3 行与上季度内容相同，已按您的确认作为草稿导入。" in message
    reports = q4_reports(plan)
    assert set(reports) == {11, 12, 15}
    for number, report in reports.items():
        earlier = last_quarter[number]
        assert (report.status, report.version, report.created_by) == ("draft", 1, staff_county)
        assert [getattr(report, n) for n in ProgressReport.CONTENT_FIELDS] == [
            getattr(earlier, n) for n in ProgressReport.CONTENT_FIELDS
        ]


def test_a_template_with_two_rows_changed_saves_exactly_those_two_by_default(
    client, staff_county, plan, last_quarter
):
    data = edit(
        download(client, staff_county),
        {"任务进展": {"C2": "发放创业担保贷款 1200 万元。", "E3": 90}},  # tasks 11 and 12
    )
    preview = preview_of(upload(client, staff_county, data, f.period(plan, 2024, 4)))
    assert preview["count"] == 1
    assert preview["rows"] == [("任务进展", 4, "15 加强技术合同登记工作", "2024年第三季度")]
    assert preview["others"] == "其余各行：新建 2 份、更新 0 份、未变 0 份（2 行留空）。"
    assert q4_reports(plan) == {}  # not before the answer

    response = answer(client, preview["token"], "leave_out")
    assert "新建 2 份" in success_message(response)
    assert "另有 1 行与上季度内容相同" in success_message(response)
    reports = q4_reports(plan)
    assert set(reports) == {11, 12}
    assert reports[11].progress == "发放创业担保贷款 1200 万元。"
    assert (reports[12].progress, reports[12].percent) == (PROGRESS[12], 90)


def test_a_template_whose_rows_all_differ_from_last_quarter_is_imported_at_once(
    client, staff_county, plan, last_quarter
):
    data = edit(download(client, staff_county), {"任务进展": {"E2": 70, "E3": 70, "E4": 70}})
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert response.status_code == 302
    message = success_message(response)
    assert "新建 3 份" in message and "与上季度内容相同" not in message
    assert {r.percent for r in q4_reports(plan).values()} == {70}


def test_a_row_the_same_as_this_quarters_draft_is_not_asked_about_again(
    client, staff_county, plan, last_quarter
):
    preview = preview_of(
        upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    )
    answer(client, preview["token"], "include")
    before = snapshot()
    again = download(client, staff_county)  # pre-filled with the drafts now, the same text
    response = upload(client, staff_county, again, f.period(plan, 2024, 4))
    assert response.status_code == 302
    assert "未变 3 份" in success_message(response) and snapshot() == before


def test_a_row_that_would_turn_this_quarters_draft_back_into_last_quarters_text_is_asked_about(
    client, staff_county, plan, last_quarter
):
    """A template downloaded before a colleague saved a draft on the site, uploaded after."""
    stale = download(client, staff_county)
    f.make_report(staff_county, plan, number=11, unit_name="卧龙区", quarter=4, progress="同事填的")
    preview = preview_of(upload(client, staff_county, stale, f.period(plan, 2024, 4)))
    assert preview["count"] == 3
    answer(client, preview["token"], "leave_out")
    assert q4_reports(plan)[11].progress == "同事填的"


# --- the answer ---------------------------------------------------------------------------------


def test_an_answer_is_used_once(client, staff_county, plan, last_quarter):
    preview = preview_of(
        upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    )
    answer(client, preview["token"], "include")
    before = snapshot()
    response = answer(client, preview["token"], "include")
    assert "确认已过期" in refusal_in(response) and "请重新上传" in refusal_in(response)
    assert snapshot() == before


def test_an_expired_or_forged_answer_saves_nothing(
    client, staff_county, staff_kjj, plan, last_quarter
):
    preview = preview_of(
        upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    )
    before = snapshot()
    assert "确认已过期" in refusal_in(answer(client, "x" * 43, "include"))
    client.force_login(staff_kjj)  # another reporter cannot answer for it
    assert "确认已过期" in refusal_in(answer(client, preview["token"], "include"))
    client.force_login(staff_county)
    cache.clear()  # as PENDING_SECONDS after the upload
    assert "确认已过期" in refusal_in(answer(client, preview["token"], "include"))
    assert snapshot() == before


def test_a_colleagues_save_during_the_answer_stops_it_and_nothing_is_half_saved(
    client, staff_county, plan, last_quarter, monkeypatch
):
    draft = f.make_report(
        staff_county, plan, number=12, unit_name="卧龙区", quarter=4, progress="草稿"
    )
    data = edit(download(client, staff_county), {"任务进展": {"C3": "改过的草稿"}})
    preview = preview_of(upload(client, staff_county, data, f.period(plan, 2024, 4)))
    assert preview["count"] == 2  # 11 and 15; 12 changes this quarter's draft
    real_duties_for = importing.duties_for

    def duties_then_a_colleague_saves(unit, period):
        duties = real_duties_for(unit, period)
        ProgressReport.objects.filter(pk=draft.pk).update(version=2)
        return duties

    monkeypatch.setattr(importing, "duties_for", duties_then_a_colleague_saves)
    response = answer(client, preview["token"], "include")
    assert "有人修改了其中的报告，没有导入任何内容" in refusal_in(response)
    assert list(q4_reports(plan)) == [12] and q4_reports(plan)[12].progress == "草稿"


def test_a_draft_left_in_last_quarter_is_not_last_quarters_report(client, staff_county, plan):
    """Only a report submitted or approved is what the unit reported; a draft never sent is
    pre-filled, and imported as this quarter's draft as before."""
    f.make_report(staff_county, plan, number=11, unit_name="卧龙区", quarter=3)
    response = upload(client, staff_county, download(client, staff_county), f.period(plan, 2024, 4))
    assert response.status_code == 302 and "新建 1 份" in success_message(response)


def test_the_latest_earlier_report_is_the_one_compared(client, staff_county, plan, last_quarter):
    """Q2's report, older than Q3's, does not count: the row repeats Q3's."""
    q2 = f.make_report(
        staff_county, plan, number=15, unit_name="卧龙区", quarter=2, progress="二季度"
    )
    submit_record(record=q2, user=staff_county, version=1)
    data = edit(download(client, staff_county), {"任务进展": {"C2": "二季度", "C3": "二季度"}})
    preview = preview_of(upload(client, staff_county, data, f.period(plan, 2024, 4)))
    assert [r[2] for r in preview["rows"]] == ["15 加强技术合同登记工作"]


def test_only_a_reporter_may_answer(client, reviewer, plan):
    client.force_login(reviewer)
    assert client.post(IMPORT, {"token": "x", "repeats": "include"}).status_code == 403


def test_the_file_waits_for_the_answer_as_long_as_an_idle_session_lasts(settings):
    assert import_views.PENDING_SECONDS == settings.SESSION_IDLE_MINUTES * 60


# --- the rule, on unsaved rows ------------------------------------------------------------------


TASK = Task(pk=1, number=11, title="用活就业创业政策")
CONTENT = {
    "progress": "发放创业担保贷款 860 万元。",
    "completion": "in_progress",
    "percent": 60,
    "problems": "",
    "next_steps": "开展创业培训。",
}


def _report(status="submitted", **content):
    return ProgressReport(task=TASK, status=status, **{**CONTENT, **content})


@pytest.mark.parametrize(
    ("row", "this_quarter", "earlier", "repeats"),
    [
        (CONTENT, None, None, False),  # nothing reported before
        (CONTENT, None, _report(), True),
        (CONTENT, None, _report(status="approved"), True),
        ({**CONTENT, "percent": 70}, None, _report(), False),
        ({**CONTENT, "problems": "资金到位慢。"}, None, _report(), False),  # a blank filled in
        ({**CONTENT, "progress": " 发放创业担保贷款 860 万元。\r\n"}, None, _report(), True),
        (CONTENT, _report(status="draft"), _report(), False),  # saves nothing: not asked
        (CONTENT, _report(status="draft", percent=80), _report(), True),  # back to last quarter
    ],
    ids=["no-earlier", "same", "same-as-approved", "percent", "problems", "blanks-and-crlf",
         "same-as-this-quarter", "this-quarter-back-to-last"],
)  # fmt: skip
def test_a_row_repeats_last_quarter_when_every_field_it_fills_is_the_same(
    row, this_quarter, earlier, repeats
):
    change = importing.Change(Duty("task", TASK, "牵头单位", this_quarter), dict(row), 2)
    assert importing.repeats_last_quarter(change, earlier) is repeats


def test_a_value_row_repeats_only_with_the_same_date_which_lies_in_its_own_quarter():
    content = {"value": 4, "form": "level", "covers_to": dt.date(2024, 12, 31),
               "quality": "final", "data_source": "认定文件", "remarks": ""}  # fmt: skip
    target = SimpleNamespace(pk=3, label="每个县市区制造业开发区双创载体")
    change = importing.Change(Duty("target", target, "", None), content, 2)
    earlier = TargetValue(**{**content, "covers_to": dt.date(2024, 9, 30)})
    assert importing.repeats_last_quarter(change, earlier) is False
    assert importing.repeats_last_quarter(change, TargetValue(**content)) is True


def test_the_preview_and_its_answer_read_in_english(client, staff_county, plan, last_quarter):
    data = download(client, staff_county)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    html = response.content.decode()
    assert "3 rows are the same as last quarter" in html
    assert "Leave these rows out; save only the rows that changed" in html
    assert "Confirm the import" in html and "还没有导入" not in html
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    message = success_message(answer(client, token))
    assert "3 more rows are the same as last quarter and were not imported" in message
