"""Reading a filled-in template with openpyxl in read-only mode, up to the template's last row
and column, and checking its signed _meta sheet names this unit and quarter."""

import io
import re
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.crypto import constant_time_compare
from openpyxl import load_workbook

from reports.package_checks import MAX_ROWS
from reports.template_format import (
    FORMAT_VERSION,
    META_KEYS,
    META_SHEET,
    NOT_OURS,
    TASK_HEADER,
    TASK_SHEET,
    VALUE_HEADER,
    VALUE_SHEET,
    ImportRefused,
    meta_signature,
)
from tasks.models import ReportingPeriod, Unit

QUOTED_IN_FORMAT = re.compile(r'"[^"]*"|\\.')


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
    if not any(constant_time_compare(signature, meta_signature(fields, s)) for s in secrets):
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
