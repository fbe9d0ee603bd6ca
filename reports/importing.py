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
problems is saved, in one transaction, through reports/workflow.py as drafts that follow the
normal workflow. Unchanged rows are left alone, so importing a file twice changes nothing the
second time.

The template pre-fills a task not yet reported this quarter with last quarter's report, so a
template uploaded untouched would turn last quarter's text into this quarter's drafts without a
word. A row that would save, field for field, the unit's last submitted or approved report of
an earlier quarter (repeats_last_quarter) is therefore left out unless the reporter includes
it: the upload asks first (Repeats.ASK: nothing saved, ChoiceNeeded counts the rows), and the
reporter's answer imports the same file again, in one transaction, leaving such rows out (the
default) or saving them too.

The workbook's texts and the problems are Chinese documents, as in dashboards/excel.py and
reports/workflow.py: the labels of the drop-down lists must read the same whatever language the
page is shown in.

This module checks the rows and saves them (about 580 lines, most of it the cell-by-cell
checks of a task row and a value row); building the template, checking the package and reading
the workbook are reports/excel_template.py, package_checks.py and template_reading.py.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from reports import workflow
from reports.duties import Duty, duties_for
from reports.models import ProgressReport, TargetValue
from reports.package_checks import EXCEL_CELL_CHARS, MAX_LISTED_PROBLEMS, check_package
from reports.template_format import (
    FORM_WORDS,
    NO,
    QUALITY_WORDS,
    TASK_HEADER,
    TASK_SHEET,
    VALUE_FIELD,
    VALUE_HEADER,
    VALUE_SHEET,
    YES,
    ChoiceNeeded,
    ImportRefused,
    ImportSummary,
    Problem,
    RepeatedRow,
    Status,
    completion_labels,
)
from reports.template_reading import (
    QUOTED_IN_FORMAT,
    CellValue,
    ParsedTemplate,
    check_meta,
    read_template,
)
from targets import numbers
from targets.measures import value_error
from targets.models import Target
from tasks.models import ReportingPeriod, Unit

# --- checking the rows ---------------------------------------------------------------------


@dataclass
class Change:
    """A filled row: the duty it answers and the content it gives."""

    duty: Duty
    content: dict
    row: int

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.duty.kind, self.duty.subject.pk, self.duty.series)

    @property
    def writes(self) -> bool:
        """Whether saving the row creates a record or changes this quarter's."""
        record = self.duty.record
        return record is None or _first_difference(record, self.content) is not None


class Repeats(enum.StrEnum):
    """What an import does with the rows that repeat last quarter (repeats_last_quarter)."""

    ASK = "ask"  # if there are any, save nothing: ChoiceNeeded says what would be saved
    LEAVE_OUT = "leave_out"  # save the other rows only
    INCLUDE = "include"  # save them too, as drafts: the reporter has confirmed it


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
    labels = completion_labels()
    progress = row.text(2)
    if progress == "":
        row.problem(2, "请填写工作进展。")
    completion_text = row.text(3)
    completion = labels.get(completion_text or "")
    if not completion_text:
        row.problem(3, "请选择完成情况（必填，从下拉列表中选择：" + "、".join(labels) + "）。")
    elif completion is None:
        row.problem(3, "请从下拉列表中选择：" + "、".join(labels) + "。")
    percent = None
    cell = row.plain(4)
    if cell is None or cell.is_blank:
        row.problem(4, "请填写完成进度（必填，0 到 100 的整数，如 60）。")
    else:
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


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def _as_date(row: _Row, column: int, default: dt.date) -> dt.date | None:
    """A date as Excel stores it (a date cell) or as typed (2025-10-31, 2025年10月31日);
    a blank cell is `default`."""
    cell = row.plain(column)
    if cell is None:
        return None
    if cell.is_blank:
        return default
    if isinstance(cell.value, dt.datetime):
        return cell.value.date()
    if isinstance(cell.value, dt.date):
        return cell.value
    text = _as_text(cell.value).strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    row.problem(column, "请按 2025-10-31 的格式填写日期。")
    return None


