"""Numeric targets (目标指标): every quantified commitment in a plan, with its 原文."""

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tasks.models import Plan, Section, Task, Unit


class TargetQuerySet(models.QuerySet):
    def in_plan(self, plan: Plan):
        return self.filter(plan=plan)

    def for_unit(self, unit: Unit):
        """Targets a unit answers for, directly or through a collective it belongs to."""
        return self.filter(Q(units=unit) | Q(units__members=unit)).distinct()

    def with_related(self):
        return self.select_related("section", "plan").prefetch_related("units", "tasks", "quotes")


class Target(models.Model):
    class Measure(models.TextChoices):
        # The plan's units of measure: enterprises, institutions and platforms in 家,
        # projects in 项, specials and teams in 个, people in 名, money in 亿元/万元.
        JIA = "家", _("家")
        XIANG = "项", _("项")
        GE = "个", _("个")
        MING = "名", _("名")
        PERCENT = "%", _("%")
        YI_YUAN = "亿元", _("亿元")
        WAN_YUAN = "万元", _("万元")

    class Comparator(models.TextChoices):
        AT_LEAST = "at_least", _("不低于（以上）")
        MORE_THAN = "more_than", _("超过（突破）")
        ABOUT = "about", _("左右")
        RANGE = "range", _("区间")

    class Accumulation(models.TextChoices):
        LEVEL = "level", _("时点存量")
        ANNUAL = "annual", _("每年流量")
        CUMULATIVE = "cumulative", _("期内累计")
        SHARE = "share", _("占比")
        GROWTH = "growth", _("年均增速")
        BENCHMARK = "benchmark", _("对标基准")

    class Scope(models.TextChoices):
        CITY = "city", _("全市")
        EACH_COUNTY = "each_county", _("各县市区分别")

    class Cadence(models.TextChoices):
        QUARTERLY = "quarterly", _("每季度")
        ANNUAL = "annual", _("每年一次")

    class Form(models.TextChoices):
        # How a figure is published (targets/progress.py): the reporter types it as printed.
        LEVEL = "level", _("时点数（截止日的存量或比重）")
        YTD = "ytd", _("年初至今累计（1—N月累计，至12月即全年）")
        GROWTH = "growth", _("同比增速（%）")
        TO_DATE = "to_date", _("期初至今累计（如“十四五”以来累计）")

    plan = models.ForeignKey(
        Plan, verbose_name=_("行动方案"), on_delete=models.CASCADE, related_name="targets"
    )
    key = models.SlugField(_("代码"), max_length=60)
    number = models.PositiveSmallIntegerField(_("序号"))
    section = models.ForeignKey(
        Section,
        verbose_name=_("所属板块"),
        on_delete=models.CASCADE,
        related_name="targets",
        null=True,
        blank=True,
        help_text=_("留空表示“二、主要目标”。"),
    )
    label = models.CharField(_("指标"), max_length=200)
    measure = models.CharField(_("计量单位"), max_length=10, choices=Measure.choices)
    comparator = models.CharField(_("比较方式"), max_length=20, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2, null=True, blank=True)
    value_high = models.DecimalField(
        _("目标值上限"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("仅用于区间，如 10—15 家 的 15。"),
    )
    tolerance = models.DecimalField(
        _("容差"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("仅用于“左右”：目标值上下浮动多少仍算达成。"),
    )
    accumulation = models.CharField(_("计算方式"), max_length=20, choices=Accumulation.choices)
    benchmark_label = models.CharField(
        _("对标基准"),
        max_length=100,
        blank=True,
        help_text=_("仅用于对标基准，如 全省平均水平。"),
    )
    scope = models.CharField(_("考核范围"), max_length=20, choices=Scope.choices)
    reporting_unit = models.ForeignKey(
        Unit,
        verbose_name=_("数据报送单位"),
        on_delete=models.PROTECT,
        related_name="reported_targets",
        null=True,
        blank=True,
        help_text=_("全市指标由该单位填报；各县市区分别考核的指标由各县市区各自填报，此处留空。"),
    )
    input_measure = models.CharField(
        _("填报计量单位"),
        max_length=10,
        choices=Measure.choices,
        blank=True,
        help_text=_("留空表示与目标相同；如年均增速按各期投入额（亿元）填报。"),
    )
    cadence = models.CharField(
        _("报送频次"),
        max_length=20,
        choices=Cadence.choices,
        default=Cadence.QUARTERLY,
        help_text=_("每年一次的指标只在第四季度填报期报送，截止日期见下。"),
    )
    due_months = models.PositiveSmallIntegerField(
        _("年度数据报送月数"),
        default=6,
        help_text=_("每年一次的指标：年度数据在次年第几个月底前报送（统计公报、年报公布后）。"),
    )
    entry_forms = models.CharField(
        _("可填报口径"),
        max_length=60,
        default="level",
        help_text=_(
            "逗号分隔：level 时点数、ytd 年初至今累计、growth 同比增速、to_date 期初至今累计。"
        ),
    )
    start_stock = models.DecimalField(
        _("期初存量"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("“新建……”类累计指标：实施期开始时已有的数量，用于由总量推算新增数。"),
    )
    baseline_value = models.DecimalField(
        _("基期值"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "进度线的起点：时点指标为基期日期的数值，累计指标为基期日期前已完成的量，"
            "年均增速为基期年度的全年数值。"
        ),
    )
    baseline_on = models.DateField(_("基期日期"), null=True, blank=True)
    baseline_source = models.CharField(_("基期数据来源"), max_length=200, blank=True)
    source_text = models.TextField(_("原文"))
    source_location = models.CharField(_("原文出处"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("责任单位"), related_name="targets", blank=True
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("关联任务"), related_name="targets", blank=True
    )

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="target_key_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "number"], name="target_number_unique_in_plan"),
            models.CheckConstraint(
                condition=Q(accumulation="benchmark") | Q(value__isnull=False),
                name="target_has_a_value_unless_benchmarked",
            ),
            models.CheckConstraint(
                condition=~Q(comparator="range")
                | Q(value_high__isnull=False, value_high__gt=models.F("value")),
                name="target_range_has_an_upper_bound_above_the_lower",
            ),
            models.CheckConstraint(
                condition=~Q(comparator="about") | Q(tolerance__isnull=False, tolerance__gt=0),
                name="target_about_has_a_tolerance",
            ),
            models.CheckConstraint(
                condition=~Q(accumulation="benchmark") | ~Q(benchmark_label=""),
                name="target_benchmark_is_named",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True, baseline_on__isnull=True)
                | Q(baseline_value__isnull=False, baseline_on__isnull=False),
                name="target_baseline_has_value_and_date",
            ),
            models.CheckConstraint(
                condition=Q(scope="city", reporting_unit__isnull=False)
                | Q(scope="each_county", reporting_unit__isnull=True),
                name="target_city_scope_names_its_reporting_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def value_measure(self) -> str:
        """The unit of measure of the values reported for this target."""
        return self.input_measure or self.measure

    @property
    def is_flow(self) -> bool:
        """A flow adds up over time (每年…, “十四五”累计); a level or share is read at a date."""
        return self.accumulation in (self.Accumulation.ANNUAL, self.Accumulation.CUMULATIVE)

    @property
    def allowed_forms(self) -> list[str]:
        """The forms a figure of this target may be entered in, the usual one first."""
        forms = [f.strip() for f in self.entry_forms.split(",") if f.strip()]
        return [f for f in forms if f in self.Form.values] or [self.Form.LEVEL]

    @property
    def form_choices(self) -> list[tuple[str, str]]:
        labels = dict(self.Form.choices)
        return [(form, labels[form]) for form in self.allowed_forms]

    @property
    def entry_label(self) -> str:
        """How the figure is entered, in words (填报口径)."""
        labels = dict(self.Form.choices)
        return "；".join(str(labels[form]) for form in self.allowed_forms)

    def is_owed_in(self, period) -> bool:
        """A yearly figure is owed once a year, in the quarter its year ends (第四季度)."""
        return self.cadence == self.Cadence.QUARTERLY or period.quarter == 4

    def due_date(self, period):
        """When this target's figure for `period` is due: with the quarter's report, or for a
        yearly figure at the end of the `due_months`-th month after its year."""
        if self.cadence == self.Cadence.ANNUAL and period.quarter == 4:
            month = self.due_months % 12 or 12
            year = period.year + 1 + (self.due_months - 1) // 12
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return period.due_on

    def measure_of(self, form: str) -> str:
        """The unit a figure in `form` is typed in: a growth rate in %, anything else as
        the target's values are entered."""
        return self.Measure.PERCENT if form == self.Form.GROWTH else self.value_measure

    @property
    def goal_display(self) -> str:
        """The target in the plan's own words of comparison: 500 家以上, 10—15 家, 10 家左右."""
        if self.accumulation == self.Accumulation.BENCHMARK:
            return gettext("不低于%(benchmark)s") % {"benchmark": self.benchmark_label}
        # 55%, but 500 家: a percent sign sits against its number.
        gap = "" if self.measure == self.Measure.PERCENT else " "
        value = f"{_number(self.value)}{gap}{self.measure}"
        if self.comparator == self.Comparator.RANGE:
            return f"{_number(self.value)}—{_number(self.value_high)}{gap}{self.measure}"
        if self.comparator == self.Comparator.ABOUT:
            return gettext("%(value)s左右（±%(tolerance)s）") % {
                "value": value, "tolerance": _number(self.tolerance),
            }  # fmt: skip
        if self.comparator == self.Comparator.MORE_THAN:
            return gettext("超过 %(value)s") % {"value": value}
        return gettext("%(value)s以上") % {"value": value}


def _number(value) -> str:
    """A Decimal without trailing zeros: 500.00 → 500, 3.50 → 3.5."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


class TargetMilestone(models.Model):
    """A point the expected line must pass, set by an admin (e.g. a yearly milestone)."""

    target = models.ForeignKey(
        Target, verbose_name=_("目标指标"), on_delete=models.CASCADE, related_name="milestones"
    )
    on = models.DateField(_("日期"))
    value = models.DecimalField(_("应达到的数值"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("阶段目标")
        verbose_name_plural = _("阶段目标")
        ordering = ["target", "on"]
        constraints = [
            models.UniqueConstraint(fields=["target", "on"], name="one_milestone_per_target_date")
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.value.normalize():f}"


class TargetQuote(models.Model):
    """Another place where the plan states the same target (the ledger often repeats it)."""

    target = models.ForeignKey(
        Target, verbose_name=_("目标指标"), on_delete=models.CASCADE, related_name="quotes"
    )
    text = models.TextField(_("原文"))
    location = models.CharField(_("原文出处"), max_length=100)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("指标另见原文")
        verbose_name_plural = _("指标另见原文")
        ordering = ["target", "position"]

    def __str__(self) -> str:
        return f"{self.location}：{self.text}"


class PlanDraft(models.Model):
    """A plan being brought in from its 台账 file and its text (targets/onboarding.py): what was
    read and what the admin decided so far. Nothing of the plan exists until the admin confirms;
    then the plan is created in one transaction and the draft records which plan it became."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="plan_drafts",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    ledger_name = models.CharField(_("台账文件"), max_length=200)
    text_name = models.CharField(_("方案原文文件"), max_length=200)
    text = models.TextField(_("方案原文"))
    data = models.JSONField(_("识别结果"), default=dict)
    plan = models.OneToOneField(
        Plan,
        verbose_name=_("导入后的方案"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draft",
    )

    class Meta:
        verbose_name = _("方案导入草稿")
        verbose_name_plural = _("方案导入草稿")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.data.get("plan", {}).get("title") or self.ledger_name

    @property
    def is_confirmed(self) -> bool:
        return self.plan_id is not None
