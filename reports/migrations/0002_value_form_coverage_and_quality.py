from django.db import migrations, models

FORMS = [
    ("level", "时点数（截止日的存量或比重）"),
    ("ytd", "年初至今累计（1—N月累计，至12月即全年）"),
    ("growth", "同比增速（%）"),
    ("to_date", "期初至今累计（如“十四五”以来累计）"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("targets", "0002_target_cadence_and_entry_forms"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetvalue",
            name="form",
            field=models.CharField(choices=FORMS, default="level", max_length=20,
                                   verbose_name="口径"),
        ),
        migrations.AddField(
            model_name="targetvalue",
            name="covers_to",
            field=models.DateField(null=True, verbose_name="数据截止日期"),
        ),
        migrations.AddField(
            model_name="targetvalue",
            name="quality",
            field=models.CharField(
                choices=[("estimate", "预计"), ("preliminary", "快报"), ("final", "正式")],
                default="preliminary",
                max_length=20,
                verbose_name="数据性质",
            ),
        ),
    ]
