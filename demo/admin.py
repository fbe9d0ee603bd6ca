from django.contrib import admin

from demo.models import DemoDataset


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    list_display = ["created_at", "seed", "note"]
