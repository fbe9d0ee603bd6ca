"""What units report and how it is reviewed: who a user is, the workflow record, progress
reports and target values (a reported figure is a report too), their events, versions and
attachments, their corrections and the reminders sent about them. One subject, the reported
record, in nine models (about 530 lines): they share WorkflowRecord and link to each other."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from targets.measures import value_error
from targets.models import Target
from tasks.models import ReportingPeriod, Task, Unit


class Profile(models.Model):
    """Who a user is in the system: a role and, for reporters, the unit they report for."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("填报员")
        REVIEWER = "reviewer", _("审核员")
        LEADER = "leader", _("领导")
        ADMIN = "admin", _("管理员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        related_name="profiles",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="reporter") | Q(unit__isnull=False),
                name="reporter_belongs_to_a_unit",
            )
        ]

    def __str__(self) -> str:
        unit = f"（{self.unit.name}）" if self.unit_id else ""
        return f"{self.user.get_username()} {self.get_role_display()}{unit}"

    def clean(self):
        if self.role == self.Role.REPORTER and self.unit_id is None:
            raise ValidationError({"unit": _("填报员必须属于一个单位。")})
        if self.unit_id and self.unit.is_collective:
            raise ValidationError({"unit": _("“单位集合”不能直接填报，请选择具体的县市区或部门。")})


class WorkflowRecord(models.Model):
    """What a task report and a target value share: the review workflow and its bookkeeping.

    draft → submitted → returned (with a comment) → submitted again → approved (locked).
    `version` rises with every save; a save that names an older version is refused
    (reports/workflow.py), so two people editing at once never overwrite each other.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核")

    unit = models.ForeignKey(
        Unit, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        "tasks.ReportingPeriod",
        verbose_name=_("填报期"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("退回意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set by the workflow (reports/workflow.py), not auto_now, so that imported and demonstration
    # records can carry their real dates.
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class ProgressReportQuerySet(models.QuerySet):
    def for_unit(self, unit: Unit):
        return self.filter(unit=unit)

    def in_period(self, period: "ReportingPeriod"):
        return self.filter(period=period)

    def submitted(self):
        return self.filter(status=WorkflowRecord.Status.SUBMITTED)


class ProgressReport(WorkflowRecord):
    """One unit's quarterly report on one ledger task."""

    class Completion(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")
        LAGGING = "lagging", _("滞后")

    task = models.ForeignKey(
        Task, verbose_name=_("重点任务"), on_delete=models.PROTECT, related_name="reports"
    )
    progress = models.TextField(_("工作进展"))
    completion = models.CharField(_("完成情况"), max_length=20, choices=Completion.choices)
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"),
        validators=[MaxValueValidator(100, _("完成进度应在 0 到 100 之间。"))],
    )
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)

    objects = ProgressReportQuerySet.as_manager()

    KIND = "report"  # in URLs: /records/report/<id>/

    # The fields a reporter writes; a revision keeps them, the history compares them.
    CONTENT_FIELDS = ("progress", "completion", "percent", "problems", "next_steps")

    class Meta:
        verbose_name = _("任务进展报告")
        verbose_name_plural = _("任务进展报告")
        ordering = ["period", "task__number", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "period"], name="one_report_per_task_unit_period"
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="report_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} · {self.task}"

    def get_absolute_url(self) -> str:
        return reverse("reports:record-detail", args=["report", self.pk])


