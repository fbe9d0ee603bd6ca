"""The offline Excel route for reporters (填报员): a template to fill in, and its import.

The template holds one row per task the unit owes this quarter (sheet 任务进展) and one row per
target value it reports (sheet 指标数值), pre-filled with what the unit has already written or,
for a task not yet reported this quarter, with its report of the previous quarter (报一次, not
twice). A hidden sheet _meta names the unit and the period and carries an HMAC-SHA256 of them
under SECRET_KEY, so a template edited to pose as another unit's or another quarter's is
recognised. Each data row carries its key (task id, or target id and series) in a hidden column.

The import refuses a whole file for what makes it unreadable or foreign (not an .xlsx, too large,
a ZIP bomb, macros, password protection, XML beyond what the template can hold such as a far
cell, a DTD or thousands of styles (reports/xlsx_safety.py), a forged template, another unit or
quarter, a closed period); otherwise it checks every row and lists every problem by sheet, row
and column. Numbers are read by targets/numbers.py, as in the web form. Only a file without
problems is saved, in one transaction, through tasks/workflow.py as drafts that follow the
normal workflow. Unchanged rows are left alone, so importing a file twice changes nothing the
second time.

The workbook's texts and the problems are Chinese documents, as in reports/excel.py and
tasks/workflow.py: the labels of the drop-down lists must read the same whatever language the
page is shown in.
"""

import io
import json
import re
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports import xlsx_safety
from reports.excel import (
    BORDER,
    CENTER,
    HEAD_FILL,
    WRAP,
    ColumnWidths,
    display_width,
    number_cell,
    text_cell,
)
from targets import numbers
from targets.measures import value_error
from targets.models import Target, TargetValue
from tasks import workflow
from tasks.duties import Duty, duties_for
from tasks.models import ProgressReport, ReportingPeriod, Unit, WorkflowRecord

FORMAT_VERSION = "1"
SIGNING_SALT = "reports.importing.template"

TASK_SHEET = "任务进展"
VALUE_SHEET = "指标数值"
HELP_SHEET = "填写说明"
META_SHEET = "_meta"
KEY_HEADER = "行标识（请勿修改）"
TASK_HEADER = [
    "序号",
    "重点任务",
    "工作进展",
    "完成情况",
    "完成进度（%）",
    "存在问题",
    "下步计划",
    KEY_HEADER,
]
# Column widths in characters (a Chinese character counts two): at least the minimum, so that
# the empty input columns are wide enough to type in, at most the maximum; long text wraps.
TASK_MIN_WIDTHS = [6, 16, 50, 10, 14, 30, 30, 12]
TASK_MAX_WIDTHS = [6, 30, 60, 10, 14, 36, 36, 12]
VALUE_HEADER = ["指标", "计量单位", "填报口径", "数值", "数据来源", "正式数据", "说明", KEY_HEADER]
VALUE_MIN_WIDTHS = [30, 10, 12, 14, 30, 10, 30, 12]
VALUE_MAX_WIDTHS = [44, 10, 12, 14, 36, 10, 36, 12]
META_KEYS = ("format", "plan", "unit_id", "unit_name", "period_id", "period_label")

# Limits on what is opened at all (checked before openpyxl reads a byte). They are sized on the
# largest template the plan gives a unit (市科技局: 19 tasks, 26 values, the 填写说明 sheet of 26
# rows), with room to spare, and so that the worst file they let through costs a web worker about
# a tenth of a second: two such uploads at once must not hold up the login page for everyone
# (docs/import-safety.md has the figures).
MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 200
# As much as the upload itself: 1,000 characters in every text of 市科技局's 45 rows unpack to
# about 0.5 MB.
MAX_UNCOMPRESSED = 5 * 1024 * 1024
MAX_RATIO = 100
# A small part that compresses very well (a sheet of empty styled cells) is harmless; the ratio
# is checked on parts from this size up, and MAX_UNCOMPRESSED bounds the sum of all parts.
RATIO_CHECKED_FROM = 1024 * 1024
# A sheet of the template has a few dozen rows; a row further down is not ours.
MAX_ROWS = 200
EXCEL_CELL_CHARS = 32_767  # Excel keeps no more in a cell; a longer text was not typed there
# The largest template, every row wrong in every column, has fewer problems than this; a page of
# thousands (200 rows of nonsense) would only take a worker long to render.
MAX_LISTED_PROBLEMS = 200
# What the XML may hold (reports/xlsx_safety.py). In brackets, measured on 市科技局's template
# with a comment on every row (every record submitted): as this system writes it / once
# LibreOffice has saved it. Excel and WPS were not at hand to measure.
PACKAGE_LIMITS = xlsx_safety.Limits(
    rows=MAX_ROWS,
    columns=16,  # A–P: the template uses A–H; a note beside the table passes, and is not read
    sheets=8,  # (4 / 4): a sheet of notes passes, and is not read
    strings=2_000,  # (0 / 149)
    style_elements=1_000,  # (142 / 231)
    elements=6_000,  # (2,076 / 2,988)
    settings=3_000,  # (1,175 / 1,540)
    setting_chars=64 * 1024,  # (19,245 / 24,534)
    references=300,  # (58 / 13)
    formula_chars=20_000,  # (0 / 0: a formula is refused, cell by cell, when the rows are read)
    depth=32,  # (9 at most)
)

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
YES, NO = "是", "否"
GREY_FILL = PatternFill("solid", fgColor="E7E7E7")
QUOTED_IN_FORMAT = re.compile(r'"[^"]*"|\\.')
NOT_OURS = "不是本系统导出的模板或模板已被改动，请重新下载模板后填写。"

