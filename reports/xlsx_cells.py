"""Cells, styles and column widths shared by every workbook the site writes: the offline
template (reports/) and the 台账 and target exports (dashboards/). Text users typed is always
written as text: a cell that begins with = + - @, a tab or a line break could otherwise become a
formula or a link in Excel or WPS."""

import functools
import unicodedata
import weakref
from collections.abc import Callable, Iterable
from copy import copy

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

BODY_FONT = Font(name="宋体", size=10.5)
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
HEAD_FILL = PatternFill("solid", fgColor="E9EDF2")


class _CharacterWidths(dict):
    """Each character's width, looked up in unicodedata the first time it is seen. Wide and
    full-width characters count two, and so do the ambiguous ones (“ ” … — ° ×): Chinese
    fonts (宋体, Noto CJK) draw them full width."""

    def __missing__(self, character: str) -> int:
        width = self[character] = 2 if unicodedata.east_asian_width(character) in "WFA" else 1
        return width


_CHARACTER_WIDTHS = _CharacterWidths()


def display_width(text: str) -> int:
    """Columns a line of text needs: wide, full-width and ambiguous characters count double."""
    if text.isascii():
        return len(text)
    return sum(map(_CHARACTER_WIDTHS.__getitem__, text))


def line_widths(text: str) -> tuple[int, ...]:
    """The display width of each line of `text` (as str.splitlines splits it). A ledger repeats
    the units' names and a task's text on many rows, so a text is measured once; a long one
    is measured each time, so that the cache stays small whatever users type."""
    if len(text) > 500:
        return _line_widths(text)
    return _remembered_line_widths(text)


def _line_widths(text: str) -> tuple[int, ...]:
    return tuple(display_width(line) for line in text.splitlines())


_remembered_line_widths = functools.lru_cache(maxsize=2048)(_line_widths)


def wrapped_lines(text: str, room: float) -> int:
    """Lines `text` takes when wrapped as Excel, WPS and LibreOffice wrap it in a column with
    `room` columns for text: a Chinese character may start a new line anywhere but before a
    closing mark or after an opening one, a run of Latin letters or digits only at a space (a
    run longer than the line is cut), and each line break starts a line. An empty text takes
    one line."""
    room = max(int(room), 2)
    lines = text.splitlines() or [""]
    if len(text) > 500:
        return sum(_wrapped_line(line, room) for line in lines)
    return sum(_remembered_wrapped_line(line, room) for line in lines)


def _wrapped_line(line: str, room: int) -> int:
    if display_width(line) <= room:
        return 1
    lines, used = 1, 0
    for token in _tokens(line):
        width = display_width(token)
        if used + width <= room:
            used += width
            continue
        if used + display_width(token.rstrip()) <= room:  # spaces may hang past the edge
            used = room
            continue
        if width > room:  # a run longer than a line: cut, starting on the current line
            for character in token:
                step = _CHARACTER_WIDTHS[character]
                if used + step > room:
                    lines, used = lines + 1, 0
                used += step
            continue
        lines, used = lines + 1, width
    return lines


_remembered_wrapped_line = functools.lru_cache(maxsize=4096)(_wrapped_line)


# Marks a line may not start with, and marks it may not end with (禁则): they go with the
# character beside them to the next line.
_NO_LINE_START = frozenset("，。、；：？！”’）》」』】〉…—·%％,.;:?!)]}")
_NO_LINE_END = frozenset("“‘（《「『【〈([{")


def _tokens(line: str):
    """Where a line may wrap: after each wide character, and after a space, but never before
    a closing mark or after an opening one."""
    tokens, word = [], []
    for character in line:
        if character in _NO_LINE_START and (word or tokens):
            if word:
                word.append(character)
            else:
                tokens[-1] += character
            continue
        if word and (word[-1] in _NO_LINE_END):
            word.append(character)
            if _CHARACTER_WIDTHS[character] == 2:
                tokens.append("".join(word))
                word = []
            continue
        if _CHARACTER_WIDTHS[character] == 2:
            if word:
                tokens.append("".join(word))
                word = []
            if character in _NO_LINE_END:
                word.append(character)
            else:
                tokens.append(character)
        else:
            word.append(character)
            if character == " ":
                tokens.append("".join(word))
                word = []
    if word:
        tokens.append("".join(word))
    return tokens


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


