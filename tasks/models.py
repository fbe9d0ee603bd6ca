"""The ledger: plans, responsible units, sections and key tasks.

Units are shared by every plan (a bureau owns tasks in several of the ten action plans);
sections, tasks and targets belong to one plan.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.periods import Quarter


class PlanQuerySet(models.QuerySet):
    def default(self) -> "Plan | None":
        """The plan named by DEFAULT_PLAN_CODE, else the most recently issued one."""
        return (
            self.filter(code=settings.DEFAULT_PLAN_CODE).first()
            or self.order_by("-issued_on", "code").first()
        )


class Plan(models.Model):
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    title = models.CharField(_("方案名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=50)
    issuer = models.CharField(_("印发单位"), max_length=200, blank=True)
    issued_on = models.DateField(_("印发日期"))
    period_start = models.DateField(_("实施期起"))
    period_end = models.DateField(_("实施期止"))
    period_label = models.CharField(_("实施期名称"), max_length=50, blank=True)
    text = models.TextField(_("方案原文"), blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("行动方案")
        verbose_name_plural = _("行动方案")
        ordering = ["-issued_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="plan_period_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title


class UnitQuerySet(models.QuerySet):
    def countable(self):
        """Units that report for themselves: every kind except collectives."""
        return self.exclude(kind=Unit.Kind.COLLECTIVE)


class Unit(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("市直单位")
        COUNTY = "county", _("县（市、区）政府")
        ZONE = "zone", _("开发区（功能区）管委会")
        COLLECTIVE = "collective", _("单位集合")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    members = models.ManyToManyField(
        "self",
        verbose_name=_("包含单位"),
        symmetrical=False,
        related_name="collectives",
        blank=True,
        help_text=_("仅用于“单位集合”，如 各县市区政府（管委会） 包含的县市区和功能区。"),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tasks:unit-detail", args=[self.pk])

    @property
    def is_collective(self) -> bool:
        return self.kind == self.Kind.COLLECTIVE


class UnitAlias(models.Model):
    """Another spelling of a unit's name, as found in the plan text."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("别名"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit.name}"


class Section(models.Model):
    """One part of 三、重点任务, e.g. （一）加强科技攻关，提升创新策源能力."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("行动方案"), on_delete=models.CASCADE, related_name="sections"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    numeral = models.CharField(_("编号"), max_length=10)
    title = models.CharField(_("标题"), max_length=200)
    units_text = models.CharField(_("正文所列责任单位"), max_length=300, blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("正文所列责任单位（已识别）"), related_name="sections", blank=True
    )

    class Meta:
        verbose_name = _("任务板块")
        verbose_name_plural = _("任务板块")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="section_number_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"{self.numeral}{self.title}"


class TaskQuerySet(models.QuerySet):
    def in_plan(self, plan: Plan):
        return self.filter(plan=plan)

    def owned_by(self, unit: Unit):
        """Tasks the unit owns directly or through a collective it belongs to."""
        return self.filter(Q(units=unit) | Q(units__members=unit)).distinct()

    def in_section(self, section: Section):
        return self.filter(section=section)

    def with_units(self):
        return self.select_related("section", "plan").prefetch_related(
            models.Prefetch(
                "assignments",
                queryset=TaskUnit.objects.select_related("unit").order_by("position"),
            )
        )


class Task(models.Model):
    """A row of the 台账 (附件：重点任务分工台账), kept verbatim."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("行动方案"), on_delete=models.CASCADE, related_name="tasks"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("所属板块"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("重点任务"), max_length=200)
    measures = models.TextField(_("推进措施"))
    deadline_text = models.CharField(_("完成时限"), max_length=100)
    units_text = models.CharField(_("责任单位（台账原文）"), max_length=300)
    note = models.TextField(
        _("说明"),
        blank=True,
        help_text=_("台账与正文不一致之处、原文疑误等，按台账执行并在此说明。"),
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("责任单位"), through="TaskUnit", related_name="tasks"
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_number_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tasks:task-detail", args=[self.pk])

    @property
    def lead_assignment(self) -> "TaskUnit | None":
        # Reads the prefetched assignments when present (see TaskQuerySet.with_units).
        return next((a for a in self.assignments.all() if a.role == TaskUnit.Role.LEAD), None)


class TaskUnit(models.Model):
    """A unit's part in a task: the first unit the ledger lists leads, the others assist."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        CO = "co", _("配合单位")

    task = models.ForeignKey(
        Task, verbose_name=_("重点任务"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("台账中的顺序"))

    class Meta:
        verbose_name = _("任务责任单位")
        verbose_name_plural = _("任务责任单位")
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="unit_listed_once_per_task"),
            models.UniqueConstraint(
                fields=["task"], condition=Q(role="lead"), name="one_lead_unit_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} {self.unit.name}（{self.get_role_display()}）"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


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


class ReportingPeriodQuerySet(models.QuerySet):
    def in_plan(self, plan: Plan):
        return self.filter(plan=plan)


class ReportingPeriod(models.Model):
    """A quarter on which every unit reports its tasks and targets (see tasks/periods.py)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("行动方案"), on_delete=models.CASCADE, related_name="periods"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    due_on = models.DateField(_("报送截止日期"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        ordering = ["plan", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "quarter"], name="one_period_per_quarter_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="period_quarter_is_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")) & Q(due_on__gte=models.F("ends_on")),
                name="period_is_due_after_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return Quarter(self.year, self.quarter).label

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class WorkflowRecord(models.Model):
    """What a task report and a target value share: the review workflow and its bookkeeping.

    draft → submitted → returned (with a comment) → submitted again → approved (locked).
    `version` rises with every save; a save that names an older version is refused
    (tasks/workflow.py), so two people editing at once never overwrite each other.
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
    # Set by the workflow (tasks/workflow.py), not auto_now, so that imported and demonstration
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
        return reverse("tasks:record-detail", args=["report", self.pk])


class ReportEvent(models.Model):
    """A step of the workflow: who did what to a report or a target value, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        SAVE = "save", _("保存")
        SUBMIT = "submit", _("报送")
        RETURN = "return", _("退回")
        APPROVE = "approve", _("审核通过")

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    target_value = models.ForeignKey(
        "targets.TargetValue",
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
        "targets.TargetValue",
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
