from django import forms
from django.utils.translation import gettext_lazy as _

from tasks.models import Plan, Section, Unit


class LedgerFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(),
        required=False,
        label=_("责任单位"),
        empty_label=_("全部单位"),
        error_messages={"invalid_choice": _("没有这个责任单位，请从列表中选择。")},
    )
    section = forms.ModelChoiceField(
        queryset=Section.objects.none(),
        required=False,
        label=_("任务板块"),
        empty_label=_("全部板块"),
        error_messages={"invalid_choice": _("没有这个任务板块，请从列表中选择。")},
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(plan=plan)