class PreparedRowsSheet(WriteOnlyWorksheet):
    """A write-only sheet that writes a row of cells made beforehand (text_cell, TextCells…)
    as it is. openpyxl's append() first tries each cell as a value, raising and catching an
    error for every one, then makes a fresh cell after each styled one: for the 台账 that
    cost more than writing the rows out. A row holding anything else goes the ordinary way."""

    def _values_to_row(self, values, row_idx):
        if not isinstance(values, list | tuple) or not all(
            isinstance(value, Cell) for value in values
        ):
            return super()._values_to_row(values, row_idx)
        for column, cell in enumerate(values, 1):  # as openpyxl places a cell it is given
            cell.row, cell.column = row_idx, column
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
        return values


def write_only_sheet(book, title: str) -> PreparedRowsSheet:
    """A new PreparedRowsSheet at the end of a write-only workbook."""
    sheet = PreparedRowsSheet(parent=book, title=title)
    book._add_sheet(sheet)  # what Workbook.create_sheet does, for openpyxl's own kind only
    return sheet


class _PreparedCell(Cell):
    """A cell whose style is set before it is first written and never changed after: its
    style's index in the workbook is looked up once, where openpyxl hashes the style anew
    each time a cell is written."""

    __slots__ = ("_style_id",)

    def __init__(self, model: Cell):
        super().__init__(model.parent, row=1, column=1, style_array=model._style)
        self._style_id = None

    @property
    def style_id(self) -> int:
        if self._style_id is None:
            self._style_id = super().style_id
        return self._style_id


class TextCells:
    """Text cells of one style for one column of a write-only sheet, as text_cell makes them:
    called with a value, it gives the column's cell holding that value. A write-only sheet
    writes a row out as it is appended, so one cell (two: one for text that needs the quote
    prefix) serves every row of the column, styled once instead of once a row; a value the
    column repeats (a task's text on each of its units' rows) is not even set again."""

    def __init__(self, sheet, *, alignment=WRAP, bold=False):
        self._plain = _PreparedCell(text_cell(sheet, "", alignment=alignment, bold=bold))
        self._risky = _PreparedCell(text_cell(sheet, "=", alignment=alignment, bold=bold))
        self._last, self._cell = object(), self._plain

    def __call__(self, value) -> WriteOnlyCell:
        if value is self._last:
            return self._cell
        text = "" if value is None else str(value)
        cell = self._risky if text.startswith(RISKY_STARTS) else self._plain
        cell.value = text
        cell.data_type = "s"
        self._last, self._cell = value, cell
        return cell


class NumberCells:
    """Number cells of one format for one column of a write-only sheet, as number_cell makes
    them, one cell serving every row (see TextCells)."""

    def __init__(self, sheet, number_format: str = "General", alignment=TOP):
        self._cell = _PreparedCell(number_cell(sheet, None, number_format, alignment))

    def __call__(self, value) -> WriteOnlyCell:
        self._cell.value = None if value is None else float(value)
        return self._cell


class ColumnWidths:
    """Tracks the widest line written to each column, within a maximum."""

    def __init__(self, header: list[str], maxima: list[int]):
        self.maxima = maxima
        self.widths = [display_width(h) + 2 for h in header]

    def see(self, values: Iterable, start: int = 0) -> None:
        """Widen the columns from `start` on for a row's values."""
        widths, maxima = self.widths, self.maxima
        for index, value in enumerate(values, start):
            if value is None:
                continue
            longest = max(line_widths(value if type(value) is str else str(value)), default=0)
            widths[index] = min(maxima[index], max(widths[index], longest + 2))

    def apply(self, sheet) -> None:
        for index, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
