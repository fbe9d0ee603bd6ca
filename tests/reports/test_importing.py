"""The offline Excel route: a reporter downloads the unit's template, fills it in Excel and
uploads it; the rows become drafts through the workflow, or the file is refused with every
problem listed and nothing saved."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports import importing, package_checks, template_format, template_reading
from reports.models import ProgressReport, ReportEvent, ReportRevision, TargetValue
from reports.workflow import return_record, submit_record
from tests import factories as f
from tests.views import assert_login_required

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TEMPLATE = reverse("reports:template")
IMPORT = reverse("reports:import")
INBOX = reverse("reports:inbox")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _in_2024_q4():
    """5 January 2025: 2024 Q4 is the open period (due on 10 January), the quarter in which a
    unit reports its yearly figures as well as its quarterly ones."""
    with time_machine.travel(dt.datetime(2025, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        yield


# --- helpers ---------------------------------------------------------------------------------


def download(client, user, period=None) -> bytes:
    client.force_login(user)
    response = client.get(TEMPLATE, {"period": period.pk} if period else {})
    assert response.status_code == 200, response.content[:300]
    return response.content


def upload(client, user, data: bytes, period, name="卧龙区填报模板.xlsx"):
    client.force_login(user)
    return client.post(IMPORT, {"period": period.pk, "file": _file(name, data)})


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=XLSX)


def edit(data: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    """The workbook with cells changed as a user would in Excel: {sheet: {"C2": value}}."""
    book = load_workbook(io.BytesIO(data))
    for sheet, cells in changes.items():
        for coordinate, value in cells.items():
            book[sheet][coordinate] = value
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def county_filled(data: bytes) -> bytes:
    """卧龙区's template with tasks 11 and 12 and both county targets filled, task 15 empty."""
    return edit(
        data,
        {
            "任务进展": {
                "C2": "出台大学生创业补贴办法，发放创业担保贷款 1200 万元。",
                "D2": "推进中",
                "E2": 60,
                "F2": "贷款审批周期较长。",
                "G2": "下季度开展创业培训 3 期。",
                "C3": "储备青年大学生 320 名。",
                "D3": "已完成",
                "E3": 100,
            },
            "指标数值": {
                "D2": 4,
                "E2": "区科技局认定文件",
                "F2": "正式",
                "D3": 1.25,
                "E3": "技术合同登记系统",
                "H3": "快报数",
            },
        },
    )


def snapshot() -> tuple:
    """Everything an import may write: records with their versions, revisions and events."""
    return (
        sorted(ProgressReport.objects.values_list("pk", "version", "status")),
        sorted(TargetValue.objects.values_list("pk", "version", "status")),
        ReportRevision.objects.count(),
        ReportEvent.objects.count(),
    )


def problems_in(response) -> list[tuple[str, int, str, str]]:
    html = response.content.decode()
    rows = re.findall(
        r'<tr class="import-problem"><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>',
        html,
    )
    return [(sheet, int(row), column, message) for sheet, row, column, message in rows]


def refusal_in(response) -> str:
    assert response.status_code == 200
    refused = response.context["refused"]
    assert refused is not None, "the file was not refused"
    return refused.message


def success_message(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def rezip(data: bytes, *, add=None, replace=None) -> bytes:
    """The same package with parts added or replaced."""
    add, replace = add or {}, replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = replace.get(item.filename, source.read(item.filename))
            target.writestr(item, body)
        for name, body in add.items():
            target.writestr(name, body)
    return out.getvalue()


def meta_of(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data))
    return {row[0]: row[1] for row in book["_meta"].iter_rows(values_only=True)}


def edit_meta(data: bytes, **values) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book["_meta"]
    for row in sheet.iter_rows():
        if row[0].value in values:
            row[1].value = values[row[0].value]
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# --- the template ----------------------------------------------------------------------------


