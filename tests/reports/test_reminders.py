"""Reminder e-mails (reports/reminders.py): 2024 Q2 is due 2024-07-10, so 07-03 is the week-before
day, 07-09 the day-before day and 07-11 the day the reviewers get the overdue digest."""

import datetime as dt
import smtplib
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from reports.jobs import send_reminders
from reports.models import Profile, Reminder
from reports.reminders import reminder_kind, send_due_reminders
from reports.workflow import submit_record
from tasks.models import ReportingPeriod
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = dt.date(2024, 7, 10)
WEEK_BEFORE, DAY_BEFORE, DAY_AFTER = dt.date(2024, 7, 3), dt.date(2024, 7, 9), dt.date(2024, 7, 11)


def with_email(user, email):
    user.email = email
    user.save(update_fields=["email"])
    return user


def reporter(username, unit_name, email="", **extra):
    user = get_user_model().objects.create_user(username=username, email=email, **extra)
    Profile.objects.create(user=user, role=Profile.Role.REPORTER, unit=f.unit(unit_name))
    return user


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def submit_everything_for_education(plan):
    """市教育局 owes only tasks 7 and 21 (no target): report and submit both before 07-03."""
    user = reporter("jyj-reporter", "市教育局", "jyj@example.cn")
    with time_machine.travel(dt.datetime(2024, 7, 1, 9, tzinfo=SHANGHAI), tick=False):
        for number in (7, 21):
            report = f.make_report(user, plan, number=number, unit_name="市教育局")
            submit_record(record=report, user=user, version=report.version)
    return user


# --- which day is which (no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "kind"),
    [
        (dt.date(2024, 7, 2), None),
        (WEEK_BEFORE, "week_before"),
        (dt.date(2024, 7, 4), None),
        (dt.date(2024, 7, 8), None),
        (DAY_BEFORE, "day_before"),
        (DUE, None),
        (DAY_AFTER, "overdue"),
        (dt.date(2024, 7, 12), None),
    ],
)
def test_a_reminder_falls_due_only_seven_days_and_one_day_before_and_one_day_after(today, kind):
    period = ReportingPeriod(
        year=2024, quarter=2, starts_on=dt.date(2024, 4, 1), ends_on=dt.date(2024, 6, 30),
        due_on=DUE,
    )  # fmt: skip
    assert reminder_kind(period, today) == kind


def test_a_closed_period_never_has_a_reminder_due():
    period = ReportingPeriod(due_on=DUE, closed_at=dt.datetime(2024, 7, 1, tzinfo=SHANGHAI))
    assert [reminder_kind(period, day) for day in (WEEK_BEFORE, DAY_BEFORE, DAY_AFTER)] == [
        None
    ] * 3


# --- reminders to the units -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_week_before_the_due_date_a_unit_that_owes_gets_one_mail_to_its_reporters_listing_what_is_missing(
    plan, staff_kjj
):
    with_email(staff_kjj, "kjj@example.cn")
    reporter("kjj-colleague", "市科技局", "kjj2@example.cn")
    with time_machine.travel(dt.datetime(2024, 7, 1, 9, tzinfo=SHANGHAI), tick=False):
        done = f.make_report(staff_kjj, plan, number=1)
        submit_record(record=done, user=staff_kjj, version=1)

    sent = send_due_reminders(today=WEEK_BEFORE)

    [message] = mails_to("kjj@example.cn")
    assert sorted(message.to) == ["kjj2@example.cn", "kjj@example.cn"]
    assert message.from_email == "tracker@localhost"
    period = f.period(plan)
    assert "2024年第二季度" in message.subject and "市科技局" in message.subject
    assert "2024年7月10日" in message.body and "还有7天" in message.body
    # 19 tasks, one submitted; the 5 targets owed every quarter (the yearly ones in Q4).
    assert "尚有23项未报送：重点任务18项，目标指标5项" in message.body
    assert f"2. {f.task(plan, 2).title}" in message.body
    assert f"1. {f.task(plan, 1).title}" not in message.body
    assert f.target(plan, "tech-smes").label in message.body
    assert f.target(plan, "high-tech-enterprises").label not in message.body
    assert f"/reporting/?period={period.pk}" in message.body
    reminder = Reminder.objects.get(key=f"{period.pk}:week_before:{f.unit('市科技局').pk}")
    assert reminder in sent
    assert reminder.sent_at is not None
    assert reminder.recipients == "kjj2@example.cn, kjj@example.cn"


