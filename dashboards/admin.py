from django.contrib import admin

from dashboards.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "requested_by", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
