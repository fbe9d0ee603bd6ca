from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.seeding import clear_demo, seed_demo
from tasks.models import Plan


class Command(BaseCommand):
    help = "生成演示数据：2022年二季度以来各单位的进展报告和指标数值（固定随机种子，可重复）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022, help="随机种子（默认 2022）")
        parser.add_argument("--clear", action="store_true", help="删除演示数据（真实数据不受影响）")
        parser.add_argument("--dry-run", action="store_true", help="只报告将生成多少数据，不写入")

    def handle(self, *args, seed=2022, clear=False, dry_run=False, **options):
        if clear:
            removed = clear_demo()
            self.stdout.write(self.style.SUCCESS(f"已删除演示数据（{removed} 条记录）。"))
            return
        plan = Plan.objects.default()
        if plan is None:
            raise CommandError("还没有行动方案，请先运行 manage.py load_plan。")
        with transaction.atomic():
            result = seed_demo(plan=plan, seed=seed)
            if dry_run:
                transaction.set_rollback(True)
        if result.skipped:
            self.stdout.write(
                "演示数据已存在，未重复生成（如需重建：seed_demo --clear 后再运行）。"
            )
            return
        prefix = "（试运行，未写入）" if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}已生成演示数据：进展报告 {result.reports} 份，"
                f"指标数值 {result.values} 条。"
            )
        )