def test_the_template_for_wolong_lists_its_three_tasks_and_two_county_targets_with_validations(
    client, staff_county, plan
):
    client.force_login(staff_county)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    filename = "卧龙区2024年第四季度填报模板.xlsx"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["任务进展", "指标数值", "填写说明", "_meta"]

    tasks = book["任务进展"]
    assert [c.value for c in tasks[1]] == template_format.TASK_HEADER
    rows = list(tasks.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [11, 12, 15]
    assert [r[1] for r in rows] == [
        "用活就业创业政策",
        "推动青年大学生储备",
        "加强技术合同登记工作",
    ]
    assert [r[7] for r in rows] == [f"task:{f.task(plan, n).pk}" for n in (11, 12, 15)]
    assert all(r[2:7] == (None,) * 5 for r in rows)  # nothing reported before: empty
    assert tasks.freeze_panes == "A2"
    assert tasks.column_dimensions["H"].hidden
    assert tasks["B2"].fill.fgColor.rgb.endswith("E7E7E7")  # looks read-only
    assert tasks.column_dimensions["C"].width >= 20  # wide enough for Chinese text
    rules = {(v.type, v.operator, v.formula1, v.formula2, str(v.sqref))
             for v in tasks.data_validations.dataValidation}  # fmt: skip
    assert ("list", None, '"未启动,推进中,已完成,滞后"', None, "D2:D4") in rules
    number = 'OR(ISNUMBER({0}),ISNUMBER(--ASC({0}&"")))'  # full-width ５５％ passes in Excel
    assert ("custom", None, number.format("E2"), None, "E2:E4") in rules

    values = book["指标数值"]
    assert [c.value for c in values[1]] == template_format.VALUE_HEADER
    rows = list(values.iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in rows] == [
        ("每个县市区制造业开发区双创载体", "家", "时点数"),  # a year-end count, once a year
        ("各县市区技术合同成交额（每年）", "亿元", "年初至今累计"),  # 1—N月累计
    ]
    assert [r[5:7] for r in rows] == [("快报", dt.datetime(2024, 12, 31))] * 2
    assert [r[8] for r in rows] == [
        f"target:{f.target(plan, 'county-incubators').pk}:actual",
        f"target:{f.target(plan, 'county-tech-contract-turnover').pk}:actual",
    ]
    assert values.freeze_panes == "A2" and values.column_dimensions["I"].hidden
    rules = {(v.type, v.operator, v.formula1, str(v.sqref))
             for v in values.data_validations.dataValidation}  # fmt: skip
    assert ("custom", None, 'OR(ISNUMBER(D2),ISNUMBER(--ASC(D2&"")))', "D2 D3") in rules
    assert ("list", None, '"时点数,年初至今累计,同比增速,期初至今累计"', "C2 C3") in rules
    assert ("list", None, '"预计,快报,正式"', "F2 F3") in rules
    assert ("date", "between", "DATE(2024,10,1)", "G2 G3") in rules

    assert "不要使用公式" in " ".join(str(c.value) for c in book["填写说明"]["A"])
    assert book["_meta"].sheet_state == "hidden"
    meta = meta_of(response.content)
    assert meta["unit_name"] == "卧龙区" and meta["period_label"] == "2024年第四季度"
    assert meta["plan"] == "innovation-2022" and re.fullmatch(r"[0-9a-f]{64}", meta["signature"])


def test_the_kjj_template_has_the_benchmark_row_and_percentages_are_capped_at_100(
    client, staff_kjj, plan
):
    book = load_workbook(io.BytesIO(download(client, staff_kjj)))
    values = book["指标数值"]
    rows = list(values.iter_rows(min_row=2, values_only=True))
    rd = f.target(plan, "rd-intensity").pk
    keys = [r[8] for r in rows]
    assert keys[:2] == [f"target:{rd}:actual", f"target:{rd}:benchmark"]
    assert rows[1][0] == "全社会R&D经费投入强度（对标基准值：全省平均水平）"
    number = next(v for v in values.data_validations.dataValidation if v.errorTitle == "数值")
    assert number.formula1 == 'OR(ISNUMBER(D2),ISNUMBER(--ASC(D2&"")))'  # ５５％ passes
    assert {"D2", "D3"} <= {str(r) for r in number.sqref.ranges}  # relative to D2, its first
    assert len(list(book["任务进展"].iter_rows(min_row=2))) == 19


def test_the_template_is_prefilled_from_last_quarter_so_a_task_is_reported_once(
    client, staff_county, plan
):
    earlier = f.make_report(staff_county, plan, number=11, unit_name="卧龙区", quarter=3)
    data = download(client, staff_county)
    row = next(load_workbook(io.BytesIO(data))["任务进展"].iter_rows(min_row=2, values_only=True))
    assert row[2:7] == (earlier.progress, "推进中", 60, earlier.problems, earlier.next_steps)

    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert "新建 1 份" in success_message(response)
    report = ProgressReport.objects.get(period=f.period(plan, 2024, 4), task=f.task(plan, 11))
    assert (report.status, report.progress, report.percent) == ("draft", earlier.progress, 60)


def test_a_template_for_an_earlier_quarter_can_be_asked_for_and_an_unknown_one_is_404(
    client, staff_county, plan
):
    data = download(client, staff_county, f.period(plan, 2024, 3))
    assert meta_of(data)["period_label"] == "2024年第三季度"
    client.force_login(staff_county)
    assert client.get(TEMPLATE, {"period": f.period(plan, 2025, 2).pk}).status_code == 404
    assert client.get(TEMPLATE, {"period": "x"}).status_code == 404


# --- importing -------------------------------------------------------------------------------


def test_a_filled_template_becomes_drafts_with_the_right_content_visible_in_the_inbox(
    client, staff_county, plan
):
    period = f.period(plan, 2024, 4)
    data = county_filled(download(client, staff_county))
    response = upload(client, staff_county, data, period)
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORT}?period={period.pk}"
    assert "新建 4 份、更新 0 份、未变 0 份（1 行留空，未导入）" in success_message(response)

    reports = {r.task.number: r for r in ProgressReport.objects.filter(period=period)}
    assert set(reports) == {11, 12}  # task 15 was left empty
    first = reports[11]
    assert (first.unit.name, first.status, first.version) == ("卧龙区", "draft", 1)
    assert first.progress == "出台大学生创业补贴办法，发放创业担保贷款 1200 万元。"
    assert (first.completion, first.percent) == ("in_progress", 60)
    assert (first.problems, first.next_steps) == ("贷款审批周期较长。", "下季度开展创业培训 3 期。")
    assert first.created_by == staff_county
    second = reports[12]
    assert second.progress == "储备青年大学生 320 名。"
    assert (second.completion, second.percent, second.problems) == ("done", 100, "")

    values = {v.target.key: v for v in TargetValue.objects.filter(period=period)}
    incubators, turnover = values["county-incubators"], values["county-tech-contract-turnover"]
    assert (incubators.value, incubators.data_source, incubators.quality) == (
        Decimal("4"), "区科技局认定文件", "final",
    )  # fmt: skip
    assert (turnover.value, turnover.quality, turnover.remarks) == (
        Decimal("1.25"), "preliminary", "快报数",
    )  # fmt: skip
    assert (turnover.form, turnover.covers_to) == ("ytd", dt.date(2024, 12, 31))
    assert all(v.status == "draft" and v.series == "actual" for v in values.values())

    inbox = client.get(INBOX)
    states = {(d.kind, d.subject.pk): d.state_code for d in inbox.context["duties"]}
    assert states[("task", f.task(plan, 11).pk)] == "draft"
    assert states[("task", f.task(plan, 15).pk)] == "missing"
    assert states[("target", incubators.target_id)] == "draft"
    page = client.get(f"{IMPORT}?period={period.pk}").content.decode()
    assert 'href="/reporting/?period=' in page and "返回我的填报" in page


