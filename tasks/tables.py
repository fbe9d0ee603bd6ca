import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from nanyang_tracker.links import link_maker
from tasks.models import Task


def _label(text):
    """Phones show each cell with its column name (see site.css, .ledger td::before)."""
    return {"td": {"data-label": text}}


class LedgerTable(tables.Table):
    """The 台账 as the plan prints it, with the lead unit marked and the measures folded."""

    number = tables.Column(verbose_name=_("序号"), attrs=_label(_("序号")))
    title = tables.Column(verbose_name=_("重点任务"), linkify=True, attrs=_label(_("重点任务")))
    units = tables.Column(
        verbose_name=_("责任单位"),
        accessor="units_text",
        order_by=("units_text",),
        attrs=_label(_("责任单位")),
    )
    measures = tables.Column(
        verbose_name=_("推进措施"), orderable=False, attrs=_label(_("推进措施"))
    )
    deadline_text = tables.Column(verbose_name=_("完成时限"), attrs=_label(_("完成时限")))

    class Meta:
        model = Task
        fields = ["number", "title", "units", "measures", "deadline_text"]
        order_by = "number"
        attrs = {"class": "ledger"}
        empty_text = _("没有符合条件的任务。")

    def render_units(self, record):
        # Uses the prefetched assignments (TaskQuerySet.with_units): no query per row.
        unit_url = self._unit_url()
        return format_html_join(
            "",
            '<a class="unit{}" href="{}">{}{}</a>',
            (
                (
                    " unit-lead" if a.is_lead else "",
                    unit_url(a.unit_id),
                    a.unit.name,
                    format_html('<span class="badge">{}</span>', _("牵头")) if a.is_lead else "",
                )
                for a in record.assignments.all()
            ),
        )

    def _unit_url(self):
        if not hasattr(self, "_unit_link"):
            self._unit_link = link_maker("tasks:unit-detail")
        return self._unit_link

    def render_measures(self, value):
        summary = Truncator(value).chars(36, truncate="…")
        return format_html(
            '<details class="measures"><summary>{}</summary><div>{}</div></details>', summary, value
        )


def _pick(name: str):
    """A checkbox per row, tied to the approve form that the page keeps outside the table."""
    return tables.CheckBoxColumn(
        accessor="pk",
        attrs={"input": {"name": name, "form": "approve-form"}, "th__input": {"hidden": True}},
    )


class _QueueTable(tables.Table):
    """A reviewer's list of records awaiting review, with a box to approve several at once."""

    unit = tables.Column(
        verbose_name=_("填报单位"),
        accessor="unit__name",
        order_by=("unit__sort_order",),
        attrs=_label(_("填报单位")),
    )
    period = tables.Column(
        verbose_name=_("填报期"), order_by=("period__starts_on",), attrs=_label(_("填报期"))
    )
    status = tables.Column(verbose_name=_("状态"), attrs=_label(_("状态")))
    submitted_at = tables.DateTimeColumn(
        verbose_name=_("报送时间"), format="Y-m-d H:i", attrs=_label(_("报送时间"))
    )
    is_late = tables.BooleanColumn(
        verbose_name=_("逾期"), yesno=(_("逾期"), "—"), attrs=_label(_("逾期"))
    )

    class Meta:
        attrs = {"class": "queue"}
        empty_text = _("没有符合条件的报告。")

    def render_period(self, record):
        return record.period.label


class QueueReportTable(_QueueTable):
    pick = _pick("reports")
    task = tables.Column(
        verbose_name=_("重点任务"), order_by=("task__number",), attrs=_label(_("重点任务"))
    )
    completion = tables.Column(verbose_name=_("完成情况"), attrs=_label(_("完成情况")))

    class Meta(_QueueTable.Meta):
        sequence = (
            "pick",
            "task",
            "unit",
            "period",
            "completion",
            "status",
            "submitted_at",
            "is_late",
        )

    def render_task(self, record):
        return format_html(
            '<a href="{}">{}. {}</a>',
            reverse("tasks:record-detail", args=["report", record.pk]),
            record.task.number,
            record.task.title,
        )


class QueueValueTable(_QueueTable):
    pick = _pick("values")
    target = tables.Column(
        verbose_name=_("目标指标"), order_by=("target__number",), attrs=_label(_("目标指标"))
    )
    value = tables.Column(verbose_name=_("数值"), attrs=_label(_("数值")))

    class Meta(_QueueTable.Meta):
        sequence = (
            "pick",
            "target",
            "unit",
            "period",
            "value",
            "status",
            "submitted_at",
            "is_late",
        )

    def render_target(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("tasks:record-detail", args=["value", record.pk]),
            record.target.label,
        )

    def render_value(self, record):
        return f"{record.value.normalize():f} {record.target.value_measure}"
