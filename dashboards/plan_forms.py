"""The forms of bringing in a plan (targets/onboarding.py): the files, the plan's facts, what
each unresolved 责任单位 spelling is, and each proposed target. They validate and convert; the
view keeps what they hold in the draft."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from targets.models import Target
from targets.onboarding import NEW_UNIT
from tasks.ledger_files import LedgerFileError, read_ledger
from tasks.models import Plan, Unit
from tasks.plan_text import PlanTextError, read_plan_text

MAX_UPLOAD = 10 * 1024 * 1024
DATE_FORMATS = ["%Y-%m-%d"]


def _read(upload, reader, error_type) -> bytes:
    if upload.size > MAX_UPLOAD:
        raise ValidationError(_("文件超过 10 MB。"))
    data = upload.read()
    try:
        reader(upload.name, data)
    except error_type as error:
        raise ValidationError(str(error)) from error
    return data


class UploadForm(forms.Form):
    ledger_file = forms.FileField(
        label=_("重点任务分工台账"),
        help_text=_(
            "Excel（.xlsx）或 Word（.docx）；须有 序号、重点任务、责任单位、推进措施、完成时限 列。"
        ),
    )
    text_file = forms.FileField(label=_("方案原文"), help_text=_("文本（.txt）或 Word（.docx）。"))

    def clean_ledger_file(self):
        upload = self.cleaned_data["ledger_file"]
        return upload.name, _read(upload, read_ledger, LedgerFileError)

    def clean_text_file(self):
        upload = self.cleaned_data["text_file"]
        return upload.name, _read(upload, read_plan_text, PlanTextError)


class PlanFactsForm(forms.Form):
    code = forms.SlugField(
        label=_("代码"),
        max_length=50,
        help_text=_("用于网址，字母、数字和连字符，如 digital-2026。"),
    )
    title = forms.CharField(label=_("方案名称"), max_length=200)
    doc_number = forms.CharField(label=_("文号"), max_length=50)
    issuer = forms.CharField(label=_("印发单位"), max_length=200, required=False)
    issued_on = forms.DateField(label=_("印发日期"), input_formats=DATE_FORMATS)
    period_start = forms.DateField(label=_("实施期起"), input_formats=DATE_FORMATS)
    period_end = forms.DateField(label=_("实施期止"), input_formats=DATE_FORMATS)
    period_label = forms.CharField(label=_("实施期名称"), max_length=50, required=False)
    cadence = forms.ChoiceField(
        label=_("填报周期"), choices=Plan.Cadence.choices,
        help_text=_("每季度、每半年（1—6月、7—12月）或每年填报一次。"),
    )  # fmt: skip
    due_days = forms.IntegerField(
        label=_("报送截止天数"), min_value=1, max_value=60,
        help_text=_("每个填报期结束后第几天截止。"),
    )  # fmt: skip

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Plan.objects.filter(code=code).exists():
            raise ValidationError(_("已有方案使用这个代码，请换一个。"))
        return code

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", _("实施期止须晚于实施期起。"))
        return data

    def as_data(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in self.cleaned_data.items()
        }


class SpellingForm(forms.Form):
    """What an unresolved spelling is: an existing unit (an alias is made) or a new unit."""

    text = forms.CharField(widget=forms.HiddenInput)
    unit = forms.ChoiceField(label=_("对应单位"), required=False)
    new_name = forms.CharField(label=_("新单位名称"), max_length=100, required=False)
    new_kind = forms.ChoiceField(
        label=_("新单位类别"), choices=[("", "---------"), *Unit.Kind.choices], required=False
    )

    def __init__(self, *args, units: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            ("", _("请选择")), (NEW_UNIT, _("新建单位")), *((n, n) for n in units)
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("unit") == NEW_UNIT:
            name = (data.get("new_name") or "").strip()
            if not name:
                self.add_error("new_name", _("请填写新单位的名称。"))
            elif Unit.objects.filter(name=name).exists():
                self.add_error("new_name", _("已有这个单位，请在“对应单位”中选择它。"))
            if not data.get("new_kind"):
                self.add_error("new_kind", _("请选择新单位的类别。"))
        return data

    def decision(self) -> dict:
        data = self.cleaned_data
        if data.get("unit") == NEW_UNIT:
            return {"new": {"name": data["new_name"].strip(), "kind": data["new_kind"]}}
        if data.get("unit"):
            return {"unit": data["unit"]}
        return {}


class TargetProposalForm(forms.Form):
    accepted = forms.BooleanField(label=_("采用"), required=False)
    label = forms.CharField(label=_("指标"), max_length=200)
    comparator = forms.ChoiceField(label=_("比较方式"), choices=Target.Comparator.choices)
    value = forms.DecimalField(label=_("目标值"), max_digits=12, decimal_places=2, required=False)
    value_high = forms.DecimalField(
        label=_("上限"), max_digits=12, decimal_places=2, required=False
    )
    tolerance = forms.DecimalField(label=_("容差"), max_digits=12, decimal_places=2, required=False)
    measure = forms.ChoiceField(label=_("计量单位"), choices=Target.Measure.choices)
    accumulation = forms.ChoiceField(label=_("计算方式"), choices=Target.Accumulation.choices)
    benchmark_label = forms.CharField(label=_("对标基准"), max_length=100, required=False)
    scope = forms.ChoiceField(label=_("考核范围"), choices=Target.Scope.choices)
    unit = forms.ChoiceField(label=_("责任（报送）单位"))

    def __init__(self, *args, units: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择")), *((n, n) for n in units)]

    def clean(self):
        data = super().clean()
        if not data.get("accepted"):
            return data  # a dropped proposal is kept as it stands, unchecked
        benchmark = data.get("accumulation") == Target.Accumulation.BENCHMARK
        if not benchmark and data.get("value") is None:
            self.add_error("value", _("请填写目标值。"))
        if benchmark and not (data.get("benchmark_label") or "").strip():
            self.add_error("benchmark_label", _("对标类指标须写明基准，如 全省平均水平。"))
        if data.get("comparator") == Target.Comparator.RANGE:
            high, low = data.get("value_high"), data.get("value")
            if high is None or (low is not None and high <= low):
                self.add_error("value_high", _("区间须有大于目标值的上限。"))
        if data.get("comparator") == Target.Comparator.ABOUT and not (
            data.get("tolerance") and data["tolerance"] > 0
        ):
            self.add_error("tolerance", _("“左右”类指标须有大于 0 的容差。"))
        if not data.get("unit"):
            self.add_error("unit", _("请选择责任（报送）单位。"))
        return data

    def as_data(self) -> dict:
        return {
            k: (format(v.normalize(), "f") if isinstance(v, Decimal) else v)
            for k, v in self.cleaned_data.items()
        }
