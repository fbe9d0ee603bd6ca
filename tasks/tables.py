import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tasks.links import link_maker
from tasks.models import Task

UNITS_SHOWN = 12  # a task's units shown before the rest are folded


def cell_label(text):
    """Phones show each cell with its column name (see site.css, .ledger td::before)."""
    return {"td": {"data-label": text}}


class LedgerTable(tables.Table):
    """The 台账 as the plan prints it, with the lead unit marked and the measures folded."""

    number = tables.Column(verbose_name=_("序号"), attrs=cell_label(_("序号")))
    title = tables.Column(verbose_name=_("重点任务"), linkify=True, attrs=cell_label(_("重点任务")))
    units = tables.Column(
        verbose_name=_("责任单位"),
        accessor="units_text",
        order_by=("units_text",),
        attrs=cell_label(_("责任单位")),
    )
    measures = tables.Column(
        verbose_name=_("推进措施"), orderable=False, attrs=cell_label(_("推进措施"))
    )
    deadline_text = tables.Column(verbose_name=_("完成时限"), attrs=cell_label(_("完成时限")))

    class Meta:
        model = Task
        fields = ["number", "title", "units", "measures", "deadline_text"]
        order_by = "number"
        attrs = {"class": "ledger"}
        empty_text = _("没有符合条件的任务。")

    def render_units(self, record):
        # Uses the prefetched assignments (TaskQuerySet.with_units): no query per row. A long
        # list (a task every county shares) shows its first units and folds the rest.
        unit_url = self._unit_url()
        links = [
            format_html(
                '<a class="unit{}" href="{}">{}{}</a>',
                " unit-lead" if a.is_lead else "",
                unit_url(a.unit_id),
                a.unit.name,
                format_html('<span class="badge">{}</span>', _("牵头")) if a.is_lead else "",
            )
            for a in record.assignments.all()
        ]
        if len(links) <= UNITS_SHOWN + 2:
            return mark_safe("".join(links))
        rest = len(links) - UNITS_SHOWN
        return format_html(
            '{}<details class="more-units"><summary>{}</summary>{}</details>',
            mark_safe("".join(links[:UNITS_SHOWN])),
            ngettext("其余 %(n)s 个单位", "其余 %(n)s 个单位", rest) % {"n": rest},
            mark_safe("".join(links[UNITS_SHOWN:])),
        )

    def _unit_url(self):
        if not hasattr(self, "_unit_link"):
            self._unit_link = link_maker("targets:unit-detail")
        return self._unit_link

    def render_measures(self, value):
        summary = Truncator(value).chars(36, truncate="…")
        return format_html(
            '<details class="measures"><summary>{}</summary><div>{}</div></details>', summary, value
        )
