"""Reading a 台账 as it circulates: an Excel workbook, a Word document or the plan's own text.

A 台账 reaches the plan office in many shapes. The columns are found by their names, in any
order and in the spellings offices use (推进措施 or 工作措施, 完成时限 or 时间节点), with the
spaces the seed puts in "推 进 措 施" ignored. Whatever lies above the header (a title merged
across the sheet) is not the ledger; a header repeated below it (a page's header in a table
broken over pages) and a heading merged across a row ("（一）加强科技攻关…") are skipped.

A task may take several rows: this product's own export (dashboards/excel.py) writes one row a
reporting unit with the task's five columns merged over them, and cuts a task taller than a
page into parts whose 重点任务 reads "<title>（续）". Rows that repeat a task's 序号 and text,
and its （续） parts, read back as the one task. Anything else that gives one 序号 twice is an
error naming both rows: the ledger is kept verbatim, so nothing is guessed.
"""

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext

CONTINUED = "（续）"  # as dashboards/ledger_pages.py marks a task's later parts

# Each column of the ledger and the names offices give it, the plan's own name first. When a
# header carries two of them (责任单位 and 牵头单位) the earlier name in the list is taken.
COLUMNS = {
    "number": ("序号", "编号"),
    "title": ("重点任务", "主要任务", "任务名称", "工作任务"),
    "units_text": ("责任单位", "牵头单位", "责任部门"),
    "measures": ("推进措施", "工作措施", "具体措施", "主要措施"),
    "deadline_text": ("完成时限", "时间节点", "完成时间"),
}
# A 台账 that splits its units into 牵头单位 and 配合单位 columns: the co-units follow the lead,
# as a 责任单位 cell lists them (the first leads).
CO_UNITS = ("配合单位", "协办单位", "参与单位", "协同单位")
NEEDED = ("number", "title", "units_text")  # what makes a row the header
FIELDS = ("title", "units_text", "measures", "deadline_text")  # a task's text

_SPACE = re.compile(r"\s+")
_PARAGRAPH_TAGS = re.compile(r"</?p\s*>", re.IGNORECASE)
_NAME_NOTE = re.compile(r"[（(][^（）()]*[）)]$")  # 完成时限（年月）
_NUMBER = re.compile(r"^(\d+)(?:\.0*|、)?$")


@dataclass(frozen=True)
class LedgerRow:
    number: int  # 序号
    title: str  # 重点任务
    units_text: str  # 责任单位, verbatim
    measures: str  # 推进措施, verbatim but for stray <p></p> tags
    deadline_text: str  # 完成时限
    where: str  # where it was read, for messages: 工作表“重点任务台账”第5行


class LedgerFileError(ValueError):
    """A file that cannot be read as a 台账; str(error) says why, in words for the admin."""


