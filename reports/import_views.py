"""The offline Excel route for reporters: download the unit's template, upload it filled in.

Only reporters (填报员) use it, for their own unit; the rules are in reports/importing.py.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from reports import excel_template, importing, package_checks, template_format
from reports.access import viewer_for
from tasks.models import Plan, ReportingPeriod, Unit
from tasks.periods import open_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- access helpers ---------------------------------------------------------------------


def _reporter_unit(request) -> Unit:
    viewer = viewer_for(request.user)
    if not viewer.is_reporter:
        raise PermissionDenied(_("只有填报员可以填报。"))
    return Unit.objects.get(pk=viewer.unit_id)


def _plan() -> Plan:
    plan = Plan.objects.default()
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    return plan


def _started_periods(plan: Plan):
    return ReportingPeriod.objects.in_plan(plan).filter(starts_on__lte=timezone.localdate())


def _chosen_period(raw: str, periods: list[ReportingPeriod]) -> ReportingPeriod:
    """The period asked for by id, else the open one, else the latest that has started."""
    if raw:
        period = next((p for p in periods if raw.isdecimal() and p.pk == int(raw)), None)
        if period is None:
            raise Http404(_("没有这个填报期。"))
        return period
    period = open_period(periods, timezone.localdate()) or (periods[-1] if periods else None)
    if period is None:
        raise Http404(_("填报期尚未开始。"))
    return period


# --- views --------------------------------------------------------------------------------


@require_safe
def template_download(request):
    unit = _reporter_unit(request)
    plan = _plan()
    period = _chosen_period(request.GET.get("period", ""), list(_started_periods(plan)))
    response = HttpResponse(
        excel_template.build_template(unit=unit, period=period), content_type=XLSX
    )
    response["Content-Disposition"] = content_disposition_header(
        True, template_format.template_filename(unit, period)
    )
    return response


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label}（{_('已关闭')}）" if obj.is_closed else obj.label


class ImportForm(forms.Form):
    period = PeriodChoiceField(
        queryset=ReportingPeriod.objects.none(),
        label=gettext_lazy("填报期"),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("请选择填报期。"),
            "invalid_choice": gettext_lazy("没有这个填报期。"),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("填好的模板（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=gettext_lazy(
            "只接受本系统下载的 .xlsx 模板，不超过 5 MB；不接受含宏或设置了密码的文件。"
        ),
        error_messages={
            "required": gettext_lazy("请选择要导入的 Excel 文件。"),
            "empty": gettext_lazy("文件是空的。"),
        },
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods


@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request):
    unit = _reporter_unit(request)
    plan = _plan()
    periods = _started_periods(plan)
    refused = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, periods=periods)
        if form.is_valid():
            period, upload = form.cleaned_data["period"], form.cleaned_data["file"]
            try:
                if upload.size > package_checks.MAX_BYTES:  # refuse before reading it into memory
                    raise template_format.ImportRefused(package_checks.too_big_message(upload.name))
                summary = importing.import_template(
                    name=upload.name, data=upload.read(), unit=unit, period=period,
                    user=request.user,
                )  # fmt: skip
            except template_format.ImportRefused as error:
                refused = error
            else:
                messages.success(
                    request,
                    _(
                        "导入完成：新建 %(created)s 份、更新 %(updated)s 份、未变 %(unchanged)s 份"
                        "（%(skipped)s 行留空，未导入）。"
                        "导入的内容是草稿，请到“我的填报”核对后逐项报送。"
                    )
                    % {
                        "created": summary.created,
                        "updated": summary.updated,
                        "unchanged": summary.unchanged,
                        "skipped": summary.skipped,
                    },
                )
                return redirect(f"{reverse('reports:import')}?period={period.pk}")
    else:
        period = _chosen_period(request.GET.get("period", ""), list(periods))
        form = ImportForm(initial={"period": period}, periods=periods)
    chosen = form["period"].value()
    return render(
        request,
        "reports/import.html",
        {
            "unit": unit,
            "form": form,
            "period_id": chosen,
            "refused": refused,
        },
    )
