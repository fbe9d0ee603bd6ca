"""Values entered before figures were typed as published: each covered its quarter's end; a
flow (per year, five-year total, growth amounts) was the quarter's increment, and becomes the
year-to-date total it adds up to; 正式数据 ticked is 正式, unticked 快报."""

from collections import defaultdict

from django.db import migrations

FLOWS = ("annual", "cumulative", "growth")


def forward(apps, schema_editor):
    TargetValue = apps.get_model("reports", "TargetValue")
    ReportRevision = apps.get_model("reports", "ReportRevision")
    running = defaultdict(lambda: 0)
    values = TargetValue.objects.select_related("target", "period").order_by(
        "target_id", "unit_id", "series", "period__starts_on"
    )
    for value in values:
        target, period = value.target, value.period
        value.covers_to = period.ends_on
        value.quality = "final" if value.is_final else "preliminary"
        forms = [f.strip() for f in target.entry_forms.split(",") if f.strip()]
        if target.accumulation in FLOWS:
            key = (value.target_id, value.unit_id, value.series, period.year)
            running[key] += value.value
            value.value = running[key]
            value.form = "ytd"
        else:
            value.form = forms[0] if forms else "level"
        value.save(update_fields=["covers_to", "quality", "value", "form"])
    for revision in ReportRevision.objects.filter(target_value__isnull=False):
        content = dict(revision.content)
        if "is_final" in content:
            content["quality"] = "final" if content.pop("is_final") else "preliminary"
            revision.content = content
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_value_form_coverage_and_quality"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
