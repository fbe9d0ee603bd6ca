"""Stored verdicts equal a fresh computation after every change (dashboards/verdicts.py).

A seeded random walk over the demonstration data: approvals, returns, submissions,
corrections, a baseline, a milestone, a period's due date, a county leaving the collective.
Each step commits the way a request does (the on-commit refresh job runs, eagerly), then every
stored row is compared with what the rules compute now. A stale verdict is a bug.
"""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from dashboards import verdicts
from dashboards.models import PendingChange, TargetVerdict, TaskVerdict, UnitStanding, VerdictState
from demo.seeding import seed_demo
from reports.corrections import approve_correction, propose_correction
from reports.duties import compliance_by_period, task_statuses
from reports.models import Profile, ProgressReport, TargetValue, WorkflowRecord
from reports.workflow import approve_record, return_record, submit_record
from targets.models import Target, TargetMilestone
from tasks.models import ReportingPeriod, Unit
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = WorkflowRecord.Status
TODAY = dt.date(2025, 8, 20)  # the plan still running: expected values move with the day


def _fresh(plan, today):
    """Every row the rules give now, keyed as stored."""
    periods = list(ReportingPeriod.objects.in_plan(plan).select_related("plan"))
    days = verdicts.verdict_days(periods, today)
    rows = [
        *verdicts.compute_target_rows(plan, periods, days, 0),
        *verdicts.compute_task_rows(plan, periods, 0),
        *verdicts.compute_standing_rows(plan, periods, 0),
    ]
    return {verdicts._key(r): verdicts._content(r) for r in rows}


def _stored(plan):
    rows = [
        *TargetVerdict.objects.filter(plan=plan),
        *TaskVerdict.objects.filter(plan=plan),
        *UnitStanding.objects.filter(plan=plan),
    ]
    return {verdicts._key(r): verdicts._content(r) for r in rows}


def assert_stored_equals_computed(plan, today, step=""):
    state = VerdictState.objects.get(plan=plan)
    assert state.is_current, f"{step}: version {state.version}, built {state.built_version}"
    assert not PendingChange.objects.filter(plan=plan).exists(), step
    fresh, stored = _fresh(plan, today), _stored(plan)
    stale = sorted(k for k in fresh.keys() | stored.keys() if fresh.get(k) != stored.get(k))
    assert not stale, f"{step}: {len(stale)} stale rows, first {stale[:3]}"
    # The readers give what the live functions give.
    periods = list(ReportingPeriod.objects.in_plan(plan).select_related("plan"))
    for day in verdicts.verdict_days(periods, today)[-3:]:
        live = compliance_by_period(plan, periods, today=day)
        kept = verdicts.stored_compliance(plan, periods, day)
        for period in periods:
            as_tuples = lambda rows: sorted(  # noqa: E731
                (r.unit.pk, r.owed, r.on_time, r.late) for r in rows
            )
            assert as_tuples(kept[period.pk]) == as_tuples(live[period.pk]), (step, day, period)
            assert verdicts.stored_task_statuses(plan, period, day) == task_statuses(
                plan, period, day
            ), (step, day, period)


def _user(name, role, unit=None):
    user = get_user_model().objects.create_user(username=name, password="pw-for-tests-1")
    Profile.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def walk(plan, reviewer):
    with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
        seed_demo(plan=plan, seed=11, today=TODAY)
        verdicts.refresh(plan, TODAY)
        yield plan, reviewer


def _submitted(model, rng):
    found = list(model.objects.filter(status=Status.SUBMITTED).order_by("pk")[:200])
    return rng.choice(found) if found else None


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<main class="wrap" id="main">') : html.index("</main>")]


def assert_pages_are_fresh(clients, pages, step=""):
    """Each dashboard page as served (from the page cache, dashboards/page_cache.py, when it
    holds it) is the page drawn afresh from the stored verdicts for the same viewer."""
    served = {(who, url): main_of(c.get(url)) for who, c in clients.items() for url in pages}
    for (who, url), html in served.items():
        cache.clear()
        assert html == main_of(clients[who].get(url)), f"{step}: {who} {url}"
    cache.clear()
    for who, url in served:  # the cache holds every page again, for the next step
        clients[who].get(url)


