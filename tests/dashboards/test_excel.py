import io
import zipfile

import pytest
from openpyxl import load_workbook

from dashboards.excel import LEDGER_HEADER, LedgerRow, TargetRow, display_width, write_workbook
from dashboards.exporting import ledger_rows, target_rows
from reports.workflow import submit_record
from tests import factories as f

RISKY = [
    '=HYPERLINK("http://x","点我")',
    "+86 138",
    "-1+2",
    "@SUM(A1)",
    "\t制表符",
    "\n换行开头",
    "=1+1",
]


def workbook(ledger, targets=()):
    stream = io.BytesIO()
    write_workbook(
        stream, title="台账（测试）", ledger=ledger, targets=list(targets), target_title="目标指标"
    )
    return stream.getvalue()


def row(number=1, **extra):
    return LedgerRow(
        number, "实施重大科技专项", "市科技局、 市财政局", "推进措施", "“十四五”期间", **extra
    )


@pytest.mark.parametrize(
    ("text", "width"), [("abc", 3), ("市科技局", 8), ("ＡＢ", 4), ("1000 万元", 9)]
)
def test_wide_characters_count_double(text, width):
    assert display_width(text) == width


def test_typed_text_that_looks_like_a_formula_stays_plain_text():
    data = workbook([row(progress=text, problems=text) for text in RISKY])
    sheet = load_workbook(io.BytesIO(data))["重点任务台账"]
    for index, text in enumerate(RISKY, start=3):
        cell = sheet.cell(row=index, column=6)
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix is True
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere


def test_the_ledger_sheet_has_the_plans_layout_and_prints_on_a4_landscape():
    sheet = load_workbook(
        io.BytesIO(workbook([row(unit="市科技局"), row(unit="市财政局"), row(2, unit="市科技局")]))
    )["重点任务台账"]
    assert sheet["A1"].value == "台账（测试）"
    assert "A1:K1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == LEDGER_HEADER
    # task 1 has two units: its own five columns span both rows
    assert {"A3:A4", "B3:B4", "E3:E4"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    setup = sheet.page_setup
    assert (
        setup.orientation,
        int(setup.paperSize),
        int(setup.fitToWidth),
        int(setup.fitToHeight),
    ) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["A3"].value == 1 and sheet["A3"].data_type == "n"
    assert sheet["F3"].alignment.wrap_text


def test_column_widths_follow_the_text_with_chinese_counting_double():
    long_text = "科技" * 100
    sheet = load_workbook(io.BytesIO(workbook([row(progress=long_text, unit="市科技局")])))[
        "重点任务台账"
    ]
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["F"] == 48  # capped: long text wraps
    assert widths["J"] == display_width("填报单位") + 2  # as wide as its header and its text
    assert widths["A"] == 6


def test_the_target_sheet_keeps_numbers_as_numbers_and_rates_as_percentages():
    from decimal import Decimal

    targets = [
        TargetRow(
            "3. 高新技术企业数量（家）",
            Decimal(500),
            Decimal(420),
            Decimal("431.5"),
            Decimal("0.84"),
            "正常",
            "高新技术企业达到 500 家以上",
            "截至2023年12月31日，快报",
        )
    ]
    sheet = load_workbook(io.BytesIO(workbook([row()], targets)))["目标指标"]
    assert [c.value for c in sheet[2]] == [
        "指标",
        "目标值",
        "当前值",
        "期望值",
        "完成率",
        "状态",
        "依据",
        "原文",
    ]
    values = [c.value for c in sheet[3]]
    assert values[1:5] == [500, 420, 431.5, 0.84]
    assert sheet["E3"].number_format == "0.0%" and sheet["E3"].data_type == "n"
    assert sheet["G3"].value == "截至2023年12月31日，快报"  # what the status rests on
    assert sheet["H3"].value == "高新技术企业达到 500 家以上"


@pytest.mark.django_db
def test_ledger_rows_give_each_task_one_row_per_reporting_unit(plan, staff_county):
    period = f.period(plan, 2024, 2)
    report = f.make_report(staff_county, plan, number=15, unit_name="卧龙区", progress="卧龙区进展")
    submit_record(record=report, user=staff_county, version=1)
    rows = ledger_rows(plan, period)
    task15 = [r for r in rows if r.number == 15]
    assert [r.unit for r in task15][:2] == ["市科技局", "宛城区"] and len(task15) == 19
    wolong = next(r for r in task15 if r.unit == "卧龙区")
    assert (wolong.progress, wolong.completion) == ("卧龙区进展", "推进中")
    assert next(r for r in task15 if r.unit == "宛城区").completion == "未报送"
    assert len({r.number for r in rows}) == 22


@pytest.mark.django_db
def test_a_units_export_holds_only_its_own_rows_and_targets(plan):
    period = f.period(plan, 2024, 2)
    wolong = f.unit("卧龙区")
    assert sorted({r.number for r in ledger_rows(plan, period, wolong)}) == [11, 12, 15]
    assert {r.unit for r in ledger_rows(plan, period, wolong)} == {"卧龙区"}
    labels = [t.label for t in target_rows(plan, period.ends_on, wolong)]
    assert labels == [
        "22. 每个县市区制造业开发区双创载体（家）",
        "27. 各县市区技术合同成交额（每年）（亿元）",
    ]


def test_rows_are_tall_enough_for_their_wrapped_text_even_in_merged_cells():
    from dashboards.excel import LINE_POINTS, ledger_row_heights

    measures = "推进" * 100  # 400 columns of text in a 48-wide merged column: 9 lines
    rows = [
        LedgerRow(1, "任务", "单位", measures, "期间", progress="短", unit="甲"),
        LedgerRow(1, "任务", "单位", measures, "期间", progress="短", unit="乙"),
        LedgerRow(2, "任务", "单位", "短", "期间", progress="进展" * 60, unit="甲"),
    ]
    widths = [6, 16, 20, 48, 12, 48, 26, 26, 10, 14, 17]
    heights = ledger_row_heights(rows, widths)
    # task 1's nine lines of 推进措施 are shared by its two rows; task 2 needs six (240 / 47)
    assert heights[0] + heights[1] >= 9 * LINE_POINTS
    assert heights[2] == 6 * LINE_POINTS + 4
    sheet = load_workbook(io.BytesIO(workbook(rows)))["重点任务台账"]
    assert sheet.row_dimensions[5].height == heights[2]