def read_ledger(name: str, data: bytes) -> list[LedgerRow]:
    """The tasks of the 台账 in the file `name` holding `data`, in the file's order, each once.

    Raises LedgerFileError for a kind of file it does not read, a file it cannot open, a file
    without a header row or without the 推进措施 or 完成时限 column, and for rows that do not
    make one task each (a 序号 that is no positive integer, or given twice for different
    tasks, a task without its 重点任务 or 责任单位)."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xlsx":
        grids = _xlsx_grids(data)
    elif suffix == "docx":
        grids = _docx_grids(data)
    elif suffix == "txt":
        grids = [_Grid(_text_rows(decode_text(data, LedgerFileError)), _line_where)]
    elif suffix in ("xls", "et"):
        raise LedgerFileError(
            gettext("不能读取旧版Excel文件（.xls）：请在Excel或WPS中另存为.xlsx后再上传")
        )
    elif suffix in ("doc", "wps"):
        raise LedgerFileError(
            gettext("不能读取旧版Word文件（.doc）：请在Word或WPS中另存为.docx后再上传")
        )
    else:
        raise LedgerFileError(
            gettext(
                "不支持的文件类型“%(name)s”：台账须为Excel（.xlsx）、Word（.docx）或文本（.txt）文件"
            )
            % {"name": name}
        )
    return _tasks(grids)


def decode_text(data: bytes, error: type[Exception]) -> str:
    """Text as offices save it: UTF-8 (with or without its mark), else GB18030 (Windows'
    Chinese encoding, a superset of GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # UTF-16 decodes as GB18030 too, into nonsense with NULs
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise error(gettext("无法识别文本文件的编码：请以UTF-8或GBK编码保存"))


def clean(value) -> str:
    """A cell's text: ends stripped, line breaks as \\n, stray <p></p> tags removed; the rest
    verbatim. Excel's numbers and dates are written as they read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _PARAGRAPH_TAGS.sub("", text).strip()


@dataclass
class _Grid:
    """One sheet or table: its rows as (position, cells), where a position is for messages,
    and whether it may continue the header of the grid before it."""

    rows: list[tuple[int, list[str]]]
    where: Callable[[int], str]  # a position as words: 工作表“重点任务台账”第5行
    continues: bool = False


def _xlsx_grids(data: bytes):
    from openpyxl import load_workbook

    try:
        # Not read-only: a read-only sheet does not know its merged ranges.
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl raises whatever the broken part makes it raise
        raise LedgerFileError(
            gettext("无法打开Excel文件：文件已损坏或不是.xlsx格式（%(error)s）")
            % {"error": type(error).__name__}
        ) from error
    grids = []
    for sheet in book.worksheets:
        spread = {}
        for merged in sheet.merged_cells.ranges:  # the top-left cell's value, in every cell
            value = sheet.cell(row=merged.min_row, column=merged.min_col).value
            for row in range(merged.min_row, merged.max_row + 1):
                for column in range(merged.min_col, merged.max_col + 1):
                    spread[row, column] = value
        rows = []
        for index, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append(
                (
                    index,
                    [
                        clean(spread.get((index, column), value))
                        for column, value in enumerate(cells, start=1)
                    ],
                )
            )
        grids.append(_Grid(rows, _sheet_where(sheet.title)))
    return grids


def _docx_grids(data: bytes):
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise LedgerFileError(
            gettext("无法打开Word文件：文件已损坏或不是.docx格式（%(error)s）")
            % {"error": type(error).__name__}
        ) from error
    grids = []
    for number, table in enumerate(document.tables, start=1):
        try:
            # A vertically merged cell is given in each row it spans, a horizontally merged
            # one in each column: the grid stays aligned.
            rows = [
                (index, [clean(cell.text) for cell in row.cells])
                for index, row in enumerate(table.rows, start=1)
            ]
        except Exception as error:  # a table whose rows python-docx cannot lay on its grid
            raise LedgerFileError(
                gettext("无法读取Word文件中的第%(table)s个表格：表格结构不规则（%(error)s）")
                % {"table": number, "error": type(error).__name__}
            ) from error
        grids.append(_Grid(rows, _table_where(number), continues=True))
    return grids


def _text_rows(text: str):
    return [(index, [clean(cell) for cell in line.split("\t")]) for index, line in
            enumerate(text.split("\n"), start=1)]  # fmt: skip


def _line_where(row: int) -> str:
    return gettext("第%(row)s行") % {"row": row}


def _sheet_where(sheet: str):
    return lambda row: gettext("工作表“%(sheet)s”第%(row)s行") % {"sheet": sheet, "row": row}


def _table_where(table: int):
    return lambda row: gettext("第%(table)s个表格第%(row)s行") % {"table": table, "row": row}


def _header_name(cell: str) -> str:
    return _NAME_NOTE.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", cell)))


def _header(cells: list[str]) -> dict[str, int] | None:
    """The column of each field when `cells` are a header row: one naming at least 序号,
    重点任务 and 责任单位."""
    names = [_header_name(cell) for cell in cells]
    columns = {}
    for field, variants in COLUMNS.items():
        for variant in variants:
            if variant in names:
                columns[field] = names.index(variant)
                break
    if all(field in columns for field in NEEDED):
        co = next((names.index(v) for v in CO_UNITS if v in names), None)
        if co is not None and co != columns["units_text"]:
            columns["co_units"] = co
        return columns
    return None


def _missing_columns_error(columns: dict[str, int], where: str) -> LedgerFileError:
    missing = [COLUMNS[field][0] for field in COLUMNS if field not in columns]
    return LedgerFileError(
        gettext(
            "%(where)s的表头缺少“%(columns)s”列：台账须有“序号”“重点任务”“责任单位”“推进措施”“完成时限”列"
        )
        % {"where": where, "columns": "”“".join(missing)}
    )


def _number(text: str) -> int | None:
    match = _NUMBER.match(unicodedata.normalize("NFKC", text).strip())
    if match is None or int(match[1]) < 1:
        return None
    return int(match[1])


def _tasks(grids: list[_Grid]) -> list[LedgerRow]:
    tasks: dict[int, LedgerRow] = {}
    columns, width, found_header = None, 0, False
    previous = None  # the task of the last row read
    for grid in grids:
        # A Word table without a header of its own continues the table before it when it has
        # as many columns: a 台账 broken over pages without its header repeated.
        if not (grid.continues and grid.rows and len(grid.rows[0][1]) == width):
            columns = None
        for position, cells in grid.rows:
            where = grid.where(position)
            header = _header(cells)
            if header is not None:
                if len(header) < len(COLUMNS):
                    raise _missing_columns_error(header, where)
                columns, width, found_header = header, len(cells), True
                continue
            if columns is None:
                continue  # above the header: a title, a date, the plan's text
            read = _task_row(cells, columns, where, previous)
            if read is None:
                continue
            row, continued = read
            known = tasks.get(row.number)
            if known is None:
                tasks[row.number] = previous = row
                continue
            same = all(getattr(row, field) == getattr(known, field) for field in FIELDS)
            if same and (known is previous or continued):
                previous = known  # another unit's row of the task, or a part （续）
                continue
            if same:
                message = gettext("%(where)s：序号%(number)s与%(first)s重复")
            else:
                message = gettext(
                    "%(where)s：序号%(number)s已在%(first)s用于另一项任务，两行内容不同"
                )
            raise LedgerFileError(
                message % {"where": where, "number": row.number, "first": known.where}
            )
    if not found_header:
        raise LedgerFileError(
            gettext("未找到表头：台账须有“序号”“重点任务”“责任单位”“推进措施”“完成时限”列")
        )
    if not tasks:
        raise LedgerFileError(gettext("台账中没有任务：表头下没有带序号的行"))
    return list(tasks.values())


def _task_row(cells, columns, where, previous) -> tuple[LedgerRow, bool] | None:
    """The task a row under the header gives; None for a row that gives none (blank, a
    heading merged across, a unit's own columns under a task's, the task's columns repeated
    without their 序号), with whether it is a part （续）."""
    values = {
        field: cells[column] if column < len(cells) else "" for field, column in columns.items()
    }
    if not any(values.values()):
        return None  # blank, or only a unit's own columns under a task's merged ones
    number = _number(values["number"])
    if number is None and len({cell for cell in cells if cell}) == 1:
        return None  # a heading merged across the row, or a note under the table
    if not values["number"]:
        if previous is not None and all(values[f] == getattr(previous, f) for f in FIELDS):
            return None
        raise LedgerFileError(gettext("%(where)s：缺少序号") % {"where": where})
    if number is None:
        raise LedgerFileError(
            gettext("%(where)s：序号“%(value)s”不是正整数")
            % {"where": where, "value": values["number"]}
        )
    title = values["title"]
    continued = title.endswith(CONTINUED)
    if continued:
        title = title.removesuffix(CONTINUED).rstrip()
    for field, name in (("title", "重点任务"), ("units_text", "责任单位")):
        if not (title if field == "title" else values[field]):
            raise LedgerFileError(
                gettext("%(where)s：序号%(number)s的“%(column)s”为空")
                % {"where": where, "number": number, "column": name}
            )
    units_text = values["units_text"]
    if values.get("co_units"):
        units_text = f"{units_text}、{values['co_units']}"
    row = LedgerRow(
        number=number,
        title=title,
        units_text=units_text,
        measures=values["measures"],
        deadline_text=values["deadline_text"],
        where=where,
    )
    return row, continued
