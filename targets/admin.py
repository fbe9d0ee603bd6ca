from django.contrib import admin

from targets.models import Target, TargetMilestone, TargetQuote, TargetValue
from tasks.admin import EventInline, ReadOnlyAdmin


class TargetMilestoneInline(admin.TabularInline):
    model = TargetMilestone
    extra = 0


class TargetQuoteInline(admin.TabularInline):
    model = TargetQuote
    extra = 0


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["number", "label", "value", "measure", "comparator", "accumulation", "scope"]
    list_display_links = ["number", "label"]
    list_filter = ["plan", "accumulation", "comparator", "scope", "section"]
    search_fields = ["label", "source_text"]
    filter_horizontal = ["units", "tasks"]
    inlines = [TargetMilestoneInline, TargetQuoteInline]


@admin.register(TargetQuote)
class TargetQuoteAdmin(admin.ModelAdmin):
    list_display = ["target", "location", "text"]
    list_select_related = ["target"]


class ValueEventInline(EventInline):
    fk_name = "target_value"


@admin.register(TargetValue)
class TargetValueAdmin(ReadOnlyAdmin):
    list_display = ["target", "unit", "period", "series", "value", "status", "is_final", "is_late"]
    list_filter = ["status", "series", "is_final", "period"]
    search_fields = ["target__label", "unit__name", "data_source"]
    list_select_related = ["target", "unit", "period"]
    inlines = [ValueEventInline]
