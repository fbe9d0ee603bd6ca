from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_PASSWORD, create_demo_accounts
from tasks.models import Unit


class Command(BaseCommand):
    help = "创建或重置演示账号（填报员、审核员、领导、管理员），仅用于开发和培训环境。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="在 DEBUG 关闭（生产）时也创建，慎用"
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭，拒绝创建演示账号（确需创建请加 --force）。")
        if not Unit.objects.exists():
            raise CommandError("还没有责任单位，请先运行 manage.py load_plan。")
        for account in create_demo_accounts():
            self.stdout.write(f"{account.username:10} {account.display_name}")
        self.stdout.write(self.style.SUCCESS(f"演示账号已就绪，密码均为 {DEMO_PASSWORD}"))
