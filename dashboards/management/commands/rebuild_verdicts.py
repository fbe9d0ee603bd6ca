"""manage.py rebuild_verdicts [--plan CODE] [--dry-run]: recompute every stored verdict
(dashboards/verdicts.py) from the data, and say how many rows differed from what was stored."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards.verdicts import refresh
from tasks.models import Plan

NAMES = {"target": "指标判定", "task": "任务状态", "standing": "单位报送记录"}


class Command(BaseCommand):
    help = "重新计算所有存储的判定（指标、任务状态、单位报送记录）；--dry-run 只报告将改变的条数。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="只重算这个行动方案（代码），默认全部")
        parser.add_argument("--dry-run", action="store_true", help="只计算和比较，不写入")

    def handle(self, *args, plan=None, dry_run=False, **options):
        plans = Plan.objects.order_by("pk")
        if plan:
            plans = plans.filter(code=plan)
            if not plans.exists():
                raise CommandError(f"没有代码为 {plan} 的行动方案。")
        today = timezone.localdate()
        verb = "将改变" if dry_run else "已改变"
        for each in plans:
            outcome = refresh(each, today, full=True, dry_run=dry_run)
            parts = []
            for kind, name in NAMES.items():
                changed, written = outcome.changed.get(kind, 0), outcome.written.get(kind, 0)
                parts.append(f"{changed} 条{name}{verb}（共 {written} 条）")
            self.stdout.write(f"{each.title}（按 {today:%Y-%m-%d} 判定）：" + "；".join(parts))
