from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_fill_value_coverage_and_quality"),
    ]

    operations = [
        migrations.AlterField(
            model_name="targetvalue",
            name="covers_to",
            field=models.DateField(
                help_text="数据所反映的最后一天，如 1—10月累计 为 10月31日。",
                verbose_name="数据截止日期",
            ),
        ),
        migrations.RemoveField(model_name="targetvalue", name="is_final"),
    ]