def test_stored_verdicts_equal_a_fresh_computation_after_every_change(
    walk, django_capture_on_commit_callbacks, leader
):
    plan, reviewer = walk
    rng = random.Random(2025)
    kjj, wolong = Unit.objects.get(name="市科技局"), Unit.objects.get(name="卧龙区")
    clients = {"leader": Client(), "卧龙区": Client()}
    clients["leader"].force_login(leader)
    clients["卧龙区"].force_login(_user("wolong-viewer", Profile.Role.REPORTER, wolong))
    clients["reviewer"] = Client()
    clients["reviewer"].force_login(reviewer)
    county = Target.objects.in_plan(plan).get(key="county-tech-contract-turnover")
    pages = ["/dashboard/", f"/dashboard/targets/{county.pk}/", f"/dashboard/units/{kjj.pk}/",
             f"/dashboard/units/{wolong.pk}/", "/dashboard/scoreboard/", "/compliance/"]  # fmt: skip
    reporters: dict[int, object] = {}

    def reporter_of(unit):
        if unit.pk not in reporters:
            reporters[unit.pk] = _user(f"walker-{unit.pk}", Profile.Role.REPORTER, unit)
        return reporters[unit.pk]

    def approve_value():
        record = _submitted(TargetValue, rng)
        return record and approve_record(record=record, user=reviewer)

    def approve_report():
        record = _submitted(ProgressReport, rng)
        return record and approve_record(record=record, user=reviewer)

    def return_one():
        record = _submitted(rng.choice([TargetValue, ProgressReport]), rng)
        return record and return_record(record=record, user=reviewer, comment="请补充来源。")

    def resubmit():
        found = list(
            TargetValue.objects.filter(status=Status.RETURNED).select_related("unit")[:50]
        ) + list(ProgressReport.objects.filter(status=Status.RETURNED).select_related("unit")[:50])
        if not found:
            return None
        record = rng.choice(found)
        return submit_record(
            record=record, user=reporter_of(record.unit), version=record.version, late_ok=True
        )

    def correct():
        values = list(
            TargetValue.objects.filter(status=Status.APPROVED, series="actual")
            .select_related("unit")
            .order_by("pk")[:300]
        )
        value = rng.choice(values)
        correction = propose_correction(
            value=value,
            user=reporter_of(value.unit),
            content={
                **{name: getattr(value, name) for name in TargetValue.CONTENT_FIELDS},
                "value": value.value + 1,
                "quality": "final",
            },
            reason="统计公报正式数据",
        )
        return approve_correction(correction=correction, user=reviewer)

    def baseline():
        target = rng.choice(list(Target.objects.in_plan(plan).exclude(baseline_value=None)))
        target.baseline_value = target.baseline_value * Decimal("0.9")
        target.save()

    def milestone():
        target = rng.choice(list(Target.objects.in_plan(plan).filter(accumulation="level")))
        TargetMilestone.objects.create(
            target=target, on=dt.date(2024, 12, 31), value=target.value * Decimal("0.8")
        )

    def due_date():
        period = rng.choice(list(ReportingPeriod.objects.in_plan(plan).filter(year=2024)))
        period.due_on = period.due_on + dt.timedelta(days=rng.choice([-5, 20]))
        period.save()

    def leave_collective():
        collective = Unit.objects.get(kind=Unit.Kind.COLLECTIVE)
        collective.members.remove(rng.choice(list(collective.members.all())))

    steps = [approve_value] * 5 + [approve_report] * 4 + [return_one] * 2 + [resubmit] * 2
    steps += [correct] * 3 + [baseline, milestone, due_date, leave_collective]
    taken = []
    for n in range(24):
        step = rng.choice(steps) if n >= 4 else [correct, approve_value, due_date, milestone][n]
        with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                step()
            taken.append(step.__name__)
            assert_stored_equals_computed(plan, TODAY, f"step {n} {step.__name__}")
            assert_pages_are_fresh(clients, pages, f"step {n} {step.__name__}")
    assert {"correct", "approve_value", "due_date", "milestone"} <= set(taken)


def test_an_approval_refreshes_only_what_it_touches(walk, django_capture_on_commit_callbacks):
    plan, reviewer = walk
    record = TargetValue.objects.filter(status=Status.SUBMITTED).order_by("-covers_to").first()
    untouched = TargetVerdict.objects.filter(plan=plan).exclude(target=record.target_id)
    ids = set(untouched.values_list("pk", flat=True))
    with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            approve_record(record=record, user=reviewer)
        assert_stored_equals_computed(plan, TODAY)
    assert set(untouched.values_list("pk", flat=True)) == ids  # other targets' rows kept


