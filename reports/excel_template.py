"""Writing the offline Excel template a unit fills in (reports/template_format.py names its
sheets and columns): one row per task and target value owed this quarter, pre-filled, with
drop-down lists, allowed ranges and locked grey columns.

The two data sheets are protected without a password: Excel, WPS and LibreOffice refuse typing
in a grey cell (序号, 重点任务, 指标, 计量单位, the hidden 行标识, the header, a record already
submitted) and take it in a white one, whose cells are the only unlocked ones. No password,
because one that every unit must be told is no secret, and one that is not told locks a unit
out of its own file: a reporter who must can lift the protection from the menu (填写说明 says
how), and the import never reads the grey columns but the row key, which it checks."""

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports import workflow
from reports.duties import Duty, duties_for
from reports.models import ProgressReport, TargetValue
from reports.template_format import (
    FORM_WORDS,
    HELP_SHEET,
    META_SHEET,
    QUALITY_WORDS,
    TASK_HEADER,
    TASK_MAX_WIDTHS,
    TASK_MIN_WIDTHS,
    TASK_SHEET,
    VALUE_HEADER,
    VALUE_MAX_WIDTHS,
    VALUE_MIN_WIDTHS,
    VALUE_SHEET,
    completion_labels,
    task_key,
    template_filename,
    template_meta,
    value_key,
)
from reports.xlsx_cells import (
    BORDER,
    CENTER,
    HEAD_FILL,
    WRAP,
    ColumnWidths,
    date_cell,
    display_width,
    number_cell,
    text_cell,
)
from tasks.models import ReportingPeriod, Unit

GREY_FILL = PatternFill("solid", fgColor="E7E7E7")
# Every cell is locked unless unlocked (Excel's default, and openpyxl's); a white input cell is.
UNLOCKED = Protection(locked=False)


def _target_label(duty: Duty) -> str:
    target = duty.subject
    if duty.series == TargetValue.Series.BENCHMARK:
        return f"{target.label}（对标基准值：{target.benchmark_label}）"
    return target.label


def _text(sheet, value, *, locked: bool = False) -> Cell:
    """An input cell: text kept as text (reports/excel.text_cell), or an empty bordered cell;
    grey and locked for a record the import may not change."""
    if value in (None, ""):
        cell = Cell(sheet)
        cell.border, cell.alignment = BORDER, WRAP
    else:
        cell = text_cell(sheet, str(value).replace("\r\n", "\n"))
    return _input(cell, locked=locked)


def _input(cell: Cell, *, locked: bool) -> Cell:
    if locked:
        cell.fill = GREY_FILL
    else:
        cell.protection = UNLOCKED
    return cell


def _protect(sheet) -> None:
    """Sheet protection without a password (see the module's docstring). What stays allowed:
    selecting any cell (to read or copy a grey one), column widths and row heights (formatting
    a column or a row: resizing, hiding, showing). Formatting cells, inserting or deleting rows
    and columns, sorting and filtering stay refused: the import reads rows by their place and
    their hidden key. Data validations work on the unlocked cells as on an unprotected sheet."""
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False  # False: not protected, allowed
    protection.selectLockedCells = protection.selectUnlockedCells = False


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
        _input(percent, locked=locked)
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
                text_cell(sheet, task_key(duty)),
            ]
        )
    _fit_rows(sheet, widths.widths)
    _protect(sheet)
    last = len(rows) + 1
    if last < 2:
        return
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(completion_labels()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成情况",
        error="请从下拉列表中选择：" + "、".join(completion_labels()) + "。",
        showInputMessage=True,
        promptTitle="完成情况",
        prompt="请从下拉列表中选择。",
    )
    percent_rule = DataValidation(
        type="custom",
        formula1=_is_a_number("E2"),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="完成进度（%）",
        error="请填写 0 到 100 的整数（全角数字也可以），不要使用公式。",
        showInputMessage=True,
        promptTitle="完成进度（%）",
        prompt="0 到 100 的整数，如 60。",
    )
    for rule, column in ((choices, "D"), (percent_rule, "E")):
        sheet.add_data_validation(rule)
        rule.add(f"{column}2:{column}{last}")


