"""Cells, styles and column widths shared by every workbook the site writes: the offline
template (reports/) and the 台账 and target exports (dashboards/). Text users typed is always
written as text: a cell that begins with = + - @, a tab or a line break could otherwise become a
formula or a link in Excel or WPS."""

import unicodedata
import weakref
from collections.abc import Callable, Iterable
from copy import copy

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


BOLD_FONT = Font(name="宋体", size=10.5, bold=True)
TOP = Alignment(vertical="top")
CENTER_TOP = Alignment(horizontal="center", vertical="top")

# A workbook's styles, one per kind of cell: openpyxl registers (and hashes) a font, border
# and alignment each time one is set on a cell, which dominated writing a large ledger. The
# first cell of a kind is styled the ordinary way; later ones copy its style indices.
_STYLES: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def _styled(cell: WriteOnlyCell, key: tuple, setup: Callable[[WriteOnlyCell], None]):
    known = _STYLES.setdefault(cell.parent.parent, {})
    style = known.get(key)
    if style is None:
        setup(cell)
        known[key] = copy(cell._style)
    else:
        cell._style = copy(style)
    return cell


def text_cell(sheet, value, *, alignment=WRAP, bold=False) -> WriteOnlyCell:
    """A cell that is text whatever the text says: never a formula, a number or a link."""
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"
    risky = cell.value.startswith(RISKY_STARTS)

    def setup(c):
        c.alignment, c.border = alignment, BORDER
        c.font = BOLD_FONT if bold else BODY_FONT
        if risky:
            c.quotePrefix = True  # Excel and WPS keep it as text when the cell is edited

    return _styled(cell, ("text", id(alignment), bold, risky), setup)


def number_cell(sheet, value, number_format: str = "General", alignment=TOP) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=None if value is None else float(value))

    def setup(c):
        c.number_format, c.border, c.font = number_format, BORDER, BODY_FONT
        c.alignment = alignment

    return _styled(cell, ("number", number_format, id(alignment)), setup)


def date_cell(sheet, value, number_format: str = "yyyy-mm-dd") -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)

    def setup(c):
        c.number_format, c.border, c.font = number_format, BORDER, BODY_FONT
        c.alignment = CENTER_TOP

    return _styled(cell, ("date", number_format), setup)


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