def test_importing_the_same_file_twice_changes_nothing_the_second_time(client, staff_county, plan):
    period = f.period(plan, 2024, 4)
    data = county_filled(download(client, staff_county))
    upload(client, staff_county, data, period)
    before = snapshot()
    response = upload(client, staff_county, data, period)
    assert response.status_code == 302
    assert "新建 0 份、更新 0 份、未变 4 份" in success_message(response)
    assert snapshot() == before


def test_a_redownloaded_template_shows_the_drafts_and_a_changed_cell_updates_one_draft(
    client, staff_county, plan
):
    period = f.period(plan, 2024, 4)
    upload(client, staff_county, county_filled(download(client, staff_county)), period)
    again = download(client, staff_county)
    row = next(load_workbook(io.BytesIO(again))["任务进展"].iter_rows(min_row=2, values_only=True))
    assert row[3:5] == ("推进中", 60)
    response = upload(client, staff_county, edit(again, {"任务进展": {"E2": 70}}), period)
    assert "新建 0 份、更新 1 份、未变 3 份" in success_message(response)
    report = ProgressReport.objects.get(period=period, task=f.task(plan, 11))
    assert (report.percent, report.version, report.status) == (70, 2, "draft")


def test_a_returned_report_is_updated_with_its_current_version_and_stays_returned(
    client, staff_county, reviewer, plan
):
    period = f.period(plan, 2024, 4)
    report = f.make_report(staff_county, plan, number=11, unit_name="卧龙区", quarter=4)
    report = submit_record(record=report, user=staff_county, version=1)
    report = return_record(record=report, user=reviewer, comment="请补充贷款发放户数。")
    data = edit(download(client, staff_county), {"任务进展": {"C2": "发放创业担保贷款 86 户。"}})
    response = upload(client, staff_county, data, period)
    assert "更新 1 份" in success_message(response)
    report.refresh_from_db()
    assert (report.progress, report.status, report.version) == (
        "发放创业担保贷款 86 户。", "returned", 4,
    )  # fmt: skip


