"""The offline Excel route for reporters: download the unit's template, upload it filled in.

Only reporters (填报员) use it, for their own unit; the rules are in reports/importing.py.

An upload is imported at once, unless some of its rows repeat last quarter's reports: then
nothing is saved yet, the page says how many rows and asks whether to import them, and the
file waits in the cache (one per reporter, PENDING_SECONDS) for the answer, which imports it,
checked again from the start, in one transaction. The cache is Redis in production, shared by
every web process; the per-process cache of a development server serves its one process.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from reports import excel_template, importing, package_checks, template_format
from reports.access import viewer_for
from tasks.context_processors import current_plan
from tasks.models import Plan, ReportingPeriod, Unit
from tasks.periods import open_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long an uploaded file waits for the reporter's answer: as long as a session stays signed
# in without a request (SESSION_IDLE_MINUTES' default).
PENDING_SECONDS = 30 * 60
Repeats = importing.Repeats


# --- access helpers ---------------------------------------------------------------------


def _reporter_unit(request) -> Unit:
    viewer = viewer_for(request.user)
    if not viewer.is_reporter:
        raise PermissionDenied(_("只有填报员可以填报。"))
    return Unit.objects.get(pk=viewer.unit_id)


def _plan(request) -> Plan:
    plan = current_plan(request)
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
    plan = _plan(request)
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


class RepeatsForm(forms.Form):
    """The answer to the preview: whether rows the same as last quarter are imported too."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    repeats = forms.ChoiceField(
        label=gettext_lazy("与上季度内容相同的行"),
        choices=[
            (Repeats.LEAVE_OUT, gettext_lazy("不导入这些行，只保存有改动的行")),
            (Repeats.INCLUDE, gettext_lazy("也导入这些行，作为本季度的草稿（内容与上季度相同）")),
        ],
        initial=Repeats.LEAVE_OUT,
        widget=forms.RadioSelect,
        required=False,  # no answer is the default answer: leave them out
    )


def _pending_key(request) -> str:
    return f"reports:import-pending:{request.user.pk}"


def _keep_pending(request, *, unit: Unit, period: ReportingPeriod, name: str, data: bytes) -> str:
    """Keep the uploaded file for the reporter's answer (a newer upload replaces it)."""
    token = secrets.token_urlsafe(32)
    pending = {"token": token, "unit": unit.pk, "period": period.pk, "name": name, "data": data}
    cache.set(_pending_key(request), pending, PENDING_SECONDS)
    return token


def _take_pending(request, token: str, unit: Unit) -> dict | None:
    """The file kept for this answer, taken out of the cache (an answer is used once)."""
    pending = cache.get(_pending_key(request))
    if not pending or not constant_time_compare(pending["token"], token or ""):
        return None
    cache.delete(_pending_key(request))
    return pending if pending["unit"] == unit.pk else None


def _imported(request, period: ReportingPeriod, summary) -> HttpResponse:
    text = _(
        "导入完成：新建 %(created)s 份、更新 %(updated)s 份、未变 %(unchanged)s 份"
        "（%(skipped)s 行留空，未导入）。"
        "导入的内容是草稿，请到“我的填报”核对后逐项报送。"
    ) % {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": summary.skipped,
    }
    count = len(summary.repeated)
    if count and summary.repeats_included:
        text += ngettext(
            "其中 %(count)s 行与上季度内容相同，已按您的确认作为草稿导入。",
            "其中 %(count)s 行与上季度内容相同，已按您的确认作为草稿导入。",
            count,
        ) % {"count": count}
    elif count:
        text += ngettext(
            "另有 %(count)s 行与上季度内容相同，按您的选择没有导入。",
            "另有 %(count)s 行与上季度内容相同，按您的选择没有导入。",
            count,
        ) % {"count": count}
    messages.success(request, text)
    return redirect(f"{reverse('reports:import')}?period={period.pk}")


def _page(request, unit: Unit, form: ImportForm, **context) -> HttpResponse:
    return render(
        request,
        "reports/import.html",
        {"unit": unit, "form": form, "period_id": form["period"].value(), "refused": None,
         **context},
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request):
    unit = _reporter_unit(request)
    plan = _plan(request)
    periods = _started_periods(plan)
    if request.method == "POST" and "token" in request.POST:
        return _answer(request, unit, periods)
    refused = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, periods=periods)
        if form.is_valid():
            period, upload = form.cleaned_data["period"], form.cleaned_data["file"]
            try:
                if upload.size > package_checks.MAX_BYTES:  # refuse before reading it into memory
                    raise template_format.ImportRefused(package_checks.too_big_message(upload.name))
                data = upload.read()
                summary = importing.import_template(
                    name=upload.name, data=data, unit=unit, period=period, user=request.user,
                    repeats=Repeats.ASK,
                )  # fmt: skip
            except template_format.ChoiceNeeded as needed:
                token = _keep_pending(request, unit=unit, period=period, name=upload.name,
                                      data=data)  # fmt: skip
                return _page(
                    request, unit, form, period=period, preview=needed.preview,
                    choice=RepeatsForm(initial={"token": token}),
                )  # fmt: skip
            except template_format.ImportRefused as error:
                refused = error
            else:
                return _imported(request, period, summary)
    else:
        period = _chosen_period(request.GET.get("period", ""), list(periods))
        form = ImportForm(initial={"period": period}, periods=periods)
    return _page(request, unit, form, refused=refused)


def _answer(request, unit: Unit, periods) -> HttpResponse:
    """The preview answered: import the kept file, leaving out or including the repeated rows."""
    choice = RepeatsForm(request.POST)
    pending = _take_pending(request, request.POST.get("token", ""), unit)
    period = periods.filter(pk=pending["period"]).first() if pending else None
    form = ImportForm(initial={"period": period}, periods=periods)
    if period is None or not choice.is_valid():
        expired = _(
            "没有导入任何内容：这份文件的确认已过期（上传后 %(minutes)s 分钟内有效）或已经处理过。"
            "请重新上传填好的模板。"
        ) % {"minutes": PENDING_SECONDS // 60}
        return _page(request, unit, form, refused=template_format.ImportRefused(expired))
    try:
        summary = importing.import_template(
            name=pending["name"], data=pending["data"], unit=unit, period=period,
            user=request.user, repeats=choice.cleaned_data["repeats"] or Repeats.LEAVE_OUT,
        )  # fmt: skip
    except template_format.ImportRefused as error:
        return _page(request, unit, form, refused=error)
    return _imported(request, period, summary)
