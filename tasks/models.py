"""The ledger: plans, responsible units, sections and key tasks.

Units are shared by every plan (a bureau owns tasks in several of the ten action plans);
sections, tasks and targets belong to one plan.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.periods import display_label, period_label


def default_plan_of(plans) -> "Plan | None":
    """The plan pages show when none is asked for: the one named by DEFAULT_PLAN_CODE, else the
    most recently issued active one, else the most recently issued one."""
    newest = sorted(plans, key=lambda p: (-p.issued_on.toordinal(), p.code))
    return (
        next((p for p in newest if p.code == settings.DEFAULT_PLAN_CODE), None)
        or next((p for p in newest if not p.is_archived), None)
        or next(iter(newest), None)
    )


class PlanQuerySet(models.QuerySet):
    def default(self) -> "Plan | None":
        """default_plan_of the plans (a handful: every one is read)."""
        return default_plan_of(self)

    def active(self):
        """Plans still tracked: not archived (an archived plan is read-only)."""
        return self.filter(archived_at__isnull=True)


class Plan(models.Model):
    class Cadence(models.TextChoices):
        # How often units report (tasks/periods.py): every period ends with a quarter.
        QUARTERLY = "quarterly", _("每季度")
        HALF_YEARLY = "half_yearly", _("每半年")
        YEARLY = "yearly", _("每年")

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    title = models.CharField(_("方案名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=50)
    issuer = models.CharField(_("印发单位"), max_length=200, blank=True)
    issued_on = models.DateField(_("印发日期"))
    period_start = models.DateField(_("实施期起"))
    period_end = models.DateField(_("实施期止"))
    period_label = models.CharField(_("实施期名称"), max_length=50, blank=True)
    text = models.TextField(_("方案原文"), blank=True)
    cadence = models.CharField(
        _("填报周期"), max_length=20, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    due_days = models.PositiveSmallIntegerField(
        _("报送截止天数"),
        default=10,
        help_text=_("每个填报期结束后第几天为报送截止日期。"),
    )
    archived_at = models.DateTimeField(
        _("归档时间"),
        null=True,
        blank=True,
        help_text=_("归档后的方案只读：不能再填报、审核或修改，评价结果保留。"),
    )
    # Raised by every change to what the 台账 shows (its tasks, sections, units and who owns
    # what: tasks/receivers.py), so a page drawn from the plan's data can be kept by it.
    content_version = models.PositiveBigIntegerField(_("台账数据版本"), default=1, editable=False)

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

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def judged_on(self, today: dt.date) -> dt.date:
        """The day the plan's verdicts are judged at: today, or for an archived plan the day
        it was archived (its final verdicts, kept as they were)."""
        if self.archived_at is None:
            return today
        return min(today, timezone.localdate(self.archived_at))


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
        return reverse("targets:unit-detail", args=[self.pk])

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
        return reverse("reports:task-detail", args=[self.pk])

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
        return period_label(self.year, self.quarter, self.starts_on)

    @property
    def display_label(self) -> str:
        return display_label(self.label)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