def test_a_draft_changed_by_a_colleague_during_the_import_stops_it_and_undoes_what_it_made(
    client, staff_county, plan, monkeypatch
):
    draft = f.make_report(staff_county, plan, number=12, unit_name="卧龙区", quarter=4)
    data = county_filled(download(client, staff_county))  # creates 11, changes 12's draft
    real_duties_for = importing.duties_for

    def duties_then_a_colleague_saves(unit, period):
        duties = real_duties_for(unit, period)
        ProgressReport.objects.filter(pk=draft.pk).update(version=2)
        return duties

    monkeypatch.setattr(importing, "duties_for", duties_then_a_colleague_saves)
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert "有人修改了其中的报告，没有导入任何内容" in refusal_in(response)
    assert list(ProgressReport.objects.values_list("task__number", "version")) == [(12, 1)]
    assert not TargetValue.objects.exists()


def test_a_submitted_report_may_stand_unchanged_but_not_be_changed_by_an_import(
    client, staff_county, plan
):
    period = f.period(plan, 2024, 4)
    report = f.make_report(staff_county, plan, number=11, unit_name="卧龙区", quarter=4)
    submit_record(record=report, user=staff_county, version=1)
    data = download(client, staff_county)
    response = upload(client, staff_county, data, period)
    assert "未变 1 份" in success_message(response)

    before = snapshot()
    response = upload(client, staff_county, edit(data, {"任务进展": {"C2": "改过的进展"}}), period)
    assert "没有导入" in response.content.decode()
    [(sheet, row, column, message)] = problems_in(response)
    assert (sheet, row, column) == ("任务进展", 2, "工作进展")
    assert "已报送，不能通过导入修改" in message
    assert snapshot() == before


def test_text_that_looks_like_a_formula_goes_out_as_text_and_comes_back_unchanged(
    client, staff_county, plan
):
    f.make_report(
        staff_county, plan, number=11, unit_name="卧龙区", progress="=HYPERLINK(1)", quarter=4
    )
    data = download(client, staff_county)
    cell = load_workbook(io.BytesIO(data))["任务进展"]["C2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=HYPERLINK(1)", "s", True)
    before = snapshot()
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert "新建 0 份、更新 0 份、未变 1 份" in success_message(response)
    assert snapshot() == before


def test_a_percentage_typed_with_a_percent_sign_in_excel_is_read_as_a_whole_percent(
    client, staff_county, plan
):
    book = load_workbook(io.BytesIO(download(client, staff_county)))
    sheet = book["任务进展"]
    sheet["C2"], sheet["D2"], sheet["E2"] = "进展", "推进中", 0.6
    sheet["E2"].number_format = "0%"  # what Excel stores when one types 60%
    stream = io.BytesIO()
    book.save(stream)
    upload(client, staff_county, stream.getvalue(), f.period(plan, 2024, 4))
    assert ProgressReport.objects.get(task=f.task(plan, 11)).percent == 60


def test_values_typed_with_a_percent_sign_or_as_text_are_read_as_excel_shows_them(
    client, staff_kjj, staff_county, plan
):
    book = load_workbook(io.BytesIO(download(client, staff_kjj)))
    sheet = book["指标数值"]
    sheet["D2"], sheet["E2"] = 0.0235, "市统计局"  # typed as 2.35% into 全社会R&D经费投入强度
    sheet["D2"].number_format = "0.00%"
    sheet["D3"], sheet["E3"] = "2.1%", "省统计局"  # the benchmark, typed as text
    stream = io.BytesIO()
    book.save(stream)
    response = upload(
        client, staff_kjj, stream.getvalue(), f.period(plan, 2024, 4), name="kjj.xlsx"
    )
    assert "新建 2 份" in success_message(response)
    rd = TargetValue.objects.filter(target=f.target(plan, "rd-intensity")).order_by("series")
    assert [(v.series, v.value) for v in rd] == [
        ("actual", Decimal("2.35")), ("benchmark", Decimal("2.1")),
    ]  # fmt: skip
    assert rd[0].revisions.get().content["value"] == "2.35"

    data = edit(download(client, staff_county), {"指标数值": {"D3": "1,234.500", "E3": "登记系统"}})
    upload(client, staff_county, data, f.period(plan, 2024, 4))
    turnover = TargetValue.objects.get(target=f.target(plan, "county-tech-contract-turnover"))
    assert turnover.value == Decimal("1234.5")