def _choice(row: _Row, column: int, words: dict[str, str], default: str) -> str | None:
    text = row.text(column)
    if text is None:
        return None
    if not text.strip():
        return default
    codes = {word: code for code, word in words.items()}
    if text.strip() not in codes:
        row.problem(column, "请从下拉列表中选择：" + "、".join(words.values()) + "。")
        return None
    return codes[text.strip()]


def _value_content(row: _Row, target: Target | None, period: ReportingPeriod) -> dict | None:
    """The content of a value row; `target` is None when the row's key is wrong (the cells are
    still checked, so that one pass lists everything)."""
    allowed = target.allowed_forms if target else list(FORM_WORDS)
    form = _choice(row, 2, FORM_WORDS, allowed[0])
    if form is not None and form not in allowed:
        row.problem(2, "这个指标可选的口径：" + "、".join(FORM_WORDS[f] for f in allowed) + "。")
        form = None
    measure = target.measure_of(form) if target and form else ""
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
                error = value_error(measure, number, form=form or "level")
                if error:
                    row.problem(3, error)
                else:
                    value = number
    data_source = row.text(4, max_length=200)
    if data_source == "":
        row.problem(4, "请注明数据来源，如统计公报、认定文件。")
    quality = _choice(row, 5, QUALITY_WORDS, "preliminary")
    covers_to = _as_date(row, 6, period.ends_on)
    if covers_to is not None and not period.starts_on <= covers_to <= period.ends_on:
        row.problem(
            6,
            f"数据截止日期应在{period.label}之内（{period.starts_on:%Y-%m-%d} 至 "
            f"{period.ends_on:%Y-%m-%d}）；其他期间的数据请在对应填报期的模板中填报。",
        )
    remarks = row.text(7)
    if row.problems:
        return None
    return {
        "value": value,
        "form": form,
        "covers_to": covers_to,
        "quality": quality,
        "data_source": data_source,
        "remarks": remarks,
    }