Status = WorkflowRecord.Status
VALUE_FIELD = TargetValue._meta.get_field("value")


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (or row) of the uploaded file."""

    sheet: str
    row: int
    column: str
    message: str


class ImportRefused(Exception):
    """The file is refused and nothing is saved; `problems` lists the rows at fault, if any."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows left entirely empty


# --- the template --------------------------------------------------------------------------


def template_filename(unit: Unit, period: ReportingPeriod) -> str:
    return f"{unit.name}{period.label}填报模板.xlsx"


def _completion_labels() -> dict[str, str]:
    """未启动 → not_started …: the labels the drop-down list offers, in Chinese."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in ProgressReport.Completion.choices}


def _task_key(duty: Duty) -> str:
    return f"task:{duty.subject.pk}"


def _value_key(duty: Duty) -> str:
    return f"target:{duty.subject.pk}:{duty.series}"


def _target_label(duty: Duty) -> str:
    target = duty.subject
    if duty.series == TargetValue.Series.BENCHMARK:
        return f"{target.label}（对标基准值：{target.benchmark_label}）"
    return target.label


def _text(sheet, value, *, locked: bool = False) -> Cell:
    """An input cell: text kept as text (reports/excel.text_cell), or an empty bordered cell."""
    if value in (None, ""):
        cell = Cell(sheet)
        cell.border, cell.alignment = BORDER, WRAP
    else:
        cell = text_cell(sheet, str(value).replace("\r\n", "\n"))
    if locked:
        cell.fill = GREY_FILL
    return cell


def _read_only(sheet, value, *, alignment=WRAP) -> Cell:
    cell = text_cell(sheet, value, alignment=alignment)
    cell.fill = GREY_FILL
    return cell


def _header(sheet, names: list[str], widths: ColumnWidths, minima: list[int]) -> None:
    widths.widths = [max(width, least) for width, least in zip(widths.widths, minima, strict=True)]
    cells = []
    for name in names:
        cell = text_cell(sheet, name, alignment=CENTER, bold=True)
        cell.fill = HEAD_FILL
        cells.append(cell)
    sheet.append(cells)
    widths.apply(sheet)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions[get_column_letter(len(names))].hidden = True  # the row key
    # A printed copy: A4 landscape, one page wide, the header on every page.
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", 9
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _fit_rows(sheet, widths: list[int]) -> None:
    """Row heights for the pre-filled text: openpyxl cannot measure text, and Excel and WPS
    do not grow a row to its wrapped text until the cell is edited."""
    for row in sheet.iter_rows(min_row=2):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                per_line = max(width - 1, 1)
                parts = cell.value.split("\n")
                lines = max(lines, sum(-(-display_width(p) // per_line) or 1 for p in parts))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(15 * lines, 300)


def _locked_note(duty: Duty) -> Comment | None:
    if duty.record is None or duty.record.is_editable:
        return None
    return Comment(f"本项{duty.record.get_status_display()}，不能通过导入修改。", "系统")


def _write_tasks(sheet, duties: list[Duty], unit: Unit, period: ReportingPeriod) -> None:
    rows = []
    for duty in duties:
        source = duty.record
        if source is None and duty.has_previous:
            source = workflow.previous_report(task=duty.subject, unit=unit, period=period)
        rows.append((duty, source))
    widths = ColumnWidths(TASK_HEADER, TASK_MAX_WIDTHS)
    for duty, source in rows:
        widths.see([duty.subject.number, duty.subject.title, *_task_texts(source)])
    _header(sheet, TASK_HEADER, widths, TASK_MIN_WIDTHS)
    for duty, source in rows:
        locked = duty.record is not None and not duty.record.is_editable
        number = number_cell(sheet, duty.subject.number, "0")
        number.alignment, number.fill = CENTER, GREY_FILL
        title = _read_only(sheet, duty.subject.title)
        title.comment = _locked_note(duty)
        percent = number_cell(sheet, source.percent if source else None, "0")
        percent.alignment = CENTER
        if locked:
            percent.fill = GREY_FILL
        completion = source.get_completion_display() if source else None
        sheet.append(
            [
                number,
                title,
                _text(sheet, source.progress if source else None, locked=locked),
                _text(sheet, completion, locked=locked),
                percent,
                _text(sheet, source.problems if source else None, locked=locked),
                _text(sheet, source.next_steps if source else None, locked=locked),
                text_cell(sheet, _task_key(duty)),
            ]
        )
    _fit_rows(sheet, widths.widths)
    last = len(rows) + 1
    if last < 2:
        return
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(_completion_labels()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成情况",
        error="请从下拉列表中选择：" + "、".join(_completion_labels()) + "。",
        showInputMessage=True,
        promptTitle="完成情况",
        prompt="请从下拉列表中选择。",
    )
    percent_rule = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成进度（%）",
        error="请填写 0 到 100 的整数，不带百分号。",
        showInputMessage=True,
        promptTitle="完成进度（%）",
        prompt="0 到 100 的整数，如 60。",
    )
    for rule, column in ((choices, "D"), (percent_rule, "E")):
        sheet.add_data_validation(rule)
        rule.add(f"{column}2:{column}{last}")


def _task_texts(source: ProgressReport | None) -> list:
    if source is None:
        return ["", "", "", "", ""]
    return [
        source.progress,
        source.get_completion_display(),
        source.percent,
        source.problems,
        source.next_steps,
    ]


def _write_values(sheet, duties: list[Duty]) -> None:
    widths = ColumnWidths(VALUE_HEADER, VALUE_MAX_WIDTHS)
    for duty in duties:
        record = duty.record
        widths.see(
            [
                _target_label(duty),
                duty.subject.value_measure,
                duty.subject.entry_label,
                record.value if record else None,
                record.data_source if record else None,
                YES,
                record.remarks if record else None,
            ]
        )
    _header(sheet, VALUE_HEADER, widths, VALUE_MIN_WIDTHS)
    amount = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值",
        error="请填写不小于 0 的数字。",
    )
    share = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值",
        error="百分比请填写 0 到 100 之间的数字，不带百分号，如 2.35。",
    )
    final = DataValidation(
        type="list",
        formula1=f'"{YES},{NO}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="正式数据",
        error="请选择“是”（正式数据）或“否”（快报数据）。",
    )
    for row, duty in enumerate(duties, start=2):
        record = duty.record
        locked = record is not None and not record.is_editable
        label = _read_only(sheet, _target_label(duty))
        label.comment = _locked_note(duty)
        value = number_cell(sheet, record.value if record else None)
        if locked:
            value.fill = GREY_FILL
        is_final = None if record is None else (YES if record.is_final else NO)
        sheet.append(
            [
                label,
                _read_only(sheet, duty.subject.value_measure, alignment=CENTER),
                _read_only(sheet, duty.subject.entry_label, alignment=CENTER),
                value,
                _text(sheet, record.data_source if record else None, locked=locked),
                _text(sheet, is_final, locked=locked),
                _text(sheet, record.remarks if record else None, locked=locked),
                text_cell(sheet, _value_key(duty)),
            ]
        )
        (share if duty.subject.value_measure == Target.Measure.PERCENT else amount).add(f"D{row}")
        final.add(f"F{row}")
    _fit_rows(sheet, widths.widths)
    for rule in (amount, share, final):
        if rule.sqref.ranges:
            sheet.add_data_validation(rule)


HELP_LINES = [
    "一、怎么填",
    "1. 只在白色单元格中填写；灰色的序号、重点任务、指标、计量单位、填报口径不用改。",
    "2. “任务进展”：每项任务一行。填写了一行就必须写明“工作进展”；",
    "   “完成情况”从下拉列表中选择（{labels}）；",
    "   “完成进度（%）”填 0 到 100 的整数，如 60。",
    "3. “指标数值”：按“填报口径”填写——“期末值”填本季度末的数值，",
    "   “本季度新增”填本季度新增的量；百分比只填数字，如 2.35 表示 2.35%；",
    "   家、项、个、名 填整数；金额最多两位小数。",
    "4. 填了数值就必须写明“数据来源”（如统计部门、认定文件）；",
    "   “正式数据”选“是”或“否”（快报数），留空按“否”。",
    "5. 模板已预填本季度已保存的内容；本季度还没有填报的任务预填上季度的报告，",
    "   请按本季度实际修改。",
    "6. 不需要填报的行整行留空即可，导入时跳过。",
    "",
    "二、注意",
    "1. 不要使用公式，直接填写内容或数值。",
    "2. 不要插入、删除或移动行和列，不要修改工作表名称和隐藏的“行标识”列。",
    "3. 只能导入本单位、本季度的模板；文件须保存为 .xlsx 格式，不要设置密码。",
    "4. 已报送或已审核的项目（灰色）不能通过导入修改；如需修改，请联系审核员退回。",
    "5. 文件有任何一处问题，整份文件都不会导入，",
    "   页面会逐条列出问题所在的工作表、行号和列名。",
    "6. 导入后的内容为草稿，请到系统“我的填报”中核对，并逐项报送。",
]


def _write_help(sheet, unit: Unit, period: ReportingPeriod) -> None:
    sheet.column_dimensions["A"].width = 100
    title = Cell(sheet, value=f"{unit.name} · {period.label} 填报模板")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    due = period.due_on
    sheet.append([f"报送截止日期：{due.year}年{due.month}月{due.day}日。"])
    sheet.append([])
    labels = "、".join(_completion_labels())
    for line in HELP_LINES:
        cell = Cell(sheet, value=line.format(labels=labels))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line[:2] in ("一、", "二、"):
            cell.font = Font(bold=True)
        sheet.append([cell])


def _signature(fields: Sequence[str], secret=None) -> str:
    payload = json.dumps(list(fields), ensure_ascii=False, separators=(",", ":"))
    return salted_hmac(SIGNING_SALT, payload, secret=secret, algorithm="sha256").hexdigest()


def template_meta(unit: Unit, period: ReportingPeriod) -> dict[str, str]:
    """What the hidden _meta sheet says, with its signature."""
    meta = {
        "format": FORMAT_VERSION,
        "plan": period.plan.code,
        "unit_id": str(unit.pk),
        "unit_name": unit.name,
        "period_id": str(period.pk),
        "period_label": period.label,
    }
    meta["signature"] = _signature([meta[key] for key in META_KEYS])
    return meta


def _write_meta(sheet, unit: Unit, period: ReportingPeriod) -> None:
    for key, value in template_meta(unit, period).items():
        sheet.append([text_cell(sheet, key), text_cell(sheet, value)])
    sheet.sheet_state = "hidden"


def build_template(*, unit: Unit, period: ReportingPeriod) -> bytes:
    """The .xlsx a unit's reporter fills in for the period (see the module's docstring)."""
    with translation.override("zh-hans"):
        duties = duties_for(unit, period)
        book = Workbook()
        tasks = book.active
        tasks.title = TASK_SHEET
        _write_tasks(tasks, [d for d in duties if d.kind == "task"], unit, period)
        _write_values(book.create_sheet(VALUE_SHEET), [d for d in duties if d.kind == "target"])
        _write_help(book.create_sheet(HELP_SHEET), unit, period)
        _write_meta(book.create_sheet(META_SHEET), unit, period)
        book.properties.title = template_filename(unit, period).removesuffix(".xlsx")
        book.properties.creator = "南阳市创新创业行动推进系统"
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()


# --- checking the file as a whole ----------------------------------------------------------


def _display_name(name: str) -> str:
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:100] or "文件"


def too_big_message(name: str) -> str:
    return f"“{_display_name(name)}”超过 {MAX_BYTES // (1024 * 1024)} MB，不是本系统的填报模板。"


def check_package(name: str, data: bytes) -> None:
    """Refuse (ImportRefused) what is not a plain .xlsx safe to open, before openpyxl opens it.

    The sizes checked are those the ZIP directory declares: zipfile stops reading a part at its
    declared size (and then fails on the checksum), so a part cannot unpack to more than that.
    Then every part is read once, in chunks, against PACKAGE_LIMITS (reports/xlsx_safety.py), so
    that openpyxl is only ever given a file whose work is bounded by what the template holds.
    """
    shown = _display_name(name)
    own = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()  # shown may be cut short
    extension = own.rsplit(".", 1)[-1].lower() if "." in own else ""
    if extension in ("xlsm", "xltm", "xlsb"):
        raise ImportRefused(
            f"“{shown}”是含宏的 Excel 文件（.{extension}），不能导入。"
            "请使用本系统下载的 .xlsx 模板填写。"
        )
    if extension != "xlsx":
        raise ImportRefused(
            f"只能导入 .xlsx 格式的 Excel 文件（本系统下载的模板），“{shown}”不是。"
            "如为 .xls 或 .csv，请用本系统的模板重新填写。"
        )
    if not data:
        raise ImportRefused(f"“{shown}”是空文件。")
    if len(data) > MAX_BYTES:
        raise ImportRefused(too_big_message(name))
    if data.startswith(OLE):
        # Excel keeps a password-protected workbook in an OLE compound file whose streams are
        # named EncryptionInfo and EncryptedPackage; a plain OLE file is an old .xls.
        raise ImportRefused(
            f"“{shown}”设置了打开密码（已加密），系统无法读取。请在 Excel 中取消密码"
            "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）并另存为 .xlsx 后再导入。"
            if "EncryptedPackage".encode("utf-16-le") in data
            else f"“{shown}”设置了密码保护或是旧版 .xls 格式，系统无法读取。"
            "请取消密码并另存为 .xlsx 后再导入。"
        )
    if not data.startswith(ZIP):
        raise ImportRefused(f"“{shown}”不是有效的 .xlsx 文件，请使用本系统下载的模板。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ImportRefused(f"“{shown}”包含的部件过多（{len(entries)} 个），已拒绝。")
            if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
                raise ImportRefused(
                    f"“{shown}”解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，已拒绝。"
                )
            for entry in entries:
                if entry.file_size >= RATIO_CHECKED_FROM and (
                    entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
                ):
                    raise ImportRefused(f"“{shown}”的压缩比异常（疑似压缩炸弹），已拒绝。")
                if entry.flag_bits & 0x1:
                    raise ImportRefused(f"“{shown}”已加密，系统无法读取，请取消密码后再导入。")
                if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    # Excel and WPS only deflate; bzip2 and LZMA unpack several times slower.
                    raise ImportRefused(
                        f"“{shown}”使用了 Excel 不使用的压缩方式，已拒绝。请使用本系统下载的模板。"
                    )
            names = {e.filename for e in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ImportRefused(f"“{shown}”含有宏（VBA），已拒绝。请使用本系统下载的模板。")
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise ImportRefused(f"“{shown}”不是有效的 .xlsx 文件，请使用本系统下载的模板。")
            if b"macroEnabled" in package.read("[Content_Types].xml"):
                raise ImportRefused(f"“{shown}”是含宏的工作簿，已拒绝。请使用本系统下载的模板。")
            xlsx_safety.check_parts(package, PACKAGE_LIMITS, shown=shown)
    except xlsx_safety.UnsafePackage as error:
        raise ImportRefused(error.message) from error
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        RuntimeError,
        ValueError,
        EOFError,
        NotImplementedError,
        zlib.error,
    ) as error:
        raise ImportRefused(f"“{shown}”已损坏，无法打开。") from error


# --- reading the workbook ------------------------------------------------------------------


@dataclass(frozen=True)
class CellValue:
    """A cell as the file holds it: never a formula's result (formulas are not evaluated)."""

    value: object
    data_type: str = "n"  # "f" formula, "e" error, "s" text, "n" number, "b" boolean, "d" date
    number_format: str = "General"

    @property
    def is_blank(self) -> bool:
        if self.data_type in ("f", "e"):
            return False
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list[CellValue]]] = field(default_factory=list)