def test_a_template_with_three_bad_rows_is_refused_with_three_messages_and_nothing_saved(
    client, staff_county, plan
):
    data = edit(
        download(client, staff_county),
        {
            "任务进展": {
                "D2": "推进中", "E2": 50, "F2": "只写了问题，没写进展。",
                "C3": "储备青年大学生。", "D3": "推进中", "E3": 150,
            },
            "指标数值": {"D3": "很多", "E3": "技术合同登记系统"},
        },
    )  # fmt: skip
    before = snapshot()
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert "3 处问题" in refusal_in(response)
    assert problems_in(response) == [
        ("任务进展", 2, "工作进展", "请填写工作进展。"),
        ("任务进展", 3, "完成进度（%）", "完成进度应为 0 到 100 的整数。"),
        ("指标数值", 3, "数值", "请输入一个数字。"),
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"任务进展": {"C2": "进展", "D2": "差不多", "E2": 10}}, ("完成情况", "请从下拉列表中选择")),
        ({"任务进展": {"C2": "进展", "D2": "推进中", "E2": 12.5}}, ("完成进度（%）", "整数")),
        ({"任务进展": {"C2": "进展", "D2": "推进中"}}, ("完成进度（%）", "请填写完成进度（必填")),
        ({"任务进展": {"C2": "进展", "E2": 10}}, ("完成情况", "请选择完成情况（必填")),
        ({"任务进展": {"C2": "进展", "D2": "推进中", "E2": "６０"}}, None),
        ({"指标数值": {"D2": 2.5, "E2": "认定文件"}}, ("数值", "以“家”计的数量应为整数")),
        ({"指标数值": {"D2": -1, "E2": "认定文件"}}, ("数值", "不能为负数")),
        ({"指标数值": {"D3": 1.234, "E3": "登记系统"}}, ("数值", "最多保留两位小数")),
        ({"指标数值": {"D2": 3}}, ("数据来源", "请注明数据来源")),
        ({"指标数值": {"D2": 3, "E2": "认定文件", "F2": "对"}}, ("数据性质", "请从下拉列表中选择")),
        ({"指标数值": {"D2": 3, "E2": "认定文件", "C2": "同比增速"}}, ("口径", "可选的口径：时点数")),
        ({"指标数值": {"D2": 3, "E2": "认定文件", "G2": "2024-06-30"}},
         ("数据截止日期", "应在2024年第四季度之内")),
        ({"指标数值": {"D2": 3, "E2": "认定文件", "G2": "年底"}}, ("数据截止日期", "格式")),
        ({"指标数值": {"E2": "认定文件"}}, ("数值", "请填写数值")),
        ({"指标数值": {"D2": "=2+2", "E2": "认定文件"}}, ("数值", "不能使用公式")),
        ({"任务进展": {"C2": "=A1", "D2": "推进中", "E2": 10}}, ("工作进展", "不能使用公式")),
    ],
    ids=["completion", "fraction", "no-percent", "no-completion", "full-width-percent", "count", "negative", "decimals",
         "no-source", "quality", "form", "outside-the-quarter", "not-a-date", "no-value",
         "formula-in-value", "formula-in-text"],
)  # fmt: skip
def test_each_bad_cell_is_named_by_its_column_and_nothing_is_saved(
    client, staff_county, plan, cells, expected
):
    data = edit(download(client, staff_county), cells)
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    if expected is None:  # accepted: ６０ as an input method types it
        assert not problems_in(response)
        assert ProgressReport.objects.get().percent == 60
        return
    refusal_in(response)
    [(sheet, row, column, message)] = problems_in(response)
    assert sheet == next(iter(cells)) and row == 2 + (expected == ("数值", "最多保留两位小数"))
    assert column == expected[0] and expected[1] in message
    assert snapshot() == ([], [], 0, 0)