COLUMN_OF = {
    "progress": "工作进展",
    "completion": "完成情况",
    "percent": "完成进度（%）",
    "problems": "存在问题",
    "next_steps": "下步计划",
    "value": "数值",
    "form": "口径",
    "covers_to": "数据截止日期",
    "quality": "数据性质",
    "data_source": "数据来源",
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


def check_rows(
    parsed: ParsedTemplate, duties: list[Duty], period: ReportingPeriod
) -> tuple[list[Change], list[Problem]]:
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
            # The cells the user fills in: 口径, 数据性质 and 数据截止日期 come pre-filled.
            inputs = cells[2:7] if kind == "task" else [cells[3], cells[4], cells[7]]
            if all(c.is_blank for c in inputs):
                continue
            row = _Row(sheet.name, number, header, cells)
            duty = _duty_for_row(row, kind, by_key, seen)
            if kind == "task":
                content = _task_content(row)
            else:
                content = _value_content(row, duty.subject if duty else None, period)
            record = duty.record if duty else None
            if record is not None and content is not None and not record.is_editable:
                differs = _first_difference(record, content)
                if differs:
                    row.problem(header.index(COLUMN_OF[differs]), _locked_message(record))
            problems += row.problems
            if not row.problems:
                changes.append(Change(duty, content, number))
    return changes, problems


# --- rows the same as last quarter ------------------------------------------------------------


def repeats_last_quarter(change: Change, earlier) -> bool:
    """Whether the row would save again `earlier`, the unit's latest submitted or approved
    record of an earlier quarter for the same task (or target and series): every field the
    reporter fills in equal, texts compared as the import compares them (blanks around them
    and Windows line ends ignored). Runs no queries.

    Edge cases: without an earlier record, False. A row the same as this quarter's record
    saves nothing and is False whatever last quarter said, so a template downloaded again
    after such rows were imported is not asked about twice; a row that would turn this
    quarter's draft back into last quarter's text is True. A value row names its 数据截止日期,
    which must lie in its own quarter, so it repeats an earlier one only if that one's date
    lay in this quarter too: in practice only task rows, which the template pre-fills from
    last quarter's report, repeat.
    """
    if earlier is None or not change.writes:
        return False
    return _first_difference(earlier, change.content) is None


def _earlier_records(changes: list[Change], *, unit: Unit, period: ReportingPeriod) -> dict:
    """For the rows that would write, the unit's latest submitted or approved record of an
    earlier quarter of the plan, keyed as Change.key. Two queries at most."""
    done = (Status.SUBMITTED, Status.APPROVED)
    before = {"period__plan": period.plan, "period__starts_on__lt": period.starts_on}
    tasks = [c.duty.subject.pk for c in changes if c.duty.kind == "task" and c.writes]
    targets = [c.duty.subject.pk for c in changes if c.duty.kind == "target" and c.writes]
    earlier = {}
    if tasks:
        reports = ProgressReport.objects.for_unit(unit).filter(
            task__in=tasks, status__in=done, **before
        )
        for report in reports.select_related("period").order_by("period__starts_on"):
            earlier[("task", report.task_id, TargetValue.Series.ACTUAL)] = report  # latest wins
    if targets:
        values = TargetValue.objects.for_unit(unit).filter(
            target__in=targets, status__in=done, **before
        )
        for value in values.select_related("period").order_by("period__starts_on"):
            earlier[("target", value.target_id, value.series)] = value
    return earlier


def _repeated_row(change: Change, earlier) -> RepeatedRow:
    subject = change.duty.subject
    if change.duty.kind == "task":
        return RepeatedRow(TASK_SHEET, change.row, f"{subject.number} {subject.title}",
                           earlier.period.label)  # fmt: skip
    label = subject.label
    if change.duty.series == TargetValue.Series.BENCHMARK:
        label += "（对标基准值）"
    return RepeatedRow(VALUE_SHEET, change.row, label, earlier.period.label)


# --- the import ----------------------------------------------------------------------------


def import_template(
    *,
    name: str,
    data: bytes,
    unit: Unit,
    period: ReportingPeriod,
    user,
    repeats: Repeats = Repeats.LEAVE_OUT,
) -> ImportSummary:
    """Save a filled template as drafts, all rows or none (see the module's docstring).

    The file is checked and read before the transaction starts; what the unit owes is read and
    every row checked and saved inside it, so the rows are compared with what is stored. Rows
    that repeat last quarter (repeats_last_quarter) are left out, or saved with the others
    when `repeats` is INCLUDE; with ASK, if there are any, nothing is saved and ChoiceNeeded
    carries the summary of what leaving them out would save.
    """
    try:
        workflow.require_open_plan(period.pk)
    except workflow.WorkflowError as error:
        raise ImportRefused(str(error)) from error
    if period.is_closed:
        raise ImportRefused(
            f"{period.label}已关闭，不能导入。如需逾期补报，请在“我的填报”中逐项填报。"
        )
    check_package(name, data)
    parsed = read_template(data)
    check_meta(parsed.meta, unit=unit, period=period)
    try:
        with transaction.atomic(), translation.override("zh-hans"):
            changes, problems = check_rows(parsed, duties_for(unit, period), period)
            if problems:
                message = f"文件中有 {len(problems)} 处问题，没有导入任何内容。"
                if len(problems) > MAX_LISTED_PROBLEMS:
                    message += f"以下列出前 {MAX_LISTED_PROBLEMS} 处。"
                raise ImportRefused(message, problems[:MAX_LISTED_PROBLEMS])
            summary = ImportSummary(
                skipped=_empty_rows(parsed, changes), repeats_included=repeats == Repeats.INCLUDE
            )
            earlier = _earlier_records(changes, unit=unit, period=period)
            saved = []
            for change in changes:
                record = earlier.get(change.key)
                if repeats_last_quarter(change, record):
                    summary.repeated.append(_repeated_row(change, record))
                    if repeats != Repeats.INCLUDE:
                        continue
                saved.append(change)
            if repeats == Repeats.ASK and summary.repeated:
                for change in saved:
                    _count(change, summary)
                raise ChoiceNeeded(summary)
            for change in saved:
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


def _count(change: Change, summary: ImportSummary) -> None:
    """Count the row as _apply would, saving nothing (for a preview)."""
    if change.duty.record is None:
        summary.created += 1
    elif change.writes:
        summary.updated += 1
    else:
        summary.unchanged += 1


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
