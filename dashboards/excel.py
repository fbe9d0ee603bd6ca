"""The 台账 workbook in the plan's own layout, written with openpyxl in write-only mode.

Sheet 1 is the ledger (附件：重点任务分工台账) with this period's progress beside each task and
unit; sheet 2 the targets. Text users typed is always written as text: a cell that begins with
= + - @, a tab or a line break could otherwise become a formula or a link in Excel or WPS.
Numbers stay numbers, percentages are formatted as percentages, and the sheets print on A4
landscape, fitted to the page width, with the header rows repeated on every page.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.xlsx_cells import (
    CENTER,
    HEAD_FILL,
    WRAP,
    ColumnWidths,
    NumberCells,
    TextCells,
    display_width,  # noqa: F401 (the ledger's measure, imported from here by its tests)
    line_widths,
    number_cell,
    text_cell,
    write_only_sheet,
)

LEDGER_TITLE = "南阳市创新创业行动实施方案重点任务分工台账"
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
# Widths in characters, wide (Chinese) characters counting two; long text wraps within them.
LEDGER_MAX_WIDTHS = [6, 16, 20, 48, 12, 48, 26, 26, 10, 14, 17]
TARGET_HEADER = ["指标", "目标值", "当前值", "期望值", "完成率", "状态", "依据", "原文"]
TARGET_MAX_WIDTHS = [34, 12, 12, 12, 10, 14, 30, 60]
LINE_POINTS = 14  # one line of 10.5-pt 宋体, with its spacing


def _print_setup(sheet, header_rows: str) -> None:
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = header_rows
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5


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
    stream, *, title: str, ledger: list[LedgerRow], targets: list[TargetRow], target_title: str
) -> None:
    book = Workbook(write_only=True)
    _write_ledger(write_only_sheet(book, "重点任务台账"), title, ledger)
    _write_targets(write_only_sheet(book, "目标指标"), target_title, targets)
    book.save(stream)


def _title_row(sheet, title: str, columns: int):
    cell = WriteOnlyCell(sheet, value=title)
    cell.data_type = "s"
    cell.font = Font(name="宋体", bold=True, size=16)
    cell.alignment = CENTER
    sheet.row_dimensions[1].height = 32
    sheet.append([cell])
    sheet.merged_cells.add(f"A1:{get_column_letter(columns)}1")


def _header_row(sheet, header: list[str]):
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


def lines_needed(value, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    return _lines_taken("" if value is None else str(value), max(width - 1, 1))


def _lines_taken(text: str, room: float) -> int:
    lines = line_widths(text)
    if len(lines) == 1:  # most cells hold one line
        return max(1, math.ceil(lines[0] / room))
    return sum(max(1, math.ceil(line / room)) for line in lines or (0,))


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


def ledger_row_heights(rows: list[LedgerRow], widths: list[float]) -> list[float]:
    """Row heights that show every wrapped line. Excel and WPS do not grow a row for text in
    merged cells, so a task's merged columns (序号 … 完成时限) share out their lines over the
    task's rows."""
    return _row_heights(_task_blocks([_ledger_values(row) for row in rows]), widths)


def _row_heights(blocks: list[list[list]], widths: list[float]) -> list[float]:
    rooms = [max(width - 1, 1) for width in widths]
    shared_rooms, own_rooms = rooms[:5], rooms[5:]
    heights = []
    for block in blocks:
        own = [_most_lines(values[5:], own_rooms) for values in block]
        shared = _most_lines(block[0][:5], shared_rooms)
        missing = max(0, shared - sum(own))
        for index, lines in enumerate(own):
            extra = missing // len(own) + (1 if index < missing % len(own) else 0)
            heights.append((lines + extra) * LINE_POINTS + 4)
    return heights


def _most_lines(values: list, rooms: list[float]) -> int:
    """The lines the tallest of a row's values takes, each wrapped in its own column."""
    return max(
        _lines_taken("" if value is None else str(value), room)
        for value, room in zip(values, rooms, strict=True)
    )


def _write_ledger(sheet, title: str, rows: list[LedgerRow]) -> None:
    table = [_ledger_values(row) for row in rows]
    blocks = _task_blocks(table)
    widths = ColumnWidths(LEDGER_HEADER, LEDGER_MAX_WIDTHS)
    for block in blocks:
        widths.see(block[0][:5])  # a task's own columns, the same on each of its rows
        for values in block:
            widths.see(values[5:], start=5)
    widths.apply(sheet)  # column widths must come before the first row in write-only mode
    _print_setup(sheet, "1:2")
    _title_row(sheet, title, len(LEDGER_HEADER))
    _header_row(sheet, LEDGER_HEADER)
    heights = _row_heights(blocks, widths.widths)
    # One cell a column, styled once (see TextCells); 完成时限, 完成情况 and 填报时间 centred.
    columns = [NumberCells(sheet, alignment=CENTER)] + [
        TextCells(sheet, alignment=CENTER if index in (4, 8, 10) else WRAP)
        for index in range(1, len(LEDGER_HEADER))
    ]
    spans: dict[int, list[int]] = {}
    # Rows of one height share one RowDimension, read when each row is written: a write-only
    # sheet takes only the row's attributes from it, and making thousands of them showed.
    dimensions, by_height = sheet.row_dimensions, {}
    for index, (values, height) in enumerate(zip(table, heights, strict=True), start=3):
        if height not in by_height:
            by_height[height] = dimensions[index]
            by_height[height].height = height
        dimensions[index] = by_height[height]
        sheet.append([cell(value) for cell, value in zip(columns, values, strict=True)])
        spans.setdefault(values[0], [index, index])[1] = index
    # A task's own columns (序号 … 完成时限) span the rows of all its units, as in the plan.
    for first, last in spans.values():
        if last > first:
            for column in "ABCDE":
                sheet.merged_cells.add(f"{column}{first}:{column}{last}")


def _write_targets(sheet, title: str, rows: list[TargetRow]) -> None:
    widths = ColumnWidths(TARGET_HEADER, TARGET_MAX_WIDTHS)
    for row in rows:
        widths.see(
            [row.label, row.goal, row.current, row.expected, "100.0%", row.status, row.basis,
             row.source]
        )  # fmt: skip
    widths.apply(sheet)
    _print_setup(sheet, "1:2")
    _title_row(sheet, title, len(TARGET_HEADER))
    _header_row(sheet, TARGET_HEADER)
    for row in rows:
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
