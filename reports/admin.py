from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from reports.models import (
    Attachment,
    Profile,
    ProgressReport,
    Reminder,
    ReportEvent,
    ReportRevision,
    TargetValue,
    ValueCorrection,
)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = [
        "username",
        "first_name",
        "is_active",
        "is_staff",
        "profile_role",
        "profile_unit",
    ]
    list_select_related = ["profile__unit"]

    @admin.display(description=_("角色"))
    def profile_role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("所属单位"))
    def profile_unit(self, user):
        profile = getattr(user, "profile", None)
        return profile.unit.name if profile and profile.unit_id else "—"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reports change only through the workflow (reports/workflow.py), which keeps their history;
    the admin shows them but never edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "comment", "version"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["task", "unit", "period", "status", "completion", "percent", "is_late"]
    list_filter = ["status", "is_late", "period", "unit"]
    search_fields = ["task__title", "unit__name", "progress"]
    list_select_related = ["task", "unit", "period"]
    inlines = [EventInline]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "report", "target_value", "comment"]
    list_filter = ["action"]
    list_select_related = [
        "actor",
        "report__task",
        "report__unit",
        "report__period",
        "target_value__target",
        "target_value__unit",
        "target_value__period",
    ]


@admin.register(ReportRevision)
class ReportRevisionAdmin(ReadOnlyAdmin):
    list_display = ["version", "report", "target_value", "changed_by", "changed_at"]
    list_select_related = [
        "changed_by",
        "report__task",
        "report__unit",
        "report__period",
        "target_value__target",
        "target_value__unit",
        "target_value__period",
    ]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["uploaded_by", "report__task", "report__unit", "report__period"]


class ValueEventInline(EventInline):
    fk_name = "target_value"


@admin.register(TargetValue)
class TargetValueAdmin(ReadOnlyAdmin):
    list_display = ["target", "unit", "period", "series", "value", "status", "quality", "is_late"]
    list_filter = ["status", "series", "quality", "period"]
    search_fields = ["target__label", "unit__name", "data_source"]
    list_select_related = ["target", "unit", "period"]
    inlines = [ValueEventInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "period", "unit", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["period", "unit"]


@admin.register(ValueCorrection)
class ValueCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["target_value", "status", "value", "quality", "proposed_by", "proposed_at"]
    list_filter = ["status", "quality"]
    list_select_related = ["target_value__target", "target_value__unit", "target_value__period",
                           "proposed_by"]  # fmt: skip
