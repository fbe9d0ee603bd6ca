"""Reminder e-mails about reporting deadlines, sent by the daily job (reports/jobs.py) or by
`manage.py send_reminders`.

Seven days and one day before a period's due date, the reporters of every unit that still owes
items for it get one message listing what is missing; the day after the due date the reviewers
get one digest of the units still overdue. Closed periods get nothing.

Each reminder is recorded (Reminder, with a key made of period, kind and unit) before it is
sent and claimed with `filter(sent_at=None).update(...)`, so it goes out once however often
and however concurrently the job runs. A failed send is released again (sent_at back to None)
and goes out when the job runs again for that date (`send_reminders --date YYYY-MM-DD`).
A unit whose reporters have no e-mail address gets a Reminder with empty recipients and no
mail, so the admin can see who was not reached; it stays unsent.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from reports.duties import Duty, UnitCompliance, compliance, duties_for
from reports.models import Profile, Reminder, TargetValue
from tasks.models import ReportingPeriod, Unit

logger = logging.getLogger(__name__)

Kind = Reminder.Kind

# Days from the due date to the day a reminder is sent (negative: after the due date).
DAYS_BEFORE_DUE = {Kind.WEEK_BEFORE: 7, Kind.DAY_BEFORE: 1, Kind.OVERDUE: -1}


@dataclass
class Draft:
    """A reminder as computed for one day: the unsaved row, and the message to send."""

    reminder: Reminder
    to: list[str] = field(default_factory=list)
    body: str = ""


# --- rules (no queries) ---------------------------------------------------------------------


def reminder_kind(period: ReportingPeriod, today: dt.date) -> str | None:
    """Which reminder falls due for the period today: week_before, day_before, overdue or None.

    Only the exact days count (due−7, due−1, due+1); a closed period never has one, even on
    those days, because nobody may report into it any more without a late-submission note.
    """
    if period.closed_at is not None:
        return None
    days = (period.due_on - today).days
    return next((kind for kind, before in DAYS_BEFORE_DUE.items() if before == days), None)


def reminder_key(period: ReportingPeriod, kind: str, unit: Unit | None) -> str:
    return f"{period.pk}:{kind}:{unit.pk if unit else 'reviewers'}"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _duty_line(duty: Duty) -> str:
    subject = duty.subject
    if duty.kind == "task":
        return f"  {subject.number}. {subject.title}"
    line = f"  {subject.number}. {subject.label}"
    if duty.series == TargetValue.Series.BENCHMARK:
        line += f"（{TargetValue.Series.BENCHMARK.label}）"
    return line


def unit_message(
    *, period: ReportingPeriod, unit: Unit, kind: str, missing: list[Duty], link: str
) -> tuple[str, str]:
    """Subject and body of the reminder to one unit's reporters.

    `missing` are the unit's duties not yet submitted or approved: drafts and returned reports
    count as missing, since only a submission reaches the plan office.
    """
    due = _date(period.due_on)
    when = "还有7天" if kind == Kind.WEEK_BEFORE else "明天"
    tasks = [d for d in missing if d.kind == "task"]
    targets = [d for d in missing if d.kind == "target"]
    subject = (
        f"【填报提醒】{period.label}进展报送{when}截止（{due}），"
        f"{unit.name}尚有{len(missing)}项未报送"
    )
    lines = [
        f"{unit.name}：",
        "",
        f"《{period.plan.title}》{period.label}进展报送截止日期为{due}，{when}截止。",
        f"截至目前，贵单位尚有{len(missing)}项未报送："
        f"重点任务{len(tasks)}项，目标指标{len(targets)}项。",
    ]
    if tasks:
        lines += ["", "未报送的重点任务：", *(_duty_line(d) for d in tasks)]
    if targets:
        lines += ["", "未报送的目标指标：", *(_duty_line(d) for d in targets)]
    lines += [
        "",
        f"请登录系统填报：{link}",
        "草稿和被退回的报告须点击“报送”后才算报送。",
        "",
        "本邮件由系统自动发送，请勿回复。",
    ]
    return subject[:200], "\n".join(lines)


def digest_message(
    *, period: ReportingPeriod, overdue: list[UnitCompliance], link: str
) -> tuple[str, str]:
    """Subject and body of the reviewers' digest: the units still owing after the due date,
    those owing most first."""
    due = _date(period.due_on)
    rows = sorted(overdue, key=lambda row: -row.missing)
    subject = f"【逾期汇总】{period.label}进展报送已于{due}截止，{len(rows)}个单位未报齐"
    lines = [
        "各位审核员：",
        "",
        f"《{period.plan.title}》{period.label}进展报送已于{due}截止，"
        f"以下{len(rows)}个单位仍未报齐：",
        "",
        *(f"  {row.unit.name}：尚缺{row.missing}项（应报{row.owed}项）" for row in rows),
        "",
        f"报送情况详见：{link}",
        "",
        "本邮件由系统自动发送，请勿回复。",
    ]
    return subject[:200], "\n".join(lines)


# --- computing what is due -------------------------------------------------------------------


def _addresses(profiles) -> list[str]:
    return sorted({p.user.email.strip() for p in profiles if p.user.email.strip()})


def _active_with_email(role: str):
    return (
        Profile.objects.filter(role=role, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )


def _drafts_for(period: ReportingPeriod, kind: str, today: dt.date) -> list[Draft]:
    # A yearly figure whose own due date is months away is not owed yet, and not reminded of.
    owing = [row for row in compliance(period, today=today) if row.missing > 0]
    if kind == Kind.OVERDUE:
        if not owing:
            return []
        link = f"{reverse('dashboards:compliance')}?period={period.pk}"
        subject, body = digest_message(period=period, overdue=owing, link=link)
        to = _addresses(_active_with_email(Profile.Role.REVIEWER))
        return [_draft(period, kind, None, to, subject, body)]
    link = f"{reverse('reports:inbox')}?period={period.pk}"
    reporters: dict[int, list[Profile]] = {}
    for profile in _active_with_email(Profile.Role.REPORTER).filter(
        unit__in=[row.unit for row in owing]
    ):
        reporters.setdefault(profile.unit_id, []).append(profile)
    drafts = []
    for row in owing:
        # Per-unit reads (reports/duties.py), but only for units that owe, three days a quarter.
        # A yearly figure due months after the quarter is left out of the quarter's reminder.
        missing = [
            d for d in duties_for(row.unit, period) if not d.is_done and d.due_on <= period.due_on
        ]
        subject, body = unit_message(
            period=period, unit=row.unit, kind=kind, missing=missing, link=link
        )
        to = _addresses(reporters.get(row.unit.pk, []))
        drafts.append(_draft(period, kind, row.unit, to, subject, body))
    return drafts


def _draft(period, kind, unit, to: list[str], subject: str, body: str) -> Draft:
    reminder = Reminder(
        key=reminder_key(period, kind, unit),
        period=period,
        unit=unit,
        kind=kind,
        recipients=", ".join(to),
        subject=subject,
    )
    return Draft(reminder=reminder, to=to, body=body)


def due_reminders(*, today: dt.date) -> list[Draft]:
    """Every reminder that falls due today, whether or not it was sent already. Reads only."""
    days = {today + dt.timedelta(days=before) for before in DAYS_BEFORE_DUE.values()}
    periods = (
        ReportingPeriod.objects.filter(due_on__in=days, closed_at__isnull=True)
        .select_related("plan")
        .order_by("due_on", "plan__code", "pk")
    )
    drafts = []
    for period in periods:
        kind = reminder_kind(period, today)
        if kind is not None:
            drafts += _drafts_for(period, kind, today)
    return drafts


# --- recording and sending ----------------------------------------------------------------


def _record(draft: Draft) -> Reminder:
    """The stored row for the draft, created now or by an earlier (or concurrent) run."""
    new = draft.reminder
    defaults = {
        "period": new.period,
        "unit": new.unit,
        "kind": new.kind,
        "recipients": new.recipients,
        "subject": new.subject,
    }
    try:
        with transaction.atomic():
            reminder, _ = Reminder.objects.get_or_create(key=new.key, defaults=defaults)
    except IntegrityError:
        # Another run inserted the same key between our look-up and our insert.
        reminder = Reminder.objects.get(key=new.key)
    return reminder


def _deliver(draft: Draft) -> Reminder | None:
    """Record the reminder and send it unless some run already has; the sent row, or None."""
    reminder = _record(draft)
    if not draft.to:
        logger.warning("提醒 %s：没有可用的收件邮箱，仅记录未发送。", reminder.key)
        return None
    now = timezone.now()
    # The claim: exactly one run turns sent_at from empty to now; the others update nothing.
    # Recipients and subject are refreshed, as a retried reminder goes to today's reporters.
    claimed = Reminder.objects.filter(pk=reminder.pk, sent_at=None).update(
        sent_at=now, recipients=draft.reminder.recipients, subject=draft.reminder.subject
    )
    if claimed != 1:
        return None
    try:
        EmailMessage(
            subject=draft.reminder.subject,
            body=draft.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=draft.to,
        ).send()
    except Exception:
        # Released again, so the next run for this date sends it.
        Reminder.objects.filter(pk=reminder.pk, sent_at=now).update(sent_at=None)
        logger.exception("提醒 %s 发送失败，已恢复为未发送。", reminder.key)
        return None
    reminder.refresh_from_db()
    logger.info("提醒 %s 已发送给 %s。", reminder.key, reminder.recipients)
    return reminder


def send_due_reminders(*, today: dt.date, dry_run: bool = False) -> list[Reminder]:
    """Send the reminders that fall due on `today`; the Reminder rows sent by this call.

    With dry_run, nothing is written or sent: the unsaved reminders that would be recorded
    (including those with no recipients), leaving out those already sent.
    """
    drafts = due_reminders(today=today)
    if dry_run:
        sent = set(
            Reminder.objects.filter(
                key__in=[d.reminder.key for d in drafts], sent_at__isnull=False
            ).values_list("key", flat=True)
        )
        return [d.reminder for d in drafts if d.reminder.key not in sent]
    return [reminder for d in drafts if (reminder := _deliver(d)) is not None]
