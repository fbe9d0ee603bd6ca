from django.contrib import admin

from targets.models import Target, TargetMilestone, TargetQuote


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
