from django.contrib import admin

from reports.models import DemoDataset, ExportJob, Reminder


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    list_display = ["created_at", "seed", "note"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "requested_by", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["requested_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "period", "unit", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["period", "unit"]
