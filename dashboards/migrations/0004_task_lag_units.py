from django.db import migrations, models


def rebuild_every_plan(apps, schema_editor):
    """The stored task verdicts lack the new fields: the next refresh of each plan (the next
    page, the nightly job or `manage.py rebuild_verdicts`) recomputes all its verdicts."""
    apps.get_model("dashboards", "VerdictState").objects.update(built_version=0, built_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0003_row_json_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskverdict",
            name="lagging_units",
            field=models.JSONField(default=list, verbose_name="报告滞后的单位"),
        ),
        migrations.AddField(
            model_name="taskverdict",
            name="missing_units",
            field=models.JSONField(default=list, verbose_name="未报送的单位"),
        ),
        migrations.RunPython(rebuild_every_plan, migrations.RunPython.noop),
    ]
