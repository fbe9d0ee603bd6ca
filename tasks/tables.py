import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

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
        return format_html_join(
            "",
            '<a class="unit{}" href="{}">{}{}</a>',
            (
                (
                    " unit-lead" if a.is_lead else "",
                    reverse("tasks:unit-detail", args=[a.unit_id]),
                    a.unit.name,
                    format_html('<span class="badge">{}</span>', _("牵头")) if a.is_lead else "",
                )
                for a in record.assignments.all()
            ),
        )

    def render_measures(self, value):
        summary = Truncator(value).chars(36, truncate="…")
        return format_html(
            '<details class="measures"><summary>{}</summary><div>{}</div></details>', summary, value
        )