@dataclass
class ParsedTemplate:
    meta: dict[str, str]
    tasks: Sheet
    values: Sheet


def _cell(raw) -> CellValue:
    try:
        number_format = raw.number_format or "General"
    except (IndexError, KeyError, AttributeError):
        number_format = "General"
    return CellValue(raw.value, raw.data_type or "n", number_format)


def _read_sheet(book, name: str, header: list[str]) -> Sheet:
    if name not in book.sheetnames:
        raise ImportRefused(f"找不到工作表“{name}”：{NOT_OURS}")
    worksheet = book[name]
    sheet = Sheet(name)
    # Never further than the template reaches, whatever the file's <dimension> says: without
    # max_row openpyxl makes every empty row up to the last one filled. check_package has
    # refused any file with a row or column beyond these.
    rows = worksheet.iter_rows(max_row=MAX_ROWS, max_col=len(header))
    for number, raw_row in enumerate(rows, start=1):
        cells = [_cell(raw) for raw in raw_row]
        cells += [CellValue(None)] * (len(header) - len(cells))
        if number == 1:
            found = [str(c.value).strip() if c.value is not None else "" for c in cells]
            if found != header:
                raise ImportRefused(
                    f"工作表“{name}”的表头与模板不一致：请不要插入、删除或移动列，"
                    "用本系统下载的模板填写。"
                )
            continue
        if all(c.is_blank for c in cells):
            continue
        sheet.rows.append((number, cells))
    return sheet