def _is_a_number(first: str) -> str:
    """Excel's and WPS's check on a number cell, as a custom rule relative to its first cell:
    a number, or text that reads as one once full-width characters are made half-width (ASC):
    ５５％ and ９９．５, as a Chinese input method types them, pass, and the import reads them
    (targets/numbers.py); the range and the precision are the import's to check, with its
    message beside the row. A type=decimal rule would refuse them in the spreadsheet itself."""
    return f'OR(ISNUMBER({first}),ISNUMBER(--ASC({first}&"")))'


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


def _value_texts(duty: Duty, period: ReportingPeriod) -> list:
    """口径, 数据性质 and 数据截止日期 as the row starts: the record's, or the target's usual
    form, 快报 and the quarter's last day."""
    record = duty.record
    if record is None:
        return [FORM_WORDS[duty.subject.allowed_forms[0]], QUALITY_WORDS["preliminary"],
                period.ends_on]  # fmt: skip
    return [FORM_WORDS[record.form], QUALITY_WORDS[record.quality], record.covers_to]


def _write_values(sheet, duties: list[Duty], period: ReportingPeriod) -> None:
    widths = ColumnWidths(VALUE_HEADER, VALUE_MAX_WIDTHS)
    for duty in duties:
        record = duty.record
        form, quality, covers_to = _value_texts(duty, period)
        widths.see(
            [
                _target_label(duty),
                duty.subject.value_measure,
                form,
                record.value if record else None,
                record.data_source if record else None,
                quality,
                "2025-12-31",
                record.remarks if record else None,
            ]
        )
    _header(sheet, VALUE_HEADER, widths, VALUE_MIN_WIDTHS)
    # One rule for every value cell, so that its formula is relative to D2, the first cell of
    # its range; whether a figure is ≥ 0 or at most 100 (a percentage) the import checks.
    number = DataValidation(
        type="custom",
        formula1=_is_a_number("D2"),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值",
        error="请填写一个数字（全角数字、全角小数点和百分号也可以，如 ５５％），不要使用公式。",
    )
    forms = DataValidation(
        type="list",
        formula1='"' + ",".join(FORM_WORDS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="口径",
        error="请从下拉列表中选择口径：按数据来源公布的原样填报。",
    )
    quality = DataValidation(
        type="list",
        formula1='"' + ",".join(QUALITY_WORDS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数据性质",
        error="请选择“预计”“快报”或“正式”。",
    )
    dates = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({period.starts_on.year},{period.starts_on.month},{period.starts_on.day})",
        formula2=f"DATE({period.ends_on.year},{period.ends_on.month},{period.ends_on.day})",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数据截止日期",
        error=f"请填写{period.label}内的日期，如 {period.ends_on:%Y-%m-%d}。",
    )
    for row, duty in enumerate(duties, start=2):
        record = duty.record
        locked = record is not None and not record.is_editable
        label = _read_only(sheet, _target_label(duty))
        label.comment = _locked_note(duty)
        value = number_cell(sheet, record.value if record else None)
        form, quality_text, covers_to = _value_texts(duty, period)
        day = date_cell(sheet, covers_to)
        _input(value, locked=locked)
        _input(day, locked=locked)
        sheet.append(
            [
                label,
                _read_only(sheet, duty.subject.value_measure, alignment=CENTER),
                _text(sheet, form, locked=locked),
                value,
                _text(sheet, record.data_source if record else None, locked=locked),
                _text(sheet, quality_text, locked=locked),
                day,
                _text(sheet, record.remarks if record else None, locked=locked),
                text_cell(sheet, value_key(duty)),
            ]
        )
        number.add(f"D{row}")
        forms.add(f"C{row}")
        quality.add(f"F{row}")
        dates.add(f"G{row}")
    _fit_rows(sheet, widths.widths)
    _protect(sheet)
    for rule in (number, forms, quality, dates):
        if rule.sqref.ranges:
            sheet.add_data_validation(rule)


HELP_LINES = [
    "一、怎么填",
    "1. 只在白色单元格中填写；灰色的序号、重点任务、指标、计量单位不用改（工作表已保护，",
    "   灰色单元格改不了）。",
    "2. “任务进展”：每项任务一行。填写了一行，“工作进展”“完成情况”“完成进度（%）”三列必填；",
    "   “完成情况”从下拉列表中选择（{labels}）；",
    "   “完成进度（%）”填 0 到 100 的整数，如 60（全角数字也可以）；“存在问题”“下步计划”选填。",
    "3. “指标数值”：按数据来源公布的原样填写，不要折算成季度增量——",
    "   “口径”选时点数（年末数、季末数、占比）、年初至今累计（1—N月累计，至12月即全年）、",
    "   同比增速或期初至今累计（如“十四五”以来累计）；“数据截止日期”填数据反映的最后一天，",
    "   如 1—10月累计 填 10月31日；百分比只填数字，如 2.35 表示 2.35%；",
    "   家、项、个、名 填整数；金额最多两位小数。",
    "4. “指标数值”中填了一行，“数值”和“数据来源”（如统计公报、认定文件）必填；“口径”留空按预填，",
    "   “数据截止日期”留空按本季度最后一天；",
    "   “数据性质”选预计、快报或正式，留空按“快报”；预计数不会被判定为已达成。",
    "5. 模板已预填本季度已保存的内容；本季度还没有填报的任务预填上季度的报告，",
    "   请按本季度实际修改。与上季度报告完全相同、没有修改的行，导入时会列出并询问，",
    "   默认不导入。",
    "6. 不需要填报的行整行留空即可，导入时跳过。",
    "",
    "二、注意",
    "1. 不要使用公式，直接填写内容或数值。",
    "2. 不要插入、删除或移动行和列，不要修改工作表名称和隐藏的“行标识”列。",
    "3. 只能导入本单位、本季度的模板；文件须保存为 .xlsx 格式，不要设置打开密码。",
    "4. 已报送或已审核的项目（灰色）不能通过导入修改；如需修改，请联系审核员退回。",
    "5. 文件有任何一处问题，整份文件都不会导入，",
    "   页面会逐条列出问题所在的工作表、行号和列名。",
    "6. 导入后的内容为草稿，请到系统“我的填报”中核对，并逐项报送。",
    "7. “任务进展”“指标数值”两个工作表设置了保护，没有密码：灰色单元格不能修改，",
    "   白色单元格照常填写，列宽、行高可以调整，下拉列表照常使用。确需取消保护时，",
    "   在“审阅”中点“撤消工作表保护”（WPS 为“撤销工作表保护”），不需要输入密码；",
    "   工作表保护不影响导入，灰色的序号、重点任务等列导入时不读取。",
]


def _write_help(sheet, unit: Unit, period: ReportingPeriod) -> None:
    sheet.column_dimensions["A"].width = 100
    title = Cell(sheet, value=f"{unit.name} · {period.label} 填报模板")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    due = period.due_on
    sheet.append([f"报送截止日期：{due.year}年{due.month}月{due.day}日。"])
    sheet.append([])
    labels = "、".join(completion_labels())
    for line in HELP_LINES:
        cell = Cell(sheet, value=line.format(labels=labels))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line[:2] in ("一、", "二、"):
            cell.font = Font(bold=True)
        sheet.append([cell])


def _write_meta(sheet, unit: Unit, period: ReportingPeriod) -> None:
    for key, value in template_meta(unit, period).items():
        sheet.append([text_cell(sheet, key), text_cell(sheet, value)])
    sheet.sheet_state = "hidden"
    _protect(sheet)  # signed, so an edit is caught anyway; protected, so it is not made by chance


def build_template(*, unit: Unit, period: ReportingPeriod) -> bytes:
    """The .xlsx a unit's reporter fills in for the period (see the module's docstring)."""
    with translation.override("zh-hans"):
        duties = duties_for(unit, period)
        book = Workbook()
        tasks = book.active
        tasks.title = TASK_SHEET
        _write_tasks(tasks, [d for d in duties if d.kind == "task"], unit, period)
        values = [d for d in duties if d.kind == "target"]
        _write_values(book.create_sheet(VALUE_SHEET), values, period)
        _write_help(book.create_sheet(HELP_SHEET), unit, period)
        _write_meta(book.create_sheet(META_SHEET), unit, period)
        book.properties.title = template_filename(unit, period).removesuffix(".xlsx")
        book.properties.creator = "南阳市创新创业行动推进系统"
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()
