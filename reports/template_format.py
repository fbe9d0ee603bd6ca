"""The offline template's format, shared by writing it and reading it back: sheet names,
columns, the keys of its rows, the signed _meta sheet, and the results of an import."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.crypto import salted_hmac

from reports.duties import Duty
from reports.models import ProgressReport, TargetValue, WorkflowRecord
from tasks.models import ReportingPeriod, Unit

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
VALUE_HEADER = [
    "指标", "计量单位", "口径", "数值", "数据来源", "数据性质", "数据截止日期", "说明", KEY_HEADER,
]  # fmt: skip
VALUE_MIN_WIDTHS = [30, 10, 14, 14, 30, 10, 14, 30, 12]
VALUE_MAX_WIDTHS = [44, 10, 16, 14, 36, 10, 14, 36, 12]
# The words of the drop-down lists (targets/progress.py): 口径 and 数据性质.
FORM_WORDS = {
    "level": "时点数",
    "ytd": "年初至今累计",
    "growth": "同比增速",
    "to_date": "期初至今累计",
}
QUALITY_WORDS = {"estimate": "预计", "preliminary": "快报", "final": "正式"}
META_KEYS = ("format", "plan", "unit_id", "unit_name", "period_id", "period_label")

YES, NO = "是", "否"
NOT_OURS = "不是本系统导出的模板或模板已被改动，请重新下载模板后填写。"

Status = WorkflowRecord.Status
VALUE_FIELD = TargetValue._meta.get_field("value")


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


@dataclass(frozen=True)
class RepeatedRow:
    """A row whose content is, field for field, the unit's report of an earlier quarter."""

    sheet: str
    row: int
    subject: str  # the task (its number and title) or the target, as the row names it
    earlier_period: str  # 2024年第三季度


@dataclass
class ImportSummary:
    """What an import saved, or, in a preview, what it would save."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows the same as what the unit has already saved this quarter
    skipped: int = 0  # rows left entirely empty
    # Rows that would write last quarter's report again (importing.repeats_last_quarter):
    # left out unless the reporter chose to include them, and then counted as created or updated.
    repeated: list[RepeatedRow] = field(default_factory=list)
    repeats_included: bool = False


class ChoiceNeeded(Exception):
    """Rows repeat last quarter's reports and the reporter has not said whether to import them:
    nothing is saved; `preview` says what the import would do."""

    def __init__(self, preview: ImportSummary):
        super().__init__(f"{len(preview.repeated)} 行与上季度内容相同")
        self.preview = preview


def template_filename(unit: Unit, period: ReportingPeriod) -> str:
    return f"{unit.name}{period.label}填报模板.xlsx"


def completion_labels() -> dict[str, str]:
    """未启动 → not_started …: the labels the drop-down list offers, in Chinese."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in ProgressReport.Completion.choices}


def task_key(duty: Duty) -> str:
    return f"task:{duty.subject.pk}"


def value_key(duty: Duty) -> str:
    return f"target:{duty.subject.pk}:{duty.series}"


def meta_signature(fields: Sequence[str], secret=None) -> str:
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
    meta["signature"] = meta_signature([meta[key] for key in META_KEYS])
    return meta
