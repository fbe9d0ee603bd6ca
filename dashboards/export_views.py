"""导出台账: ask for an export, watch it run, download the file."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from dashboards.export_requests import can_export, start_export
from dashboards.models import ExportJob
from reports.access import viewer_for
from tasks.context_processors import current_plan
from tasks.models import Plan, ReportingPeriod, Unit

CONTENT_TYPES = {
    ExportJob.Kind.LEDGER: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportJob.Kind.BRIEFING: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
}


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ExportJob.Kind.choices,
        initial=ExportJob.Kind.LEDGER,
        required=False,
        label=gettext_lazy("文件"),
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": gettext_lazy("没有这种文件。"),
        },
    )
    layout = forms.ChoiceField(
        choices=ExportJob.Layout.choices,
        initial=ExportJob.Layout.A4,
        required=False,
        label=gettext_lazy("台账版式"),
        help_text=gettext_lazy(
            "A4 会议版和 A3 版打印字号不小于 9 磅；屏幕版列全、字小，适合在电脑上看。"
        ),
        error_messages={"invalid_choice": gettext_lazy("没有这种版式。")},
    )
    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        label=gettext_lazy("填报期"),
        error_messages={
            "required": gettext_lazy("请选择填报期。"),
            "invalid_choice": gettext_lazy("没有这个填报期。"),
        },
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.countable(),
        label=gettext_lazy("单位"),
        required=False,
        empty_label=gettext_lazy("全部单位"),
        error_messages={"invalid_choice": gettext_lazy("没有这个单位。")},
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = ReportingPeriod.objects.in_plan(plan)

    def clean_kind(self):
        return self.cleaned_data["kind"] or ExportJob.Kind.LEDGER

    def clean_layout(self):
        return self.cleaned_data["layout"] or ExportJob.Layout.A4


def _context(request):
    viewer = viewer_for(request.user)
    if viewer.role is None:
        raise PermissionDenied(_("您的账号还没有分配角色，请联系管理员。"))
    plan = current_plan(request)
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    return viewer, plan


def _page(request, viewer, form):
    """The page with the form: a reporter is offered their own unit only."""
    if not viewer.reads_everything:
        form.fields["unit"].queryset = Unit.objects.filter(pk=viewer.unit_id)
        form.fields["unit"].empty_label = None
        # The 通报 is for the plan office and leadership: a reporter exports the 台账 only.
        form.fields["kind"].choices = [(ExportJob.Kind.LEDGER, ExportJob.Kind.LEDGER.label)]
    jobs = ExportJob.objects.filter(requested_by=request.user).select_related("period", "unit")[:20]
    return render(
        request,
        "dashboards/exports.html",
        {
            "form": form,
            "jobs": jobs,
            # Not while the form shows an error: the reload would take it away.
            "refresh": not form.errors and any(not job.is_finished for job in jobs),
        },
    )


@require_safe
def export_page(request):
    viewer, plan = _context(request)
    return _page(request, viewer, ExportForm(plan=plan))


@require_POST
def export_start(request):
    viewer, plan = _context(request)
    form = ExportForm(request.POST, plan=plan)
    if not form.is_valid():
        # The page again, each error beside its field; no export is started. The unit is
        # checked below against the viewer (403), not here, so the form takes any unit.
        return _page(request, viewer, form)
    kind, unit = form.cleaned_data["kind"], form.cleaned_data["unit"]
    if kind == ExportJob.Kind.BRIEFING:
        unit = None  # the 通报 covers the whole plan
    elif not viewer.reads_everything and unit is None:
        unit = Unit.objects.filter(pk=viewer.unit_id).first()
    if not can_export(viewer, unit, kind):
        raise PermissionDenied(
            _("季度通报只供市科技局、领导和管理员导出。")
            if kind == ExportJob.Kind.BRIEFING
            else _("填报员只能导出本单位的台账。")
        )
    job = start_export(
        user=request.user,
        plan=plan,
        period=form.cleaned_data["period"],
        unit=unit,
        kind=kind,
        layout=form.cleaned_data["layout"],
    )
    messages.success(request, _("已开始生成：%(name)s") % {"name": job.filename})
    return redirect("dashboards:exports")


@require_safe
def export_download(request, pk):
    viewer, _plan = _context(request)
    job = get_object_or_404(ExportJob, pk=pk)
    # Your own exports; the plan office, leaders and admins may fetch anyone's.
    if job.requested_by_id != request.user.pk and not viewer.reads_everything:
        raise Http404(_("没有这个导出文件。"))
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("文件还没有生成好。"))
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.kind],
    )