def test_the_county_reporter_cannot_import_rows_for_kjj_tasks_by_editing_hidden_keys(
    client, staff_county, plan
):
    kjj_task = f.task(plan, 1)
    kjj_target = f.target(plan, "high-tech-enterprises")
    data = edit(
        county_filled(download(client, staff_county)),
        {"任务进展": {"H2": f"task:{kjj_task.pk}"},
         "指标数值": {"I2": f"target:{kjj_target.pk}:actual", "I3": "task:abc"}},
    )  # fmt: skip
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    problems = problems_in(response)
    assert [(s, r, c) for s, r, c, _m in problems] == [
        ("任务进展", 2, "行标识（请勿修改）"),
        ("指标数值", 2, "行标识（请勿修改）"),
        ("指标数值", 3, "行标识（请勿修改）"),
    ]
    assert "本单位本期不负责填报这项任务" in problems[0][3]
    assert "本单位本期不负责填报这项指标" in problems[1][3]
    assert "行标识缺失或无效" in problems[2][3]
    assert snapshot() == ([], [], 0, 0)


def test_two_rows_for_the_same_task_are_refused(client, staff_county, plan):
    data = county_filled(download(client, staff_county))
    data = edit(data, {"任务进展": {"H3": f"task:{f.task(plan, 11).pk}"}})
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    [(_sheet, row, _column, message)] = problems_in(response)
    assert row == 3 and "与第 2 行是同一项" in message
    assert snapshot() == ([], [], 0, 0)


# --- files refused as a whole ------------------------------------------------------------------


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (4 * 1024 * 1024) + b">")
    assert len(out.getvalue()) < 100 * 1024
    return out.getvalue()


def _many_parts() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for n in range(201):
            package.writestr(f"xl/part{n}.xml", "<x/>")
    return out.getvalue()


