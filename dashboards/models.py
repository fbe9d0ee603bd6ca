import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _export_path(instance: "ExportJob", filename: str) -> str:
    # A random name on disk; the Chinese file name the user sees is kept in `filename`.
    suffix = ".docx" if instance.kind == ExportJob.Kind.BRIEFING else ".xlsx"
    return f"exports/{uuid.uuid4().hex}{suffix}"


class ExportJob(models.Model):
    """An export run in the background (dashboards/jobs.py), and the file it produced: the 台账
    workbook in one of its print layouts, or the quarterly 通报 as a Word document."""

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("台账（Excel）")
        BRIEFING = "briefing", _("季度通报（Word）")

    class Layout(models.TextChoices):
        A4 = "a4", _("A4 横向·会议用（方案五列＋本期进展、存在问题、完成情况、填报单位）")
        A3 = "a3", _("A3 横向·全部列")
        SCREEN = "screen", _("屏幕阅读·全部列（不分页）")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey(
        "tasks.Plan", verbose_name=_("行动方案"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        "tasks.ReportingPeriod",
        verbose_name=_("填报期"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "tasks.Unit",
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("留空表示全部单位。"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("文件"), max_length=20, choices=Kind.choices, default=Kind.LEDGER)
    layout = models.CharField(
        _("版式"), max_length=20, choices=Layout.choices, default=Layout.A4, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("文件"), upload_to=_export_path, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出文件")
        verbose_name_plural = _("导出文件")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename or f"导出 #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class VerdictState(models.Model):
    """How far a plan's stored verdicts are from its data. Every change that can move a
    verdict (an approval, a correction, a baseline or milestone, a period's dates, a unit's
    membership) raises `version` in the transaction that makes it; the refresh job
    (dashboards/verdicts.py) sets `built_version` to the version it read its data at, and
    `built_on` to the day it judged "today" for."""

    plan = models.OneToOneField(
        "tasks.Plan", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(_("数据版本"), default=1)
    built_version = models.PositiveBigIntegerField(_("已计算到的版本"), default=0)
    built_on = models.DateField(_("按哪一天计算"), null=True, blank=True)
    built_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("判定数据版本")
        verbose_name_plural = _("判定数据版本")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.built_version}/{self.version}"

    @property
    def is_current(self) -> bool:
        return self.built_version >= self.version


class RowJSONField(models.JSONField):
    """A JSON column inserted one placeholder a value. Django inserts many rows on PostgreSQL
    through UNNEST of a jsonb array, whose text form psycopg escapes quote by quote: for the
    verdicts a refresh writes, most of its time. A field with its own placeholder is inserted
    with VALUES, each JSON value sent as it is."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"


class TargetVerdict(models.Model):
    """A target's verdict judged on one day (a quarter's last day, or today), as the rules of
    targets/progress.py gave it: the target as a whole (`unit` empty), or one county of a
    county-by-county target. `progress` is the verdict, `figures` the approved figures it
    rests on, `detail` what the target's page draws (its quarter-by-quarter line, or each
    county's verdict for the latest year)."""

    plan = models.ForeignKey("tasks.Plan", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("targets.Target", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "tasks.Unit", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    as_of = models.DateField(_("判定日期"))
    status = models.CharField(_("状态"), max_length=20)
    progress = RowJSONField(_("判定"))
    figures = RowJSONField(_("依据数据"), default=list)
    detail = RowJSONField(_("页面数据"), default=dict)
    version = models.PositiveBigIntegerField(_("数据版本"))

    class Meta:
        verbose_name = _("指标判定")
        verbose_name_plural = _("指标判定")
        indexes = [models.Index(fields=["plan", "as_of", "target"])]

    def __str__(self) -> str:
        return f"{self.target_id}@{self.as_of}: {self.status}"


class TaskVerdict(models.Model):
    """A task's status in a period before its due date and after it (tasks/status.py)."""

    plan = models.ForeignKey("tasks.Plan", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("tasks.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("截止前状态"), max_length=20)
    overdue_status = models.CharField(_("截止后状态"), max_length=20)
    # The units that make it 滞后 (reports/duties.py TaskStanding), by id: reporting 滞后, and
    # not yet reported (滞后 once the period is past due).
    lagging_units = models.JSONField(_("报告滞后的单位"), default=list)
    missing_units = models.JSONField(_("未报送的单位"), default=list)
    version = models.PositiveBigIntegerField(_("数据版本"))

    class Meta:
        verbose_name = _("任务判定")
        verbose_name_plural = _("任务判定")
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="one_task_verdict_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}@{self.period_id}: {self.status}/{self.overdue_status}"


class UnitStanding(models.Model):
    """A unit's reporting record in a period (reports/duties.py Standing): items owed
    whatever the day, sent on time, sent late, and the due dates of yearly figures not yet
    sent, each owed once its date has passed."""

    plan = models.ForeignKey("tasks.Plan", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("tasks.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("tasks.Unit", on_delete=models.CASCADE, related_name="+")
    owed = models.PositiveIntegerField(_("应报"))
    on_time = models.PositiveIntegerField(_("按时"))
    late = models.PositiveIntegerField(_("逾期"))
    pending_due = models.JSONField(_("未报年度数据的截止日期"), default=list)
    version = models.PositiveBigIntegerField(_("数据版本"))

    class Meta:
        verbose_name = _("单位报送记录")
        verbose_name_plural = _("单位报送记录")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="one_standing_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.period_id}: {self.on_time}+{self.late}/{self.owed}"


class PendingChange(models.Model):
    """A change that can move a plan's verdicts, written in the transaction that makes it and
    taken by the next refresh (dashboards/verdicts.py): so a refresh sees every change that
    was committed before it read the data, and a rolled-back change leaves nothing."""

    plan = models.ForeignKey("tasks.Plan", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # plan / target / task / standing
    first = models.BigIntegerField(null=True)  # target, task or period id
    second = models.BigIntegerField(null=True)  # period or unit id
    since = models.DateField(null=True)  # a target's verdicts from this day on

    class Meta:
        verbose_name = _("待更新的判定")
        verbose_name_plural = _("待更新的判定")

    def __str__(self) -> str:
        return f"{self.kind} {self.first} {self.second}"