def _read_meta(book) -> dict[str, str]:
    if META_SHEET not in book.sheetnames:
        raise ImportRefused(NOT_OURS)
    meta = {}
    for key, value in book[META_SHEET].iter_rows(max_row=20, max_col=2, values_only=True):
        if isinstance(key, str):
            meta[key] = "" if value is None else str(value)
    return meta


def read_template(data: bytes) -> ParsedTemplate:
    """The meta and the filled rows of a package check_package has accepted."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (e.g. WPS's); they carry no data we read.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                 keep_links=False)  # fmt: skip
            try:
                return ParsedTemplate(
                    meta=_read_meta(book),
                    tasks=_read_sheet(book, TASK_SHEET, TASK_HEADER),
                    values=_read_sheet(book, VALUE_SHEET, VALUE_HEADER),
                )
            finally:
                book.close()
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises anything from KeyError to XML errors
        raise ImportRefused("文件无法读取，可能已损坏。请用本系统下载的模板重新填写。") from error


def check_meta(meta: dict[str, str], *, unit: Unit, period: ReportingPeriod) -> None:
    """The template is ours, unaltered, and for this unit and period; else ImportRefused."""
    fields = [meta.get(key) for key in META_KEYS]
    signature = meta.get("signature") or ""
    if None in fields or not signature:
        raise ImportRefused(NOT_OURS)
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(signature, _signature(fields, s)) for s in secrets):
        raise ImportRefused(NOT_OURS)
    if meta["format"] != FORMAT_VERSION:
        raise ImportRefused("模板格式已更新，请重新下载模板后填写。")
    if meta["plan"] != period.plan.code:
        raise ImportRefused("这是其他行动方案的模板，请下载本方案的模板。")
    if meta["unit_id"] != str(unit.pk):
        raise ImportRefused(
            f"这是{meta['unit_name']}的模板，不能用来导入{unit.name}的数据。请下载本单位的模板。"
        )
    if meta["period_id"] != str(period.pk):
        raise ImportRefused(
            f"模板属于{meta['period_label']}，当前选择的是{period.label}。"
            f"请选择{meta['period_label']}后再导入，或下载{period.label}的模板。"
        )


# --- checking the rows ---------------------------------------------------------------------


@dataclass
class Change:
    """A filled row: the duty it answers and the content it gives."""

    duty: Duty
    content: dict
    row: int


class _Row:
    """Collects the problems of one row while its cells are read."""

    def __init__(self, sheet: str, number: int, header: list[str], cells: list[CellValue]):
        self.sheet, self.number, self.header, self.cells = sheet, number, header, cells
        self.problems: list[Problem] = []

    def problem(self, column: int, message: str) -> None:
        self.problems.append(Problem(self.sheet, self.number, self.header[column], message))

    def plain(self, column: int) -> CellValue | None:
        """The cell, or None (with a problem) when it holds a formula or an error value."""
        cell = self.cells[column]
        if cell.data_type == "f":
            self.problem(column, "不能使用公式，请直接填写内容或数值。")
            return None
        if cell.data_type == "e":
            self.problem(column, f"单元格是错误值（{cell.value}），请直接填写内容。")
            return None
        return cell

    def text(self, column: int, *, max_length: int = EXCEL_CELL_CHARS) -> str | None:
        cell = self.plain(column)
        if cell is None:
            return None
        text = _as_text(cell.value)
        if len(text) > max_length:
            self.problem(column, f"最多 {max_length} 个字，现有 {len(text)} 个字。")
            return None
        return text


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat().removesuffix("T00:00:00")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _as_number(cell: CellValue, *, percent: bool, max_digits: int, decimal_places: int) -> Decimal:
    """The number in a cell (targets/numbers.parse_number), or ValidationError in Chinese.

    A number typed as 60% or 2.35% in Excel is stored as 0.6 or 0.0235 in a percent-formatted
    cell (a "%" in quotes or after a backslash is a literal sign and does not scale it); such a
    cell is read as Excel shows it, and only where the column is a percentage.
    """
    value = cell.value
    if cell.data_type == "d":
        raise ValidationError(numbers.NOT_A_NUMBER)
    shown_as_percent = "%" in QUOTED_IN_FORMAT.sub("", cell.number_format or "")
    return numbers.parse_number(
        value,
        max_digits=max_digits,
        decimal_places=decimal_places,
        percent=percent,
        from_fraction=shown_as_percent and isinstance(value, int | float | Decimal),
    )


def _parse_key(value) -> tuple[str, int, str] | None:
    """("task", id, "actual") or ("target", id, series) from a hidden row key."""
    parts = str(value or "").strip().split(":")
    if len(parts) == 2 and parts[0] == "task" and parts[1].isdecimal():
        return ("task", int(parts[1]), TargetValue.Series.ACTUAL)
    if (
        len(parts) == 3
        and parts[0] == "target"
        and parts[1].isdecimal()
        and parts[2] in TargetValue.Series.values
    ):
        return ("target", int(parts[1]), parts[2])
    return None


def _duty_for_row(row: _Row, kind: str, duties: dict, seen: dict) -> Duty | None:
    key_column = len(row.header) - 1
    cell = row.plain(key_column)
    if cell is None:
        return None
    parsed = _parse_key(cell.value)
    if parsed is None or parsed[0] != kind:
        row.problem(
            key_column,
            "行标识缺失或无效：请不要插入新行或修改隐藏的行标识列，只在模板已有的行中填写。",
        )
        return None
    duty = duties.get(parsed)
    if duty is None:
        what = "任务" if kind == "task" else "指标"
        row.problem(key_column, f"本单位本期不负责填报这项{what}，不能导入。")
        return None
    if parsed in seen:
        row.problem(key_column, f"与第 {seen[parsed]} 行是同一项，每项只能填一行。")
        return None
    seen[parsed] = row.number
    return duty


def _task_content(row: _Row) -> dict | None:
    labels = _completion_labels()
    progress = row.text(2)
    if progress == "":
        row.problem(2, "请填写工作进展。")
    completion_text = row.text(3)
    completion = labels.get(completion_text or "")
    if completion_text is not None and completion is None:
        row.problem(3, "请从下拉列表中选择：" + "、".join(labels) + "。")
    percent = None
    cell = row.plain(4)
    if cell is not None:
        try:
            number = _as_number(cell, percent=True, max_digits=3, decimal_places=0)
        except ValidationError:
            number = None  # one message says it all for this column
        if number is None or not 0 <= number <= 100:
            row.problem(4, "完成进度应为 0 到 100 的整数。")
        else:
            percent = int(number)
    issues, next_steps = row.text(5), row.text(6)
    if row.problems:
        return None
    return {
        "progress": progress,
        "completion": completion,
        "percent": percent,
        "problems": issues,
        "next_steps": next_steps,
    }


def _value_content(row: _Row, measure: str) -> dict | None:
    """The content of a value row; `measure` is "" when the row's target is unknown."""
    value = None
    cell = row.plain(3)
    if cell is not None:
        if cell.is_blank:
            row.problem(3, "请填写数值。")
        else:
            try:
                number = _as_number(
                    cell,
                    percent=measure == Target.Measure.PERCENT,
                    max_digits=VALUE_FIELD.max_digits,
                    decimal_places=VALUE_FIELD.decimal_places,
                )
            except ValidationError as error:
                row.problem(3, " ".join(error.messages))
            else:
                error = value_error(measure, number)
                if error:
                    row.problem(3, error)
                else:
                    value = number
    data_source = row.text(4, max_length=200)
    if data_source == "":
        row.problem(4, "请注明数据来源，如统计部门、认定文件。")
    final_text = row.text(5)
    if final_text not in (None, "", YES, NO):
        row.problem(5, f"请填写“{YES}”（正式数据）或“{NO}”（快报数据）。")
    remarks = row.text(6)
    if row.problems:
        return None
    return {
        "value": value,
        "data_source": data_source,
        "is_final": final_text == YES,
        "remarks": remarks,
    }


