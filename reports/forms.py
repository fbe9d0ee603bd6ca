"""The reporter's forms and the reviewer's return comment: they validate and convert."""

from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from reports.attachments import (
    MAX_BYTES,
    MAX_FILES_PER_REPORT,
    UploadError,
    check_upload,
    too_big_message,
)
from reports.models import ProgressReport, TargetValue
from targets.measures import value_error
from targets.models import Target
from targets.numbers import parse_number


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); checked in the form's clean."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """A unit's quarterly report on one task. Validates and converts; saving is the workflow's."""

    progress = forms.CharField(
        label=_("工作进展"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写工作进展。")},
    )
    completion = forms.ChoiceField(
        label=_("完成情况"),
        choices=ProgressReport.Completion.choices,
        error_messages={
            "required": _("请选择完成情况。"),
            "invalid_choice": _("请从列表中选择完成情况。"),
        },
    )
    percent = forms.IntegerField(
        label=_("完成进度（%）"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("请填写完成进度。"),
            "invalid": _("完成进度应为 0 到 100 的整数。"),
            "min_value": _("完成进度应在 0 到 100 之间。"),
            "max_value": _("完成进度应在 0 到 100 之间。"),
        },
    )
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("下步计划"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("可上传 PDF、Word、Excel 和图片，每个不超过 10 MB，最多 10 个。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    late_ok = forms.BooleanField(label=_("逾期补报"), required=False)

    def __init__(self, *args, existing_attachments: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_attachments = existing_attachments

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) + self.existing_attachments > MAX_FILES_PER_REPORT:
            raise forms.ValidationError(
                _("每份报告最多 %(n)s 个附件。") % {"n": MAX_FILES_PER_REPORT}
            )
        checked = []
        errors = []
        for upload in files:
            if upload.size > MAX_BYTES:
                errors.append(too_big_message(upload.name))
                continue
            data = upload.read()
            try:
                checked.append((check_upload(upload.name, data), data))
            except UploadError as error:
                errors.append(str(error))
        if errors:
            raise forms.ValidationError(errors)
        return checked

    def content(self) -> dict:
        return {name: self.cleaned_data[name] for name in ProgressReport.CONTENT_FIELDS}


class ValueForm(forms.Form):
    """A figure as its source prints it: the number, its form (口径), the last day it covers,
    its quality (预计/快报/正式) and where it comes from."""

    # A text box, not <input type="number">: browsers would refuse ５５％, 1,234.5 or a
    # full-width point before the server sees them; targets/numbers.py reads all of them.
    value = forms.CharField(
        label=_("数值"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("请填写数值。")},
    )
    form = forms.ChoiceField(
        label=_("口径"),
        error_messages={
            "required": _("请选择口径。"),
            "invalid_choice": _("这个指标不按这个口径填报，请从列表中选择。"),
        },
    )
    covers_to = forms.DateField(
        label=_("数据截止日期"),
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("数据所反映的最后一天：1—10月累计填 10月31日，年末数填 12月31日。"),
        error_messages={
            "required": _("请填写数据截止日期。"),
            "invalid": _("请按 2025-10-31 的格式填写日期。"),
        },
    )
    quality = forms.ChoiceField(
        label=_("数据性质"),
        choices=TargetValue.Quality.choices,
        help_text=_("预计数（如年终总结中的“预计达到”）不会被判定为“已达成”。"),
        error_messages={
            "required": _("请选择数据性质。"),
            "invalid_choice": _("请从列表中选择数据性质。"),
        },
    )
    data_source = forms.CharField(
        label=_("数据来源"),
        max_length=200,
        error_messages={
            "required": _("请注明数据来源，如统计公报、认定文件。"),
            "max_length": _("数据来源最多 %(limit_value)d 个字（现在 %(show_value)d 个）。"),
        },
    )
    remarks = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    late_ok = forms.BooleanField(label=_("逾期补报"), required=False)

    def __init__(self, *args, target: Target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        stored = self.initial.get("value")
        if isinstance(stored, Decimal) and stored.is_finite():
            self.initial["value"] = format(stored.normalize(), "f")  # 1334.00 → 1334
        self.fields["form"].choices = target.form_choices
        self.fields["value"].label = _("数值（%(measure)s）") % {"measure": target.value_measure}

    def clean(self):
        cleaned = super().clean()
        raw, form = cleaned.get("value"), cleaned.get("form")
        if raw is None or form is None or "value" in self.errors:
            return cleaned
        field = TargetValue._meta.get_field("value")
        measure = self.target.measure_of(form)
        try:
            value = parse_number(
                raw,
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
                percent=measure == Target.Measure.PERCENT,
            )
        except forms.ValidationError as error:
            self.add_error("value", error)
            return cleaned
        error = value_error(measure, value, form=form)
        if error:
            self.add_error("value", error)
        else:
            cleaned["value"] = value
        return cleaned

    def content(self) -> dict:
        return {name: self.cleaned_data[name] for name in TargetValue.CONTENT_FIELDS}


class CorrectionForm(ValueForm):
    """An approved figure as it should read, and why (快报 → 正式, a revised figure, a typo)."""

    reason = forms.CharField(
        label=_("更正原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请说明更正原因，如“统计公报正式数据”“修正录入错误”。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("version", "late_ok"):
            del self.fields[name]


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填，写明需要修改的内容，将显示给填报单位。"),
        error_messages={"required": _("退回时必须填写退回意见。")},
    )


class RejectCorrectionForm(forms.Form):
    """Why the plan office does not take a proposed correction; shown to the unit."""

    comment = forms.CharField(
        label=_("不采纳的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("不采纳更正时必须说明理由。")},
    )

    def __init__(self, *args, **kwargs):
        # Its own ids (id_correction_comment): the return form on the same page has id_comment.
        kwargs.setdefault("auto_id", "id_correction_%s")
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    """Django's login form, its required fields asked for by name (the page has novalidate)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.error_messages["required"] = _("请填写用户名。")
        self.fields["password"].error_messages["required"] = _("请填写密码。")
        # Django gives the field a maxlength attribute but no check: without the browser's
        # limit a longer name would only fail to sign in; say why, and count no failed login.
        username.validators.append(
            MaxLengthValidator(
                username.max_length,
                _("用户名最多 %(limit_value)d 个字符（现在 %(show_value)d 个）。"),
            )
        )
