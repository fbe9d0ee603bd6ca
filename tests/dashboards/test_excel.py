import io
import itertools
import zipfile

import pytest
from openpyxl import load_workbook

from dashboards.excel import (
    DEMO_MARK,
    LEDGER_HEADER,
    LedgerRow,
    TargetRow,
    display_width,
    write_workbook,
)
from dashboards.exporting import ledger_rows, target_rows
from dashboards.ledger_pages import A3, A4, LINE_POINTS, ROW_PADDING, SCREEN, rows_room
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


def workbook(ledger, targets=(), layout=SCREEN, **options):
    stream = io.BytesIO()
    write_workbook(
        stream,
        title="台账（测试）",
        ledger=ledger,
        targets=list(targets),
        target_title="目标指标",
        layout=layout,
        **options,
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


def test_the_screen_ledger_has_the_plans_layout_and_every_column_fitted_to_a4s_width():
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


@pytest.mark.parametrize(
    ("layout", "paper", "header"),
    [
        (A4, 9, ["序号", "重点任务", "责任单位", "推进措施", "完成时限", "本期进展", "存在问题",
                 "完成情况", "填报单位"]),
        (A3, 8, LEDGER_HEADER),
    ],
)  # fmt: skip
def test_the_print_layouts_print_at_full_size_with_their_columns_and_page_numbers(
    layout, paper, header
):
    sheet = load_workbook(
        io.BytesIO(
            workbook(
                [row(unit="市科技局"), row(unit="市财政局")], layout=layout, header="2025年第四季度"
            )
        )
    )["重点任务台账"]
    assert [c.value for c in sheet[2]] == header
    assert f"A1:{'I' if layout is A4 else 'K'}1" in {str(r) for r in sheet.merged_cells.ranges}
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), int(setup.scale)) == ("landscape", paper, 100)
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage  # 10.5-pt text prints at 10.5 pt
    widths = [sheet.column_dimensions[chr(65 + i)].width for i in range(len(header))]
    assert widths == list(layout.widths)
    # Excel's measure: a character of width is 7 px at 96 dpi, plus 5 px a column
    printable_mm = (297 if paper == 9 else 420) - 2 * 0.3 * 25.4
    assert (sum(widths) * 7 + 5 * len(widths)) * 25.4 / 96 <= printable_mm
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.oddHeader.left.text == "2025年第四季度"
    assert sheet.oddHeader.right.text is None  # not demonstration data
    assert sheet.row_dimensions[2].height >= 20


def test_demonstration_data_is_marked_in_the_title_on_every_page_and_in_the_file():
    data = workbook([row(unit="市科技局")], layout=A4, demo=True)
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        assert sheet["A1"].value.endswith("【演示数据】")
        assert sheet.oddHeader.right.text == DEMO_MARK
    assert book.properties.subject == DEMO_MARK


def test_blocks_break_between_tasks_and_a_block_taller_than_a_page_repeats_its_task():
    from dashboards.ledger_pages import CONTINUED

    measures = "推进" * 150  # tall merged text
    rows = [row(n, unit=f"单位{u}", progress="进展" * 40) for n in (1, 2) for u in range(3)]
    rows[0:3] = [
        LedgerRow(1, "实施重大科技专项", "各县市区", measures, "期间", progress="进展" * 60,
                  unit=f"县{u}")
        for u in range(20)
    ]  # fmt: skip
    sheet = load_workbook(io.BytesIO(workbook(rows, layout=A4)))["重点任务台账"]
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert breaks, "a 20-row task cannot fit on one A4 page"
    titles = {sheet.cell(row=b + 1, column=2).value for b in breaks}
    assert f"实施重大科技专项{CONTINUED}" in titles  # the continuation repeats the task
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for brk in breaks:  # no merged range crosses a page break
        for rng in sheet.merged_cells.ranges:
            assert not (rng.min_row <= brk < rng.max_row), (brk, str(rng), merged)
    # each page's rows fit the room under the repeated header
    starts = [3] + [b + 1 for b in breaks] + [sheet.max_row + 1]
    for first, end in itertools.pairwise(starts):
        height = sum(sheet.row_dimensions[r].height for r in range(first, end))
        assert height <= rows_room(A4, sheet.row_dimensions[2].height)


def test_the_screen_layouts_column_widths_follow_the_text_with_chinese_counting_double():
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
    from dashboards.excel import ledger_row_heights

    measures = "推进" * 100  # 400 columns of text in a 48-wide merged column: 10 lines of 42
    rows = [
        LedgerRow(1, "任务", "单位", measures, "期间", progress="短", unit="甲"),
        LedgerRow(1, "任务", "单位", measures, "期间", progress="短", unit="乙"),
        LedgerRow(2, "任务", "单位", "短", "期间", progress="进展" * 60, unit="甲"),
    ]
    heights = ledger_row_heights(rows, SCREEN)
    # task 1's ten lines of 推进措施 are shared by its two rows; task 2 needs six (240 / 42)
    assert heights[0] + heights[1] >= 10 * LINE_POINTS + 2 * ROW_PADDING
    assert heights[2] == 6 * LINE_POINTS + ROW_PADDING
    sheet = load_workbook(io.BytesIO(workbook(rows)))["重点任务台账"]
    assert sheet.row_dimensions[5].height == heights[2]