COLUMN_OF = {
    "progress": "工作进展",
    "completion": "完成情况",
    "percent": "完成进度（%）",
    "problems": "存在问题",
    "next_steps": "下步计划",
    "value": "数值",
    "data_source": "数据来源",
    "is_final": "正式数据",
    "remarks": "说明",
}


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    return a == b


def _first_difference(record, content: dict) -> str | None:
    """The first content field in which the row differs from the stored record, if any."""
    for name in record.CONTENT_FIELDS:
        if not _same(getattr(record, name), content[name]):
            return name
    return None


def _locked_message(record) -> str:
    if record.status == Status.APPROVED:
        return "已报送并已审核通过，不能通过导入修改。"
    return "已报送，不能通过导入修改；如需修改，请联系审核员退回后再导入。"


def check_rows(parsed: ParsedTemplate, duties: list[Duty]) -> tuple[list[Change], list[Problem]]:
    """Every filled row as a change, and every problem found; runs no queries.

    A row whose input cells are all empty is skipped. A row is checked cell by cell even when
    its key is wrong, so that one pass lists everything to fix. A row for a record already
    submitted or approved may stand as it is, but not differ from what was submitted.
    """
    by_key = {(d.kind, d.subject.pk, d.series): d for d in duties}
    changes: list[Change] = []
    problems: list[Problem] = []
    for kind, sheet, header in (
        ("task", parsed.tasks, TASK_HEADER),
        ("target", parsed.values, VALUE_HEADER),
    ):
        seen: dict = {}
        for number, cells in sheet.rows:
            inputs = cells[2:7] if kind == "task" else cells[3:7]
            if all(c.is_blank for c in inputs):
                continue
            row = _Row(sheet.name, number, header, cells)
            duty = _duty_for_row(row, kind, by_key, seen)
            if kind == "task":
                content = _task_content(row)
            else:
                content = _value_content(row, duty.subject.value_measure if duty else "")
            record = duty.record if duty else None
            if record is not None and content is not None and not record.is_editable:
                differs = _first_difference(record, content)
                if differs:
                    row.problem(header.index(COLUMN_OF[differs]), _locked_message(record))
            problems += row.problems
            if not row.problems:
                changes.append(Change(duty, content, number))
    return changes, problems


