from django.core.management.base import BaseCommand, CommandError

from targets.loading import load_plan
from tasks.units import UnknownUnitError


class Command(BaseCommand):
    help = "从 fixtures/ 导入责任单位、行动方案、重点任务台账和目标指标（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan",
            action="append",
            dest="plans",
            metavar="CODE",
            help="只导入这个方案（fixtures/ 下的目录名），可多次指定",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")

    def handle(self, *args, plans=None, dry_run=False, **options):
        try:
            result = load_plan(plan_codes=plans, dry_run=dry_run)
        except (UnknownUnitError, ValueError) as error:
            raise CommandError(str(error)) from error
        prefix = "（试运行，未写入）" if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}导入完成：{result.summary()}"))
