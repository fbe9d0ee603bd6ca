from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="target",
            name="cadence",
            field=models.CharField(
                choices=[("quarterly", "每季度"), ("annual", "每年一次")],
                default="quarterly",
                help_text="每年一次的指标只在第四季度填报期报送，截止日期见下。",
                max_length=20,
                verbose_name="报送频次",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="due_months",
            field=models.PositiveSmallIntegerField(
                default=6,
                help_text="每年一次的指标：年度数据在次年第几个月底前报送（统计公报、年报公布后）。",
                verbose_name="年度数据报送月数",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="entry_forms",
            field=models.CharField(
                default="level",
                help_text="逗号分隔：level 时点数、ytd 年初至今累计、growth 同比增速、to_date 期初至今累计。",
                max_length=60,
                verbose_name="可填报口径",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="start_stock",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="“新建……”类累计指标：实施期开始时已有的数量，用于由总量推算新增数。",
                max_digits=14,
                null=True,
                verbose_name="期初存量",
            ),
        ),
    ]
