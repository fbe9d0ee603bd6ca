"""The 台账 workbook in the plan's own layout, written with openpyxl in write-only mode.

Sheet 1 is the ledger (附件：重点任务分工台账) with this period's progress beside each task and
unit; sheet 2 the targets. Text users typed is always written as text: a cell that begins with
= + - @, a tab or a line break could otherwise become a formula or a link in Excel or WPS.
Numbers stay numbers, percentages are formatted as percentages. The sheets print landscape
with the header rows repeated on every page, in one of three layouts (dashboards/ledger_pages.py):
A4 for meetings (the plan's five columns and the progress a meeting reads), A3 with every
column, both at 100 % (10.5-pt text), and the screen layout, every column fitted to A4's width.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from dashboards.ledger_pages import (
    A4,
    SCREEN,
    SHARED,
    TITLE_POINTS,
    Layout,
    header_height,
    height_of,
    parts,
    row_lines,
)
from reports.xlsx_cells import (
    CENTER,
    HEAD_FILL,
    WRAP,
    ColumnWidths,
    NumberCells,
    TextCells,
    display_width,  # noqa: F401 (the ledger's measure, imported from here by its tests)
    number_cell,
    text_cell,
    write_only_sheet,
)

LEDGER_TITLE = "南阳市创新创业行动实施方案重点任务分工台账"
DEMO_MARK = "演示数据，非正式统计"
BRIEFING_TITLE = "南阳市创新创业行动推进情况通报"
LEDGER_HEADER = [
    "序号",
    "重点任务",
    "责任单位",
    "推进措施",
    "完成时限",
    "本期进展",
    "存在问题",
    "下步计划",
    "完成情况",
    "填报单位",
    "填报时间",
]
TARGET_HEADER = ["指标", "目标值", "当前值", "期望值", "完成率", "状态", "依据", "原文"]


def _print_setup(sheet, layout: Layout, *, header: str, demo: bool) -> None:
    """Landscape on the layout's paper, the title and header rows on every page, the period
    (and 演示数据) in the page header and 第 N 页 共 M 页 in the footer. The print layouts are
    printed at 100 %, their columns made to fit; the screen layout is fitted to the width."""
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = layout.paper
    if layout.page_room is None:
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        sheet.page_setup.scale = 100
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.3
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    hf = sheet.HeaderFooter
    hf.oddHeader.left.text = header.replace("&", "&&")
    hf.oddHeader.left.size = 10
    if demo:
        hf.oddHeader.right.text = DEMO_MARK
        hf.oddHeader.right.size = 10
    hf.oddFooter.center.text = "第 &P 页 共 &N 页"
    hf.oddFooter.center.size = 10


@dataclass
class LedgerRow:
    """One task and one reporting unit, with the unit's report for the period if any."""

    number: int
    title: str
    units_text: str
    measures: str
    deadline: str
    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    completion: str = "未报送"
    unit: str = ""
    reported_at: str = ""


@dataclass
class TargetRow:
    label: str
    goal: Decimal | None
    current: Decimal | None
    expected: Decimal | None
    rate: Decimal | None  # a fraction: 0.95 is 95%
    status: str
    source: str
    basis: str = ""  # what the status rests on: 截至…，快报；缺…


def write_workbook(
    stream,
    *,
    title: str,
    ledger: list[LedgerRow],
    targets: list[TargetRow],
    target_title: str,
    layout: Layout = A4,
    header: str = "",
    demo: bool = False,
) -> None:
    """The workbook in `layout`; `header` (the period) heads every printed page, and `demo`
    marks the title, every page and the file's properties as 演示数据."""
    book = Workbook(write_only=True)
    if demo:
        title, target_title = f"{title}【演示数据】", f"{target_title}【演示数据】"
        book.properties.subject = book.properties.keywords = DEMO_MARK
    _write_ledger(write_only_sheet(book, "重点任务台账"), title, ledger, layout, header, demo)
    _write_targets(write_only_sheet(book, "目标指标"), target_title, targets, layout, header, demo)
    book.save(stream)


def _title_row(sheet, title: str, columns: int):
    cell = WriteOnlyCell(sheet, value=title)
    cell.data_type = "s"
    cell.font = Font(name="宋体", bold=True, size=16)
    cell.alignment = CENTER
    sheet.row_dimensions[1].height = TITLE_POINTS
    sheet.append([cell])
    sheet.merged_cells.add(f"A1:{get_column_letter(columns)}1")


def _header_row(sheet, header: list[str], widths):
    sheet.row_dimensions[2].height = header_height(header, widths)
    cells = []
    for name in header:
        cell = text_cell(sheet, name, alignment=CENTER, bold=True)
        cell.fill = HEAD_FILL
        cells.append(cell)
    sheet.append(cells)