def _large_when_unpacked() -> bytes:
    """60 parts of 900 KB each: every part is below the size whose ratio is checked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for n in range(60):
            package.writestr(f"xl/part{n}.xml", b"0" * (900 * 1024))
    return out.getvalue()


ENCRYPTED = (
    package_checks.OLE + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("csv", "只能导入 .xlsx 格式"),
        ("xls", "另存为 .xlsx 后导入"),
        ("xlsm", "含宏的 Excel 文件（.xlsm）"),
        ("too-big", "超过 5 MB"),
        ("zip-bomb", "疑似压缩炸弹"),
        ("many-parts", "部件过多"),
        ("large-unpacked", "解压后超过 5 MB"),
        ("encrypted", "设置了打开密码"),
        ("old-ole", "设置了密码保护"),
        ("macro-part", "含有宏"),
        ("broken-zip", "已损坏"),
        ("broken-part", "已损坏"),
        ("bzip2", "使用了 Excel 不使用的压缩方式"),
        ("no-meta", "不是本系统导出的模板或模板已被改动"),
        ("forged-meta", "不是本系统导出的模板或模板已被改动"),
        ("edited-signature", "不是本系统导出的模板或模板已被改动"),
        ("renamed-sheet", "找不到工作表“任务进展”"),
        ("moved-column", "表头与模板不一致"),
        ("other-unit", "这是市科技局的模板"),
        ("other-period", "模板属于2024年第一季度，当前选择的是2024年第四季度"),
        ("closed-period", "2024年第四季度已关闭，不能导入"),
    ],
)
def test_a_file_refused_as_a_whole_says_why_and_saves_nothing(
    client, staff_county, staff_kjj, plan, case, expected
):
    period = f.period(plan, 2024, 4)
    good = county_filled(download(client, staff_county))
    name = "卧龙区填报模板.xlsx"
    if case == "csv":
        name, data = "进展.csv", "重点任务,工作进展\n".encode()
    elif case == "xls":
        name, data = "进展.xls", package_checks.OLE + b"\x00" * 100
    elif case == "xlsm":
        name, data = "进展.xlsm", good
    elif case == "too-big":
        data = good + b"\x00" * (5 * 1024 * 1024)
    elif case == "zip-bomb":
        data = _bomb()
    elif case == "many-parts":
        data = _many_parts()
    elif case == "large-unpacked":
        data = _large_when_unpacked()
    elif case == "encrypted":
        data = ENCRYPTED
    elif case == "old-ole":
        data = package_checks.OLE + b"\x00" * 100
    elif case == "macro-part":
        data = rezip(good, add={"xl/vbaProject.bin": b"\x00" * 64})
    elif case == "broken-zip":
        data = b"PK\x03\x04" + b"\x00" * 200
    elif case == "broken-part":  # the deflated bytes of [Content_Types].xml overwritten
        with zipfile.ZipFile(io.BytesIO(good)) as package:
            info = package.getinfo("[Content_Types].xml")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        data = good[:start] + b"\xff" * info.compress_size + good[start + info.compress_size :]
    elif case == "bzip2":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                target.writestr(item.filename, source.read(item), zipfile.ZIP_BZIP2)
        data = out.getvalue()
    elif case == "no-meta":
        book = load_workbook(io.BytesIO(good))
        del book["_meta"]
        stream = io.BytesIO()
        book.save(stream)
        data = stream.getvalue()
    elif case == "forged-meta":
        kjj = f.unit("市科技局")
        data = edit_meta(good, unit_id=str(kjj.pk), unit_name=kjj.name)
    elif case == "edited-signature":
        data = edit_meta(good, signature="0" * 64)
    elif case == "renamed-sheet":
        book = load_workbook(io.BytesIO(good))
        book["任务进展"].title = "Sheet1"
        stream = io.BytesIO()
        book.save(stream)
        data = stream.getvalue()
    elif case == "moved-column":
        data = edit(good, {"任务进展": {"C1": "完成情况", "D1": "工作进展"}})
    elif case == "other-unit":
        data = download(client, staff_kjj)
    elif case == "other-period":
        data = county_filled(download(client, staff_county, f.period(plan, 2024, 1)))
    elif case == "closed-period":
        period.closed_at = timezone.now()
        period.save()
        data = good
    response = upload(client, staff_county, data, period, name=name)
    assert expected in refusal_in(response)
    assert expected in response.content.decode()
    assert snapshot() == ([], [], 0, 0)


def test_the_signature_depends_on_the_secret_key(settings, staff_county, plan):
    unit, period = f.unit("卧龙区"), f.period(plan, 2024, 4)
    signed = template_format.template_meta(unit, period)
    template_reading.check_meta(signed, unit=unit, period=period)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    with pytest.raises(template_format.ImportRefused, match="模板已被改动"):
        template_reading.check_meta(signed, unit=unit, period=period)
    settings.SECRET_KEY_FALLBACKS = ["tests-only-secret-key-not-for-production"]
    template_reading.check_meta(signed, unit=unit, period=period)  # accepted while the key rotates


def test_an_upload_without_a_file_asks_for_one(client, staff_county, plan):
    client.force_login(staff_county)
    response = client.post(IMPORT, {"period": f.period(plan, 2024, 4).pk})
    assert response.status_code == 200
    assert "请选择要导入的 Excel 文件。" in response.content.decode()


# --- who may use it --------------------------------------------------------------------------


def test_the_import_page_offers_the_started_periods_with_the_open_one_chosen(
    client, staff_county, plan
):
    client.force_login(staff_county)
    response = client.get(IMPORT)
    assert response.status_code == 200
    page = response.content.decode()
    open_period = f.period(plan, 2024, 4)
    assert f'<option value="{open_period.pk}" selected>2024年第四季度</option>' in page
    assert "2025年第二季度" not in page  # not started yet
    assert f'href="{TEMPLATE}?period={open_period.pk}"' in page
    inbox = client.get(INBOX).content.decode()
    assert f'href="{TEMPLATE}?period={open_period.pk}"' in inbox
    assert f'href="{IMPORT}?period={open_period.pk}"' in inbox


@pytest.mark.parametrize("role", ["reviewer", "leader", "admin_user", "outsider"])
def test_only_reporters_may_download_or_upload(client, request, role, staff_county, plan):
    data = county_filled(download(client, staff_county))
    client.force_login(request.getfixturevalue(role))
    assert client.get(TEMPLATE).status_code == 403
    assert client.get(IMPORT).status_code == 403
    response = client.post(
        IMPORT, {"period": f.period(plan, 2024, 4).pk, "file": _file("a.xlsx", data)}
    )
    assert response.status_code == 403
    assert snapshot() == ([], [], 0, 0)


@pytest.mark.parametrize("url", [TEMPLATE, IMPORT])
def test_anonymous_users_are_sent_to_log_in(client, url):
    assert_login_required(client, url)


def test_the_wrong_method_is_refused(client, staff_county):
    client.force_login(staff_county)
    assert client.post(TEMPLATE).status_code == 405
    assert client.put(IMPORT).status_code == 405
    assert client.delete(IMPORT).status_code == 405


# --- numbers of any size or shape ------------------------------------------------------------


def test_1e1000000_typed_in_a_value_cell_is_listed_with_its_reason_not_a_server_error(
    client, staff_county, plan
):
    """The issue's file: Decimal("1e1000000") overflowed the decimal context (a 500)."""
    data = edit(download(client, staff_county), {"指标数值": {"D2": "1e1000000", "E2": "认定文件"}})
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert response.status_code == 200
    assert refusal_in(response) == "文件中有 1 处问题，没有导入任何内容。"
    assert problems_in(response) == [
        (
            "指标数值",
            2,
            "数值",
            "数值过大：整数部分最多 12 位（不超过 999999999999.99），请核对计量单位。",
        )
    ]
    assert snapshot() == ([], [], 0, 0)


