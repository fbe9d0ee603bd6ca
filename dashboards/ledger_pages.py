"""How the 台账 lies on paper: its layouts (which columns, how wide, what paper), how tall each
row must be for its wrapped text, and where the pages break.

A task's own columns (序号 … 完成时限) are merged over the rows of its units, as in the plan.
Excel and WPS do not grow a row for text in merged cells, so a task's merged text shares its
lines out over the task's rows. On paper a task's block starts on a new page when it would not
fit on the one begun; a block taller than a page is cut into parts, one a page, and each part
repeats the task's own columns, its 重点任务 marked （续）.

Heights are reckoned in lines of the body font (10.5 pt 宋体) with room for the taller lines
of Noto CJK, which LibreOffice and WPS use where 宋体 is missing; tests/office_rows.py
measures them through LibreOffice.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from reports.xlsx_cells import wrapped_lines

LINE_POINTS = 15.5  # one line of 10.5-pt text: 宋体 needs 13.5, Noto CJK about 15
ROW_PADDING = 5  # above and below a cell's text
SHARED = 5  # 序号, 重点任务, 责任单位, 推进措施, 完成时限: the task's own columns
CONTINUED = "（续）"
PAGE_SAFETY = 0.93  # suites differ in what fits: LibreOffice sets the page header inside


@dataclass(frozen=True)
class Layout:
    key: str
    columns: tuple[int, ...]  # indexes into excel.LEDGER_HEADER, the task's own five first
    widths: tuple[int, ...]  # each column's width in characters (wide ones count two)
    paper: int  # Excel's paperSize: 9 is A4, 8 is A3
    page_room: float | None  # points a page holds below its top and above its bottom margin;
    # None: the screen layout, fitted to the page width, its blocks never cut
    target_widths: tuple[int, ...]


TITLE_POINTS, HEADER_POINTS = 32, 24  # the title row; the header row at least
MARGIN_POINTS = 43.2  # 0.6 in at the top and the bottom

SCREEN = Layout(
    "screen",
    tuple(range(11)),
    (6, 16, 20, 48, 14, 48, 26, 26, 10, 14, 18),
    paper=9,
    page_room=None,
    target_widths=(34, 12, 12, 12, 10, 16, 30, 60),
)
# The columns a meeting reads: the plan's five, then 本期进展, 存在问题, 完成情况, 填报单位. At
# 100 % on A4 (0.3-inch side margins) these are 141 characters: 276 mm of the 282 there are.
A4 = Layout(
    "a4",
    (0, 1, 2, 3, 4, 5, 6, 8, 9),
    (5, 12, 12, 34, 14, 28, 14, 10, 12),
    paper=9,
    page_room=595.3 - 2 * MARGIN_POINTS,
    target_widths=(26, 9, 9, 9, 8, 12, 28, 40),
)
# Every column at 100 % on A3: 201 characters, 394 mm of the 405 there are.
A3 = Layout(
    "a3",
    tuple(range(11)),
    (5, 14, 16, 36, 14, 36, 20, 20, 10, 12, 18),
    paper=8,
    page_room=841.9 - 2 * MARGIN_POINTS,
    target_widths=(34, 12, 12, 12, 10, 16, 36, 70),
)
LAYOUTS = {layout.key: layout for layout in (A4, A3, SCREEN)}


def row_lines(values: list, widths) -> int:
    """The lines the tallest of a row's values takes, each wrapped in its own column."""
    return max(
        (
            wrapped_lines("" if value is None else str(value), text_room(width))
            for value, width in zip(values, widths, strict=True)
        ),
        default=1,
    )


def text_room(width: int) -> int:
    """The columns of text a line holds in a column `width` characters wide: a wide character
    less for the cell's padding, and a twelfth less again, as LibreOffice lays text out on the
    screen (it fits more on paper)."""
    return width - 2 - width // 12


def height_of(lines: int) -> float:
    return lines * LINE_POINTS + ROW_PADDING


@dataclass
class Part:
    """Rows of one task that lie together on one page (all of them, unless it is cut)."""

    rows: list[list]  # the rows' values in the layout's columns
    heights: list[float]
    new_page: bool = False  # a page break comes before it

    @property
    def height(self) -> float:
        return sum(self.heights)


def _heights(own: list[int], shared: int) -> list[float]:
    """Each row's height: its own lines, and the lines of the merged text the rows together
    lack, shared out from the first row on."""
    missing = max(0, shared - sum(own))
    count = len(own)
    return [
        height_of(lines + missing // count + (1 if index < missing % count else 0))
        for index, lines in enumerate(own)
    ]


def _block_height(own: list[int], shared: int) -> float:
    return max(sum(own), shared) * LINE_POINTS + len(own) * ROW_PADDING


def _continued(row: list) -> list:
    return [row[0], f"{row[1]}{CONTINUED}", *row[2:]]


def header_height(names: list[str], widths) -> float:
    """The header row's height: its names wrapped in their columns."""
    return max(HEADER_POINTS, height_of(row_lines(names, widths)))


def rows_room(layout: Layout, header: float) -> float | None:
    """Points of rows a page holds under the title and the header repeated on it."""
    if layout.page_room is None:
        return None
    return (layout.page_room - TITLE_POINTS - header) * PAGE_SAFETY


def parts(blocks: list[list[list]], layout: Layout, header: float) -> list[Part]:
    """Each task's rows (`blocks`, in the layout's columns) as the parts they are printed in,
    under a header row `header` points high."""
    shared_widths, own_widths = layout.widths[:SHARED], layout.widths[SHARED:]
    room, used, printed = rows_room(layout, header), 0.0, []
    for block in blocks:
        own = [row_lines(row[SHARED:], own_widths) for row in block]
        shared = row_lines(block[0][:SHARED], shared_widths)
        whole = _block_height(own, shared)
        if room is None or used + whole <= room:  # on the screen, or it fits where it is
            printed.append(Part(block, _heights(own, shared)))
            used += whole
        elif whole <= room or len(block) == 1:  # on a page of its own (a row is never cut)
            printed.append(Part(block, _heights(own, shared), new_page=used > 0))
            used = whole
        else:
            again = row_lines(_continued(block[0])[:SHARED], shared_widths)
            for part in _cut(block, own, shared, again, room, used):
                printed.append(part)
                used = part.height if part.new_page else used + part.height
    return printed


def _cut(block, own, shared, again, room, used) -> Iterator[Part]:
    """A block taller than a page, cut into parts that each fill what is left of a page; the
    first starts on the next page when not even its first row fits on this one. `again` is
    the lines of the task's own columns marked （续）."""
    start = 0
    while start < len(block):
        lines = again if start else shared
        new_page = start > 0 or used + _block_height(own[start : start + 1], lines) > room
        left = room if new_page else room - used
        end = start + 1
        while end < len(block) and _block_height(own[start : end + 1], lines) <= left:
            end += 1
        rows = block[start:end]
        if start:
            rows = [_continued(rows[0]), *rows[1:]]
        yield Part(
            rows, _heights(own[start:end], lines), new_page=(new_page and used > 0) or start > 0
        )
        start = end