def _ledger_values(row: LedgerRow) -> list:
    return [
        row.number,
        row.title,
        row.units_text,
        row.measures,
        row.deadline,
        row.progress,
        row.problems,
        row.next_steps,
        row.completion,
        row.unit,
        row.reported_at,
    ]


def _task_blocks(rows: list[list]) -> list[list[list]]:
    """The rows (as _ledger_values) of each task: consecutive rows with the same 序号."""
    blocks, start = [], 0
    while start < len(rows):
        end = start
        while end + 1 < len(rows) and rows[end + 1][0] == rows[start][0]:
            end += 1
        blocks.append(rows[start : end + 1])
        start = end + 1
    return blocks


def ledger_row_heights(rows: list[LedgerRow], layout: Layout = SCREEN) -> list[float]:
    """Each row's height in `layout` (see dashboards/ledger_pages.py)."""
    table = [[values[i] for i in layout.columns] for values in map(_ledger_values, rows)]
    header = header_height([LEDGER_HEADER[i] for i in layout.columns], layout.widths)
    return [h for part in parts(_task_blocks(table), layout, header) for h in part.heights]


def _write_ledger(sheet, title: str, rows: list[LedgerRow], layout: Layout, header, demo):
    names = [LEDGER_HEADER[i] for i in layout.columns]
    table = [[values[i] for i in layout.columns] for values in map(_ledger_values, rows)]
    blocks = _task_blocks(table)
    if layout.page_room is None:  # on the screen: as wide as the text needs, within limits
        widths = ColumnWidths(names, list(layout.widths))
        for block in blocks:
            widths.see(block[0][:SHARED])  # a task's own columns, the same on each of its rows
            for values in block:
                widths.see(values[SHARED:], start=SHARED)
        layout = replace(layout, widths=tuple(widths.widths))
    _column_widths(sheet, layout.widths)  # before the first row in write-only mode
    _print_setup(sheet, layout, header=header, demo=demo)
    _title_row(sheet, title, len(names))
    _header_row(sheet, names, layout.widths)
    # One cell a column, styled once (see TextCells); 完成时限, 完成情况 and 填报时间 centred.
    centred = {LEDGER_HEADER.index(name) for name in ("完成时限", "完成情况", "填报时间")}
    columns = [NumberCells(sheet, alignment=CENTER)] + [
        TextCells(sheet, alignment=CENTER if index in centred else WRAP)
        for index in layout.columns[1:]
    ]
    # Rows of one height share one RowDimension, read when each row is written: a write-only
    # sheet takes only the row's attributes from it, and making thousands of them showed.
    dimensions, by_height = sheet.row_dimensions, {}
    merged = sheet.merged_cells.ranges
    index = 3
    for part in parts(blocks, layout, header_height(names, layout.widths)):
        if part.new_page:
            sheet.row_breaks.append(Break(id=index - 1))
        first = index
        for values, height in zip(part.rows, part.heights, strict=True):
            if height not in by_height:
                by_height[height] = dimensions[index]
                by_height[height].height = height
            dimensions[index] = by_height[height]
            sheet.append([cell(value) for cell, value in zip(columns, values, strict=True)])
            index += 1
        # A task's own columns (序号 … 完成时限) span the rows of all its units on the page.
        # The ranges never overlap: they go into the set as they are, without the check of
        # MultiCellRange.add against every range already there.
        if index - 1 > first:
            for column in range(1, SHARED + 1):
                merged.add(
                    CellRange(min_col=column, min_row=first, max_col=column, max_row=index - 1)
                )


def _write_targets(sheet, title: str, rows: list[TargetRow], layout: Layout, header, demo):
    widths = list(layout.target_widths)
    if layout.page_room is None:
        seen = ColumnWidths(TARGET_HEADER, widths)
        for row in rows:
            seen.see(
                [row.label, row.goal, row.current, row.expected, "100.0%", row.status, row.basis,
                 row.source]
            )  # fmt: skip
        widths = seen.widths
    _column_widths(sheet, widths)
    _print_setup(sheet, layout, header=header, demo=demo)
    _title_row(sheet, title, len(TARGET_HEADER))
    _header_row(sheet, TARGET_HEADER, widths)
    text_widths = [widths[0], widths[5], widths[6], widths[7]]
    for index, row in enumerate(rows, start=3):
        texts = [row.label, row.status, row.basis, row.source]
        sheet.row_dimensions[index].height = height_of(row_lines(texts, text_widths))
        sheet.append(
            [
                text_cell(sheet, row.label),
                number_cell(sheet, row.goal, "General"),
                number_cell(sheet, row.current, "General"),
                number_cell(sheet, row.expected, "General"),
                number_cell(sheet, row.rate, "0.0%"),
                text_cell(sheet, row.status, alignment=CENTER),
                text_cell(sheet, row.basis),
                text_cell(sheet, row.source),
            ]
        )


def _column_widths(sheet, widths) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