class ReportEvent(models.Model):
    """A step of the workflow: who did what to a report or a target value, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        SAVE = "save", _("保存")
        SUBMIT = "submit", _("报送")
        RETURN = "return", _("退回")
        APPROVE = "approve", _("审核通过")
        CORRECT = "correct", _("更正")

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    target_value = models.ForeignKey(
        "reports.TargetValue",
        on_delete=models.CASCADE,
        related_name="events",
        null=True,
        blank=True,
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    comment = models.TextField(_("意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"))

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, target_value__isnull=True)
                | Q(report__isnull=True, target_value__isnull=False),
                name="event_belongs_to_exactly_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} v{self.version}"


class ReportRevision(models.Model):
    """The content of a report or target value as one version left it."""

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="revisions",
        null=True,
        blank=True,
    )
    target_value = models.ForeignKey(
        "reports.TargetValue",
        on_delete=models.CASCADE,
        related_name="revisions",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("修改时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("历史版本")
        verbose_name_plural = _("历史版本")
        ordering = ["version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, target_value__isnull=True)
                | Q(report__isnull=True, target_value__isnull=False),
                name="revision_belongs_to_exactly_one_record",
            ),
            models.UniqueConstraint(
                fields=["report", "version"], name="one_revision_per_report_version"
            ),
            models.UniqueConstraint(
                fields=["target_value", "version"], name="one_revision_per_value_version"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under a random name: the user's file name is kept only as data.
    return f"attachments/{instance.report_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a unit attaches to its report; served only to those who may read the report."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("进展报告"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class TargetValueQuerySet(models.QuerySet):
    def for_unit(self, unit: Unit):
        return self.filter(unit=unit)

    def in_period(self, period):
        return self.filter(period=period)

    def submitted(self):
        return self.filter(status=WorkflowRecord.Status.SUBMITTED)


class TargetValue(WorkflowRecord):
    """A unit's figure for a target, typed as its source prints it (targets/progress.py): the
    form it is published in, the last day it covers, its quality (预计, 快报, 正式) and where it
    comes from. It belongs to the quarter in which its coverage ends: 1—10月累计 to 2025 Q4, a
    2024 year-end figure published in 2025 to 2024 Q4. For 不低于全省平均水平 the benchmark
    (全省平均水平) is entered as a second series beside the city's own value.
    """

    class Series(models.TextChoices):
        ACTUAL = "actual", _("本地实际值")
        BENCHMARK = "benchmark", _("对标基准值")

    class Quality(models.TextChoices):
        ESTIMATE = "estimate", _("预计")
        PRELIMINARY = "preliminary", _("快报")
        FINAL = "final", _("正式")

    target = models.ForeignKey(
        Target, verbose_name=_("目标指标"), on_delete=models.PROTECT, related_name="values"
    )
    series = models.CharField(
        _("数据序列"), max_length=20, choices=Series.choices, default=Series.ACTUAL
    )
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    form = models.CharField(
        _("口径"), max_length=20, choices=Target.Form.choices, default=Target.Form.LEVEL
    )
    covers_to = models.DateField(
        _("数据截止日期"), help_text=_("数据所反映的最后一天，如 1—10月累计 为 10月31日。")
    )
    quality = models.CharField(
        _("数据性质"), max_length=20, choices=Quality.choices, default=Quality.PRELIMINARY
    )
    data_source = models.CharField(_("数据来源"), max_length=200)
    remarks = models.TextField(_("说明"), blank=True)

    objects = TargetValueQuerySet.as_manager()

    KIND = "value"  # in URLs: /records/value/<id>/

    CONTENT_FIELDS = ("value", "form", "covers_to", "quality", "data_source", "remarks")

    class Meta:
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        ordering = ["period", "target__number", "unit__sort_order", "series"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "unit", "period", "series"],
                name="one_value_per_target_unit_period_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} · {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("reports:record-detail", args=["value", self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.target_id and self.form not in self.target.allowed_forms:
            errors["form"] = f"这个指标不按“{self.get_form_display()}”口径填报。"
        if self.value is not None and self.target_id:
            error = value_error(self.target.measure_of(self.form), self.value, form=self.form)
            if error:
                errors["value"] = error
        if self.covers_to and self.period_id:
            period = self.period
            if not period.starts_on <= self.covers_to <= period.ends_on:
                errors["covers_to"] = (
                    f"数据截止日期应在{period.label}之内"
                    f"（{period.starts_on:%Y-%m-%d} 至 {period.ends_on:%Y-%m-%d}）；"
                    "其他期间的数据请在对应的填报期填报。"
                )
        if errors:
            raise ValidationError(errors)


class ValueCorrection(models.Model):
    """A correction of an approved figure, proposed by its unit with a reason (快报 → 正式, a
    revised benchmark, a typo) and approved by a reviewer. Until then the dashboards keep the
    approved figure; once approved, the figure takes the corrected content as a new version,
    and the history keeps both (reports/workflow.py approve_correction)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已更正")
        REJECTED = "rejected", _("未采纳")

    target_value = models.ForeignKey(
        TargetValue, verbose_name=_("指标数据"), on_delete=models.CASCADE,
        related_name="corrections",
    )  # fmt: skip
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    form = models.CharField(_("口径"), max_length=20, choices=Target.Form.choices)
    covers_to = models.DateField(_("数据截止日期"))
    quality = models.CharField(_("数据性质"), max_length=20, choices=TargetValue.Quality.choices)
    data_source = models.CharField(_("数据来源"), max_length=200)
    remarks = models.TextField(_("说明"), blank=True)
    reason = models.TextField(_("更正原因"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    CONTENT_FIELDS = TargetValue.CONTENT_FIELDS

    class Meta:
        verbose_name = _("数据更正")
        verbose_name_plural = _("数据更正")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_value"],
                condition=Q(status="submitted"),
                name="one_pending_correction_per_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_value} · 更正"

    def get_absolute_url(self) -> str:
        return self.target_value.get_absolute_url()

    @property
    def unit_id(self) -> int:
        return self.target_value.unit_id

    @property
    def target_id(self) -> int:
        return self.target_value.target_id

    @property
    def record_state(self) -> str:
        """The workflow state its content is in, for the read rule (reports/access.py): a
        pending correction is like a submitted figure, a rejected one like a returned one."""
        return {
            self.Status.SUBMITTED: WorkflowRecord.Status.SUBMITTED,
            self.Status.APPROVED: WorkflowRecord.Status.APPROVED,
            self.Status.REJECTED: WorkflowRecord.Status.RETURNED,
        }[self.status]

    def clean(self):
        """The same checks as the figure it corrects (TargetValue.clean)."""
        value = self.target_value
        probe = TargetValue(
            target=value.target, period=value.period, unit=value.unit,
            **{name: getattr(self, name) for name in self.CONTENT_FIELDS},
        )  # fmt: skip
        probe.clean()


class Reminder(models.Model):
    """A reminder e-mail, recorded before it is sent so that it goes out once only, however
    often the daily job runs (reports/reminders.py)."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week_before", _("截止前7天提醒")
        DAY_BEFORE = "day_before", _("截止前1天提醒")
        OVERDUE = "overdue", _("逾期单位汇总（发审核员）")

    key = models.CharField(_("唯一标识"), max_length=100, unique=True)
    period = models.ForeignKey(
        "tasks.ReportingPeriod",
        verbose_name=_("填报期"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    unit = models.ForeignKey(
        "tasks.Unit",
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    recipients = models.TextField(_("收件人"), blank=True)
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key
