"""The admin's pages for plans: the list with archiving, and bringing in a new plan from its
台账 file and its text (targets/onboarding.py) — upload, preview, confirm."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dashboards.plan_forms import PlanFactsForm, SpellingForm, TargetProposalForm, UploadForm
from reports.access import viewer_of
from reports.models import Profile
from targets.models import PlanDraft
from targets.onboarding import (
    DraftNotReady,
    confirm_draft,
    spellings,
    start_draft,
    unit_names,
)
from tasks.archiving import archive_plan
from tasks.context_processors import use_plan
from tasks.models import Plan

SpellingFormSet = formset_factory(SpellingForm, extra=0)
TargetFormSet = formset_factory(TargetProposalForm, extra=0)
TARGET_FIELDS = list(TargetProposalForm.base_fields)


def require_admin(request) -> None:
    if request.user.is_superuser:
        return
    if viewer_of(request).role != Profile.Role.ADMIN:
        raise PermissionDenied(_("只有管理员可以导入和归档行动方案。"))


@require_safe
def plan_manage(request):
    require_admin(request)
    plans = Plan.objects.defer("text").annotate(
        task_count=Count("tasks", distinct=True), target_count=Count("targets", distinct=True)
    )
    drafts = PlanDraft.objects.filter(plan__isnull=True).select_related("created_by")[:20]
    return render(
        request,
        "dashboards/plan_manage.html",
        {"plans": plans, "drafts": drafts, "today": timezone.localdate()},
    )


@require_POST
def plan_archive(request, code):
    require_admin(request)
    plan = get_object_or_404(Plan, code=code)
    try:
        archive_plan(plan=plan, today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request, _("已归档《%(title)s》：只读，评价结果保留。") % {"title": plan.title}
        )
    return redirect("dashboards:plan-manage")


@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_upload(request):
    require_admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ledger_name, ledger_data = form.cleaned_data["ledger_file"]
        text_name, text_data = form.cleaned_data["text_file"]
        draft = start_draft(
            user=request.user, ledger_name=ledger_name, ledger_data=ledger_data,
            text_name=text_name, text_data=text_data,
        )  # fmt: skip
        return redirect("dashboards:onboarding-preview", draft.pk)
    return render(request, "dashboards/onboarding_upload.html", {"form": form})


def _forms(draft: PlanDraft, every: list, post=None):
    data = draft.data
    names = unit_names(data, every)
    open_spellings = [s for s in every if s.how in ("", "mapped", "new")]
    spelling_initial = []
    for s in open_spellings:
        decision = data["spellings"].get(s.text, {})
        new = decision.get("new") or {}
        spelling_initial.append({
            "text": s.text,
            "unit": decision.get("unit") or ("__new__" if new else ""),
            "new_name": new.get("name", s.text),
            "new_kind": new.get("kind", ""),
        })  # fmt: skip
    facts = PlanFactsForm(post, initial=data["plan"], prefix="plan")
    spelling_set = SpellingFormSet(
        post, initial=spelling_initial, prefix="unit", form_kwargs={"units": names}
    )
    target_set = TargetFormSet(
        post,
        initial=[{k: t.get(k) for k in TARGET_FIELDS} for t in data["targets"]],
        prefix="target",
        form_kwargs={"units": names},
    )
    return facts, spelling_set, target_set, open_spellings


@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_preview(request, pk):
    require_admin(request)
    draft = get_object_or_404(PlanDraft, pk=pk)
    if draft.is_confirmed:
        return redirect("tasks:ledger", draft.plan.code)
    post = request.POST if request.method == "POST" else None
    every = spellings(draft.data)
    facts, spelling_set, target_set, open_spellings = _forms(draft, every, post)
    if post is not None:
        valid = facts.is_valid() & spelling_set.is_valid() & target_set.is_valid()
        if valid:
            data = draft.data
            data["plan"] = facts.as_data()
            for form in spelling_set:
                text = form.cleaned_data["text"]
                if text in {s.text for s in open_spellings}:
                    data["spellings"][text] = form.decision()
            for item, form in zip(data["targets"], target_set, strict=True):
                item.update(form.as_data())
            draft.data = data
            draft.save(update_fields=["data", "updated_at"])
            if post.get("action") == "confirm":
                try:
                    plan = confirm_draft(draft=draft, user=request.user)
                except DraftNotReady as error:
                    messages.error(request, "；".join(error.messages))
                else:
                    use_plan(request, plan)
                    messages.success(
                        request,
                        _("已导入《%(title)s》：%(tasks)s 项任务，%(targets)s 个目标指标。")
                        % {"title": plan.title, "tasks": plan.tasks.count(),
                           "targets": plan.targets.count()},
                    )  # fmt: skip
                    return redirect("tasks:ledger", plan.code)
            else:
                messages.success(request, _("已保存。"))
            return redirect("dashboards:onboarding-preview", draft.pk)
        messages.error(request, _("请先改正下面标出的错误，尚未保存。"))
    return _preview(request, draft, every, facts, spelling_set, target_set)


def _preview(request, draft, every, facts, spelling_set, target_set):
    data = draft.data
    section_names = {s["number"]: f"{s['numeral']}{s['title']}" for s in data["sections"]}
    return render(
        request,
        "dashboards/onboarding_preview.html",
        {
            "draft": draft,
            "facts": facts,
            "spelling_set": spelling_set,
            "target_set": target_set,
            "targets": list(zip(data["targets"], target_set, strict=True)),
            "rows": [(r, section_names.get(r["section"], "")) for r in data["ledger"]],
            "sections": data["sections"],
            "spellings": every,
            "unresolved": [s for s in every if not s.unit],
        },
    )
