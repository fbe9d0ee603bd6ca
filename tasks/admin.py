from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.models import Plan, ReportingPeriod, Section, Task, TaskUnit, Unit, UnitAlias

admin.site.site_header = _("南阳市创新创业行动 管理后台")
admin.site.site_title = _("创新创业行动管理后台")
admin.site.index_title = _("数据管理")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "doc_number",
        "issued_on",
        "period_start",
        "period_end",
        "cadence",
        "archived_at",
    ]
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
