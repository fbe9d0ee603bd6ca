import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "发送报送提醒：截止前7天、前1天提醒未报齐单位的填报员，截止次日向审核员发送逾期单位汇总。"
        "每条提醒只发送一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="按哪一天计算提醒，格式 YYYY-MM-DD（默认今天），用于补发"
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出将发送的提醒，不发送")

    def handle(self, *args, date=None, dry_run=False, **options):
        today = _parse_date(date) if date else timezone.localdate()
        reminders = send_due_reminders(today=today, dry_run=dry_run)
        day = f"{today:%Y-%m-%d}"
        if not reminders:
            self.stdout.write(f"{day} 没有需要发送的提醒。")
            return
        verb = "将发送" if dry_run else "已发送"
        for reminder in reminders:
            to = reminder.recipients or "（无收件人，仅记录，不发送）"
            self.stdout.write(f"{verb}：{reminder.subject}\n  收件人：{to}")
        prefix = "（试运行，未发送也未记录）" if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{day} {verb}提醒 {len(reminders)} 条。"))


def _parse_date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"日期格式不正确：“{value}”，请使用 YYYY-MM-DD，如 2024-07-03。"
        ) from None
