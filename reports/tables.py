"""The review queue's tables."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.tables import cell_label


class _PickColumn(tables.CheckBoxColumn):
    """A checkbox per row, named by its record for a screen reader; the header is a word, not a
    select-all box (the page has no script to make one work)."""

    @property
    def header(self):
        return _("选择")


def _pick(name: str):
    """A checkbox per row, tied to the approve form that the page keeps outside the table."""
    return _PickColumn(
        accessor="pk",
        attrs={
            "td__input": {
                "name": name,
                "form": "approve-form",
                "aria-label": lambda record: format_html("{} {}", _("选择"), record),
            }
        },
    )


class _QueueTable(tables.Table):
    """A reviewer's list of records awaiting review, with a box to approve several at once."""

    unit = tables.Column(
        verbose_name=_("填报单位"),
        accessor="unit__name",
        order_by=("unit__sort_order",),
        attrs=cell_label(_("填报单位")),
    )
    period = tables.Column(
        verbose_name=_("填报期"), order_by=("period__starts_on",), attrs=cell_label(_("填报期"))
    )
    status = tables.Column(verbose_name=_("状态"), attrs=cell_label(_("状态")))
    submitted_at = tables.DateTimeColumn(
        verbose_name=_("报送时间"), format="Y-m-d H:i", attrs=cell_label(_("报送时间"))
    )
    is_late = tables.BooleanColumn(
        verbose_name=_("逾期"), yesno=(_("逾期"), "—"), attrs=cell_label(_("逾期"))
    )

    class Meta:
        attrs = {"class": "queue"}
        empty_text = _("没有符合条件的报告。")

    def render_period(self, record):
        return record.period.display_label


class QueueReportTable(_QueueTable):
    pick = _pick("reports")
    task = tables.Column(
        verbose_name=_("重点任务"), order_by=("task__number",), attrs=cell_label(_("重点任务"))
    )
    completion = tables.Column(verbose_name=_("完成情况"), attrs=cell_label(_("完成情况")))

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
            reverse("reports:record-detail", args=["report", record.pk]),
            record.task.number,
            record.task.title,
        )


class QueueValueTable(_QueueTable):
    pick = _pick("values")
    target = tables.Column(
        verbose_name=_("目标指标"), order_by=("target__number",), attrs=cell_label(_("目标指标"))
    )
    value = tables.Column(verbose_name=_("数值"), attrs=cell_label(_("数值")))

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
            reverse("reports:record-detail", args=["value", record.pk]),
            record.target.label,
        )

    def render_value(self, record):
        return f"{record.value.normalize():f} {record.target.value_measure}"
