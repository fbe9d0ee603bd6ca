from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.models import (
    Attachment,
    Plan,
    Profile,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    ReportRevision,
    Section,
    Task,
    TaskUnit,
    Unit,
    UnitAlias,
)

admin.site.site_header = _("南阳市创新创业行动 管理后台")
admin.site.site_title = _("创新创业行动管理后台")
admin.site.index_title = _("数据管理")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "doc_number", "issued_on", "period_start", "period_end"]
    search_fields = ["title", "doc_number"]


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__alias"]
    filter_horizontal = ["members"]
    inlines = [UnitAliasInline]


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "unit"]
    search_fields = ["alias", "unit__name"]
    list_select_related = ["unit"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["numeral", "title", "plan", "units_text"]
    list_filter = ["plan"]
    filter_horizontal = ["units"]
    list_select_related = ["plan"]


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "units_text", "section", "deadline_text"]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "section"]
    search_fields = ["title", "measures", "units_text"]
    list_select_related = ["section"]
    inlines = [TaskUnitInline]


@admin.register(TaskUnit)
class TaskUnitAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "role", "position"]
    list_filter = ["role", "unit"]
    list_select_related = ["task", "unit"]


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


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "plan", "starts_on", "ends_on", "due_on", "is_closed"]
    list_editable = ["due_on"]
    list_filter = ["plan", "year"]
    actions = ["close_periods", "reopen_periods"]

    @admin.display(description=_("填报期"))
    def label(self, period):
        return period.label

    @admin.display(description=_("已关闭"), boolean=True)
    def is_closed(self, period):
        return period.is_closed

    @admin.action(description=_("关闭所选填报期"))
    def close_periods(self, request, queryset):
        queryset.filter(closed_at__isnull=True).update(closed_at=timezone.now())

    @admin.action(description=_("重新开放所选填报期"))
    def reopen_periods(self, request, queryset):
        queryset.update(closed_at=None)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reports change only through the workflow (tasks/workflow.py), which keeps their history;
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