@pytest.mark.django_db
def test_a_unit_that_has_submitted_everything_gets_no_mail(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")
    education = submit_everything_for_education(plan)

    send_due_reminders(today=WEEK_BEFORE)

    assert mails_to(education.email) == []
    assert not Reminder.objects.filter(unit=f.unit("市教育局")).exists()
    assert len(mails_to("kjj@example.cn")) == 1  # the run did send to those who owe


@pytest.mark.django_db
def test_the_day_before_the_due_date_the_reminder_says_it_is_due_tomorrow(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")

    send_due_reminders(today=DAY_BEFORE)

    [message] = mails_to("kjj@example.cn")
    assert "明天截止" in message.subject
    assert Reminder.objects.filter(kind=Reminder.Kind.DAY_BEFORE, sent_at__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today", [dt.date(2024, 7, 2), dt.date(2024, 7, 4), DUE, dt.date(2024, 7, 12)]
)
def test_on_any_other_day_nothing_is_sent(plan, staff_kjj, reviewer, today):
    with_email(staff_kjj, "kjj@example.cn")
    with_email(reviewer, "office@example.cn")

    assert send_due_reminders(today=today) == []
    assert mail.outbox == []
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_running_twice_the_same_day_sends_nothing_the_second_time(plan, staff_kjj, staff_county):
    with_email(staff_kjj, "kjj@example.cn")
    with_email(staff_county, "wolong@example.cn")

    first = send_due_reminders(today=WEEK_BEFORE)
    count = len(mail.outbox)
    second = send_due_reminders(today=WEEK_BEFORE)

    assert len(first) == count == 2
    assert second == []
    assert len(mail.outbox) == count


@pytest.mark.django_db
def test_a_reminder_another_run_has_claimed_is_not_sent_again(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")
    period, unit = f.period(plan), f.unit("市科技局")
    Reminder.objects.create(
        key=f"{period.pk}:week_before:{unit.pk}", period=period, unit=unit,
        kind="week_before", sent_at=timezone.now(),
    )  # fmt: skip

    send_due_reminders(today=WEEK_BEFORE)

    assert mails_to("kjj@example.cn") == []


@pytest.mark.django_db
def test_a_reminder_row_inserted_by_a_concurrent_run_is_used_not_duplicated(
    plan, staff_kjj, monkeypatch
):
    with_email(staff_kjj, "kjj@example.cn")
    period, unit = f.period(plan), f.unit("市科技局")
    key = f"{period.pk}:week_before:{unit.pk}"
    # The other run committed this row after our look-up missed it, so our insert hits the
    # unique key.
    Reminder.objects.create(key=key, period=period, unit=unit, kind="week_before")
    manager = Reminder.objects
    real_get_or_create = manager.get_or_create

    def racing(*, key, defaults):
        if key.endswith(f":{unit.pk}"):
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_get_or_create(key=key, defaults=defaults)

    monkeypatch.setattr(manager, "get_or_create", racing)
    sent = send_due_reminders(today=WEEK_BEFORE)

    assert len(mails_to("kjj@example.cn")) == 1
    assert [r.key for r in sent] == [key]
    assert Reminder.objects.filter(key=key, sent_at__isnull=False).count() == 1


# --- the reviewers' digest ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_day_after_the_due_date_reviewers_alone_get_one_digest_naming_the_overdue_units(
    plan, staff_kjj, staff_county, reviewer
):
    with_email(staff_kjj, "kjj@example.cn")
    with_email(staff_county, "wolong@example.cn")
    with_email(reviewer, "office@example.cn")
    other = with_email(get_user_model().objects.create_user("office-2"), "office2@example.cn")
    Profile.objects.create(user=other, role=Profile.Role.REVIEWER)
    submit_everything_for_education(plan)

    sent = send_due_reminders(today=DAY_AFTER)

    [message] = mail.outbox
    assert sorted(message.to) == ["office2@example.cn", "office@example.cn"]
    assert "逾期汇总" in message.subject
    assert "市科技局：尚缺24项" in message.body
    assert "卧龙区：尚缺4项" in message.body
    assert "市教育局" not in message.body
    assert f"/compliance/?period={f.period(plan).pk}" in message.body
    [reminder] = sent
    assert (reminder.kind, reminder.unit, reminder.key) == (
        "overdue",
        None,
        f"{f.period(plan).pk}:overdue:reviewers",
    )


@pytest.mark.django_db
def test_no_digest_is_sent_when_no_unit_is_overdue(plan, reviewer, monkeypatch):
    with_email(reviewer, "office@example.cn")
    monkeypatch.setattr("reports.reminders.compliance", lambda period, today=None: [])

    assert send_due_reminders(today=DAY_AFTER) == []
    assert mail.outbox == []
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_a_closed_period_sends_nothing(plan, staff_kjj, reviewer):
    with_email(staff_kjj, "kjj@example.cn")
    with_email(reviewer, "office@example.cn")
    ReportingPeriod.objects.filter(pk=f.period(plan).pk).update(
        closed_at=dt.datetime(2024, 7, 1, 9, tzinfo=SHANGHAI)
    )

    for day in (WEEK_BEFORE, DAY_BEFORE, DAY_AFTER):
        assert send_due_reminders(today=day) == []
    assert mail.outbox == []
    assert not Reminder.objects.exists()


# --- failures ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_send_leaves_the_reminder_unsent_and_the_next_run_sends_it(
    plan, staff_kjj, monkeypatch
):
    with_email(staff_kjj, "kjj@example.cn")

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", refuse)
        assert send_due_reminders(today=WEEK_BEFORE) == []
    reminder = Reminder.objects.get(unit=f.unit("市科技局"), kind="week_before")
    assert reminder.sent_at is None

    [sent] = send_due_reminders(today=WEEK_BEFORE)

    assert sent.pk == reminder.pk and sent.sent_at is not None
    assert len(mails_to("kjj@example.cn")) == 1


# --- dry run, command and job ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_dry_run_returns_unsaved_reminders_and_neither_sends_nor_records(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")

    would = send_due_reminders(today=WEEK_BEFORE, dry_run=True)

    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert all(r.pk is None for r in would)
    kjj = next(r for r in would if r.unit == f.unit("市科技局"))
    assert kjj.recipients == "kjj@example.cn"


@pytest.mark.django_db
def test_the_command_sends_the_reminders_of_the_given_date(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")
    out = StringIO()

    call_command("send_reminders", "--date", "2024-07-03", stdout=out)

    assert len(mails_to("kjj@example.cn")) == 1
    assert "已发送：" in out.getvalue() and "kjj@example.cn" in out.getvalue()
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_the_command_with_dry_run_sends_and_records_nothing(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")
    out = StringIO()

    call_command("send_reminders", "--date", "2024-07-03", "--dry-run", stdout=out)

    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert "将发送：" in out.getvalue() and "市科技局" in out.getvalue()
    assert "试运行" in out.getvalue()


@pytest.mark.django_db
def test_the_command_says_so_when_nothing_is_due(plan):
    out = StringIO()
    call_command("send_reminders", "--date", "2024-07-04", stdout=out)
    assert "没有需要发送的提醒" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2024-13-01", "07/03/2024", "明天"])
def test_the_command_refuses_an_invalid_date(value):
    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("send_reminders", "--date", value, stdout=StringIO())


@pytest.mark.django_db
def test_the_daily_job_sends_the_reminders_due_today(plan, staff_kjj):
    with_email(staff_kjj, "kjj@example.cn")

    with time_machine.travel(dt.datetime(2024, 7, 3, 8, tzinfo=SHANGHAI), tick=False):
        result = send_reminders.delay()

    assert result.get() == Reminder.objects.filter(sent_at__isnull=False).count() == 1
    assert len(mails_to("kjj@example.cn")) == 1
    with time_machine.travel(dt.datetime(2024, 7, 3, 8, 5, tzinfo=SHANGHAI), tick=False):
        assert send_reminders.delay().get() == 0


# --- two workers at once ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(plan, staff_kjj, staff_county):
    with_email(staff_kjj, "kjj@example.cn")
    with_email(staff_county, "wolong@example.cn")
    start = threading.Barrier(2, timeout=10)
    outcomes = []

    def run():
        try:
            start.wait()
            outcomes.append(send_due_reminders(today=WEEK_BEFORE))
        except Exception as error:  # handed to the test to assert on
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert sum(len(o) for o in outcomes) == 2
    assert len(mails_to("kjj@example.cn")) == len(mails_to("wolong@example.cn")) == 1
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2
