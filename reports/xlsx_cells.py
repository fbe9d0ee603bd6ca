"""Cells, styles and column widths shared by every workbook the site writes: the offline
template (reports/) and the 台账 and target exports (dashboards/). Text users typed is always
written as text: a cell that begins with = + - @, a tab or a line break could otherwise become a
formula or a link in Excel or WPS."""

import unicodedata
from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

BODY_FONT = Font(name="宋体", size=10.5)
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
HEAD_FILL = PatternFill("solid", fgColor="E9EDF2")


def display_width(text: str) -> int:
    """Columns a line of text needs: wide and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_cell(sheet, value, *, alignment=WRAP, bold=False) -> WriteOnlyCell:
    """A cell that is text whatever the text says: never a formula, a number or a link."""
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"
    cell.alignment, cell.border = alignment, BORDER
    cell.font = Font(name="宋体", size=10.5, bold=bold)
    if cell.value.startswith(RISKY_STARTS):
        cell.quotePrefix = True  # Excel and WPS keep it as text when the cell is edited
    return cell


def number_cell(sheet, value, number_format: str = "General") -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=None if value is None else float(value))
    cell.number_format, cell.border, cell.font = number_format, BORDER, BODY_FONT
    cell.alignment = Alignment(vertical="top")
    return cell


def date_cell(sheet, value, number_format: str = "yyyy-mm-dd") -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format, cell.border, cell.font = number_format, BORDER, BODY_FONT
    cell.alignment = Alignment(horizontal="center", vertical="top")
    return cell


class ColumnWidths:
    """Tracks the widest line written to each column, within a maximum."""

    def __init__(self, header: list[str], maxima: list[int]):
        self.maxima = maxima
        self.widths = [display_width(h) + 2 for h in header]

    def see(self, values: Iterable) -> None:
        for index, value in enumerate(values):
            if value is None:
                continue
            longest = max((display_width(line) for line in str(value).splitlines()), default=0)
            self.widths[index] = min(self.maxima[index], max(self.widths[index], longest + 2))

    def apply(self, sheet) -> None:
        for index, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