@pytest.mark.parametrize("typed", ["1E-999999", "9" * 300, "NaN", "sNaN", "∞", "-Infinity"])
def test_a_number_no_field_can_hold_is_listed_with_a_message_and_nothing_saved(
    client, staff_county, plan, typed
):
    data = edit(download(client, staff_county), {"指标数值": {"D2": typed, "E2": "认定文件"}})
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert "1 处问题" in refusal_in(response)
    [(sheet, row, column, message)] = problems_in(response)
    assert (sheet, row, column) == ("指标数值", 2, "数值")
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert snapshot() == ([], [], 0, 0)


def test_full_width_digits_percent_signs_and_thousands_separators_are_read_as_written(
    client, staff_kjj, staff_county, plan
):
    data = edit(
        download(client, staff_kjj),
        {"指标数值": {"D2": "２．３５％", "E2": "市统计局", "D3": " 2.1 % ", "E3": "省统计局"}},
    )
    upload(client, staff_kjj, data, f.period(plan, 2024, 4), name="kjj.xlsx")
    rd = TargetValue.objects.filter(target=f.target(plan, "rd-intensity")).order_by("series")
    assert [v.value for v in rd] == [Decimal("2.35"), Decimal("2.1")]

    data = edit(
        download(client, staff_county), {"指标数值": {"D3": "１，２３４．５", "E3": "登记系统"}}
    )
    upload(client, staff_county, data, f.period(plan, 2024, 4))
    turnover = TargetValue.objects.get(target=f.target(plan, "county-tech-contract-turnover"))
    assert turnover.value == Decimal("1234.5")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ({"D2": "55%"}, "不要带百分号"),  # 家 is no percentage
        ({"D2": 0.55, "number_format": "0%"}, "不要带百分号"),  # 55% typed in Excel
        ({"D3": "1,5"}, "逗号只能用作千位分隔符"),
        ({"D3": "1234567890123"}, "整数部分最多 12 位"),
    ],
    ids=["percent-sign-on-a-count", "percent-format-on-a-count", "decimal-comma", "too-large"],
)
def test_a_number_that_is_not_one_for_its_target_is_named_with_the_reason(
    client, staff_county, plan, cell, expected
):
    book = load_workbook(io.BytesIO(download(client, staff_county)))
    sheet = book["指标数值"]
    number_format = cell.pop("number_format", None)
    [(coordinate, value)] = cell.items()
    sheet[coordinate], sheet[f"E{coordinate[1:]}"] = value, "认定文件"
    if number_format:
        sheet[coordinate].number_format = number_format
    stream = io.BytesIO()
    book.save(stream)
    response = upload(client, staff_county, stream.getvalue(), f.period(plan, 2024, 4))
    [(_sheet, row, column, message)] = problems_in(response)
    assert (row, column) == (int(coordinate[1:]), "数值") and expected in message
    assert snapshot() == ([], [], 0, 0)


def test_a_text_longer_than_an_excel_cell_holds_is_refused(client, staff_county, plan):
    data = edit(
        download(client, staff_county),
        {"任务进展": {"C2": "PLACEHOLDER", "D2": "推进中", "E2": 10}},
    )
    # openpyxl cuts what it writes at 32,767 characters, as Excel does: write the XML itself.
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml")
    data = rezip(
        data,
        replace={"xl/worksheets/sheet1.xml": sheet.replace(b"PLACEHOLDER", "进".encode() * 32_768)},
    )
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    [(_sheet, row, column, message)] = problems_in(response)
    assert (row, column, message) == (2, "工作进展", "最多 32767 个字，现有 32768 个字。")
    assert snapshot() == ([], [], 0, 0)


def test_a_file_with_hundreds_of_problems_lists_the_first_two_hundred(client, staff_county, plan):
    data = edit(
        download(client, staff_county),
        {"任务进展": {f"D{row}": "差不多" for row in range(10, 110)}},
    )
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    message = refusal_in(response)
    count = int(re.search(r"文件中有 (\d+) 处问题", message)[1])
    assert count > package_checks.MAX_LISTED_PROBLEMS == 200
    assert message.endswith("没有导入任何内容。以下列出前 200 处。")
    assert len(problems_in(response)) == 200
    assert snapshot() == ([], [], 0, 0)