# --- the import ----------------------------------------------------------------------------


def import_template(
    *, name: str, data: bytes, unit: Unit, period: ReportingPeriod, user
) -> ImportSummary:
    """Save a filled template as drafts, all rows or none (see the module's docstring).

    The file is checked and read before the transaction starts; what the unit owes is read and
    every row checked and saved inside it, so the rows are compared with what is stored.
    """
    if period.is_closed:
        raise ImportRefused(
            f"{period.label}已关闭，不能导入。如需逾期补报，请在“我的填报”中逐项填报。"
        )
    check_package(name, data)
    parsed = read_template(data)
    check_meta(parsed.meta, unit=unit, period=period)
    try:
        with transaction.atomic(), translation.override("zh-hans"):
            changes, problems = check_rows(parsed, duties_for(unit, period))
            if problems:
                message = f"文件中有 {len(problems)} 处问题，没有导入任何内容。"
                if len(problems) > MAX_LISTED_PROBLEMS:
                    message += f"以下列出前 {MAX_LISTED_PROBLEMS} 处。"
                raise ImportRefused(message, problems[:MAX_LISTED_PROBLEMS])
            summary = ImportSummary(skipped=_empty_rows(parsed, changes))
            for change in changes:
                _apply(change, summary, unit=unit, period=period, user=user)
    except workflow.StaleVersionError as error:
        raise ImportRefused(
            "导入期间本单位有人修改了其中的报告，没有导入任何内容。请稍后重新导入。"
        ) from error
    except (workflow.WorkflowError, PermissionDenied) as error:
        raise ImportRefused(f"没有导入任何内容：{error}") from error
    except ValidationError as error:
        raise ImportRefused("没有导入任何内容：" + "；".join(error.messages)) from error
    return summary


def _empty_rows(parsed: ParsedTemplate, changes: list[Change]) -> int:
    """Rows of the template whose input cells the user left empty."""
    return len(parsed.tasks.rows) + len(parsed.values.rows) - len(changes)


def _apply(change: Change, summary: ImportSummary, *, unit, period, user) -> None:
    duty, record = change.duty, change.duty.record
    if record is None:
        if duty.kind == "task":
            workflow.create_report(
                task=duty.subject, unit=unit, period=period, user=user, content=change.content
            )
        else:
            workflow.create_value(
                target=duty.subject,
                unit=unit,
                period=period,
                user=user,
                series=duty.series,
                content=change.content,
            )
        summary.created += 1
        return
    if _first_difference(record, change.content) is None:
        summary.unchanged += 1
        return
    saved = workflow.save_record(
        record=record, user=user, content=change.content, version=record.version
    )
    if saved.version == record.version:
        summary.unchanged += 1
    else:
        summary.updated += 1