def test_an_approval_rewrites_only_the_rows_whose_verdict_moved(
    walk, django_capture_on_commit_callbacks
):
    plan, reviewer = walk
    county = Target.objects.in_plan(plan).get(key="county-tech-contract-turnover")
    record = TargetValue.objects.filter(target=county, status=Status.APPROVED).latest("covers_to")
    record.pk, record.status = None, Status.SUBMITTED  # a later figure of the same county
    record.covers_to, record.value = dt.date(2025, 6, 30), record.value + 1
    record.period = ReportingPeriod.objects.in_plan(plan).get(year=2025, quarter=2)
    TargetValue.objects.filter(target=county, unit=record.unit, period=record.period).delete()
    record.save()
    verdicts.refresh(plan, TODAY)
    others = TargetVerdict.objects.filter(plan=plan, target=record.target_id).exclude(
        unit=record.unit_id
    )
    kept = set(others.exclude(unit=None).values_list("pk", flat=True))
    with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            approve_record(record=record, user=reviewer)
        assert_stored_equals_computed(plan, TODAY)
    assert kept and kept <= set(others.values_list("pk", flat=True))  # other counties kept


def test_a_draft_moves_nothing(walk, staff_kjj, django_capture_on_commit_callbacks):
    plan, _ = walk
    version = VerdictState.objects.get(plan=plan).version
    with django_capture_on_commit_callbacks(execute=True):
        draft = f.make_report(staff_kjj, plan, year=2025, quarter=3, progress="草稿")
        draft.progress = "草稿的新内容"
        draft.save()
    assert draft.status == Status.DRAFT
    assert VerdictState.objects.get(plan=plan).version == version
    assert not PendingChange.objects.filter(plan=plan).exists()


def test_a_new_day_is_judged_and_the_old_today_dropped(walk):
    plan, _ = walk
    days = set(TargetVerdict.objects.filter(plan=plan).values_list("as_of", flat=True))
    assert TODAY in days
    later = dt.date(2025, 8, 21)
    outcome = verdicts.refresh(plan, later)
    days_after = set(TargetVerdict.objects.filter(plan=plan).values_list("as_of", flat=True))
    assert later in days_after and TODAY not in days_after
    assert days_after - {later} == days - {TODAY}
    assert outcome.written["target"] > 0
    assert_stored_equals_computed(plan, later)


def test_rebuild_command_dry_run_says_what_would_change_and_writes_nothing(walk, capsys):
    plan, _ = walk
    row = TargetVerdict.objects.filter(plan=plan, unit=None, as_of=TODAY).first()
    row.status = "met"
    row.progress = {**row.progress, "status": "met"}
    row.save()  # a stale row, as a bug would leave it
    with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
        call_command("rebuild_verdicts", "--dry-run")
        out = capsys.readouterr().out
        assert "1 条指标判定将改变" in out
        row.refresh_from_db()
        assert row.status == "met"  # nothing written
        call_command("rebuild_verdicts")
        assert "1 条指标判定已改变" in capsys.readouterr().out
        assert_stored_equals_computed(plan, TODAY)


def test_a_page_says_when_a_worker_has_not_yet_refreshed(client, leader, walk, settings):
    plan, reviewer = walk
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker's job, not yet run
    with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
        client.force_login(leader)
        assert "数据更新中" not in client.get("/dashboard/").content.decode()
        record = TargetValue.objects.filter(status=Status.SUBMITTED).first()
        approve_record(record=record, user=reviewer)  # on-commit jobs do not run in a test
        assert "数据更新中" in client.get("/dashboard/").content.decode()
        settings.CELERY_TASK_ALWAYS_EAGER = True  # jobs in the web process: the page catches up
        assert "数据更新中" not in client.get("/dashboard/").content.decode()
        assert_stored_equals_computed(plan, TODAY)


def test_a_units_edit_moves_nothing_and_a_new_kind_rejudges_every_plan(
    walk, django_capture_on_commit_callbacks
):
    plan, _ = walk
    unit = Unit.objects.get(name="市科技局")
    version = VerdictState.objects.get(plan=plan).version
    unit.sort_order += 1
    unit.save()  # an admin edits the unit without changing who reports
    assert VerdictState.objects.get(plan=plan).version == version
    with time_machine.travel(dt.datetime(2025, 8, 20, 10, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            unit.kind = Unit.Kind.COLLECTIVE  # no longer reports for itself
            unit.save()
        assert VerdictState.objects.get(plan=plan).version > version
        assert_stored_equals_computed(plan, TODAY)
        assert not UnitStanding.objects.filter(plan=plan, unit=unit).exists()
