"""The benchmark behind `manage.py bench`: a dataset ten plans and two hundred counties large,
the pages' server time and queries on it, the pages at 1×, 3× and 10× the demonstration data,
总览's requests per second from gunicorn, and the 台账 export's time and memory.

One module of one subject, a benchmark run (about 2,100 lines, in six sections: the dataset,
the pages, the cost against the amount of data, the throughput, the export, the report it
writes), kept whole because `manage.py bench` and tests/bench/test_harness.py drive its steps
as one harness and nothing else imports it.

Every figure is set beside a floor measured in the same run on the same machine: a page beside
a view that only answers "ok" behind the same middleware and sign-in (in process and from
gunicorn), the export beside bare openpyxl and XlsxWriter writing the same cells. Plain
functions; the command (bench/management/commands/bench.py) calls them and writes
docs/benchmarks.md.

The dataset (build_dataset), from the plan's own fixture, through the project's own loader and
the demonstration-data writer (demo/seeding.py: records, events and revisions in bulk, as the
workflow keeps them):
- `plans` plans: innovation-2022 and copies of it (copy-2 … copy-10), as tests/reports/
  test_scale.py makes them, each with the ledger's 22 tasks and the plan's 30 targets plus
  EXTRA_COUNTY_TARGETS county-by-county targets (copies of the plan's two county targets,
  labelled 压测副本), so that the county figures reach the size asked for;
- `units` county-level units in 各县市区政府（管委会）: the fixture's 18 and 压测县区019 … created
  to make up the number, so every county owes tasks 11, 12 and 15 and every county target;
- every county-level unit also co-owns EXTRA_TASKS_PER_COUNTY more tasks as 配合单位 (see
  add_co_ownership), so it owes 11 of the 22 tasks; the municipal units keep the ledger's;
- the first `periods` quarters of each plan seeded by demo.seeding.seed_demo (most approved,
  some returned once, some late, a few missing, the last quarter unfinished).
"""

import cProfile
import datetime as dt
import gc
import http.client
import json
import math
import os
import platform
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from openpyxl import Workbook

from dashboards.excel import LEDGER_TITLE, _ledger_values, write_workbook
from dashboards.exporting import ledger_rows, target_rows
from demo.models import DemoDataset
from demo.seeding import seed_demo
from reports.models import (
    Profile,
    ProgressReport,
    ReportEvent,
    ReportRevision,
    TargetValue,
    WorkflowRecord,
)
from targets.loading import FIXTURES_DIR, load_plan
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task, TaskUnit, Unit
from tasks.signals import plan_data_changed

SOURCE_PLAN = "innovation-2022"  # the fixture directory every plan is copied from
COUNTIES = "各县市区政府（管委会）"
NEW_COUNTY_NAME = "压测县区{:03d}"
NEW_COUNTY_SORT = 10_000  # after every unit of the fixture
# Worked out for the full scale (10 plans, 200 counties, 15 quarters), see docs/benchmarks.md:
# reports = 10 × 15 × (51 municipal + 200 × (3 + 8)) × 0.953 ≈ 321,700 ≥ 300,000
# values  = 10 × 15 × (28 + 1 benchmark + 200 × (2 + 2)) × 0.953 ≈ 118,500 ≥ 100,000
# (0.953: seed_demo leaves 4% of past quarters' records and 15% of the last quarter's unwritten)
EXTRA_TASKS_PER_COUNTY = 8
# Four copies of the plan's two county targets (one reported every quarter, one yearly, owed
# with the fourth quarter only): with the plan's own two, every county owes 3 figures each
# quarter and 3 more each fourth quarter, so the values pass VALUE_GOAL.
EXTRA_COUNTY_TARGETS = 4
REPORT_GOAL, VALUE_GOAL = 300_000, 100_000
BENCH_NOTE = "基准测试数据（manage.py bench）"
USERS = {  # username: (role, unit)
    "bench-leader": (Profile.Role.LEADER, None),
    "bench-reviewer": (Profile.Role.REVIEWER, "市科技局"),
    "bench-reporter": (Profile.Role.REPORTER, "卧龙区"),
}
COUNTY_TARGET = "county-tech-contract-turnover"  # the county target whose page is measured
DASHBOARD_UNIT = "市科技局"  # the unit whose dashboard is measured (as in test_scale.py)
# The tests' query budgets on demonstration data (tests/dashboards/test_dashboards.py and
# test_scale.py; the inbox: INBOX_DRAWN_QUERIES in tests/reports/test_report_views.py).
TEST_BUDGETS = {
    "overview": 16,
    "target": 16,
    "unit": 18,
    "scoreboard": 15,
    "ledger": 12,
    "inbox": 17,  # 12, and 5 for what is owed in the other plans (ACROSS_PLANS_QUERIES)
    "compliance": 17,
}
# Before the dashboards read stored verdicts (docs/benchmarks.md of commit 593d31a, same
# machine kind and dataset): page key → (median ms, p95 ms, floor median ms); the export's
# speed as a share of the openpyxl floor's.
BEFORE = {
    "overview": (350, 447, 3.2),
    "target": (202, 267, 3.2),
    "unit": (217, 349, 3.2),
    "scoreboard": (206, 331, 3.2),
    "ledger": (116, 145, 3.2),
    "inbox": (49.0, 70.0, 3.2),
    "compliance": (85.7, 140, 3.2),
}
BEFORE_EXPORT = (2.394, 0.297)  # export median s, floor median s
BEFORE_WIRE_KIB = 1540  # first visit to 总览, full plotly.min.js, HTML uncompressed
# Goals the verdict checks.
PAGE_P95_MS = 100
REFRESH_MS = 200  # recomputing the stored verdicts after one approval
PAGE_FLOOR_RATIO = 10
EXPORT_SPEED_RATIO = 0.5  # the export at least half as fast as the floor
EXPORT_PEAK_MIB = 60
MIB = 1024 * 1024
FLOOR_INTERLEAVED = "floor, in turn among the pages"

Log = Callable[[str], None]


# --- the floor view and its urlconf ----------------------------------------------------------


def floor_view(request):
    """The least a page can cost on this stack: the same middleware and sign-in, no work."""
    return HttpResponse("ok")


# This module is also the urlconf the measurements run under (ROOT_URLCONF="bench.harness"):
# the project's URLs, unchanged, plus the floor view. urls.py is not touched.
URLCONF = __name__
_PROJECT_URLCONF = (
    settings.ROOT_URLCONF if settings.ROOT_URLCONF != URLCONF else "nanyang_tracker.urls"
)
urlpatterns = [
    path("bench/floor/", floor_view, name="bench-floor"),
    path("", include(_PROJECT_URLCONF)),
]


# --- building the dataset --------------------------------------------------------------------


@dataclass
class BuildResult:
    plans: int
    counties: int
    created_counties: int
    periods: int
    co_assignments: int
    timings: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _, s in self.timings)


def _read(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def plan_fixtures(
    directory: Path, plans: int, *, extra_targets: int = EXTRA_COUNTY_TARGETS
) -> Path:
    """A fixtures folder with the units, the plan and plans − 1 copies of it (as test_scale.py
    makes them), each plan with `extra_targets` more county-by-county targets."""
    fixtures = directory / "fixtures"
    fixtures.mkdir()
    shutil.copy(FIXTURES_DIR / "units.json", fixtures / "units.json")
    shutil.copytree(FIXTURES_DIR / SOURCE_PLAN, fixtures / SOURCE_PLAN)
    for n in range(2, plans + 1):
        copy = fixtures / f"copy-{n}"
        shutil.copytree(fixtures / SOURCE_PLAN, copy)
        meta = _read(copy / "plan.json")
        meta |= {"code": f"copy-{n}", "title": f"{meta['title']}（副本{n}）"}
        _write(copy / "plan.json", meta)
    for targets_file in fixtures.glob("*/targets.json"):
        data = _read(targets_file)
        county = [t for t in data["targets"] if t["scope"] == "each_county"]
        number = max(t["number"] for t in data["targets"])
        for k in range(extra_targets):
            source = county[k % len(county)]
            number += 1
            data["targets"].append(
                source
                | {
                    "key": f"{source['key']}-bench-{k + 1}",
                    "number": number,
                    "label": f"{source['label']}（压测副本{k + 1}）",
                    "quotes": [],
                }
            )
        _write(targets_file, data)
    return fixtures


def set_counties(count: int) -> tuple[Unit, int]:
    """Make 各县市区政府（管委会） hold `count` county-level units: the fixture's first, then
    压测县区NNN created as needed. Returns the collective and how many units were created."""
    collective = Unit.objects.get(name=COUNTIES)
    fixture_members = sorted(collective.members.all(), key=lambda u: (u.sort_order, u.name))
    wanted_new = [NEW_COUNTY_NAME.format(n) for n in range(len(fixture_members) + 1, count + 1)]
    existing = set(Unit.objects.filter(name__in=wanted_new).values_list("name", flat=True))
    new = [
        Unit(name=name, kind=Unit.Kind.COUNTY, sort_order=NEW_COUNTY_SORT + n)
        for n, name in enumerate(wanted_new, start=len(fixture_members) + 1)
        if name not in existing
    ]
    Unit.objects.bulk_create(new, batch_size=1000)  # no new version: no task has them yet
    created = sorted(Unit.objects.filter(name__in=wanted_new), key=lambda u: u.sort_order)
    collective.members.set([*fixture_members, *created][:count])
    return collective, len(new)


def add_co_ownership(plan: Plan, collective: Unit, per_county: int) -> int:
    """Each county-level member, the i-th in 各县市区政府（管委会） order (from 0), becomes
    配合单位 of `per_county` more tasks: the tasks the collective does not own, in ledger order,
    taken round-robin from position i × per_county — so the extra co-units spread evenly over
    those tasks. Each is listed after the ledger's own units. Returns the rows added."""
    tasks = list(Task.objects.in_plan(plan).order_by("number"))
    assignments = list(TaskUnit.objects.filter(task__plan=plan).values_list("task_id", "unit_id"))
    owned_by_collective = {t for t, u in assignments if u == collective.pk}
    pool = [t for t in tasks if t.pk not in owned_by_collective]
    taken = set(assignments)
    position = {t.pk: 0 for t in tasks}
    for task_id, last in TaskUnit.objects.filter(task__plan=plan).values_list(
        "task_id", "position"
    ):
        position[task_id] = max(position[task_id], last)
    members = sorted(collective.members.all(), key=lambda u: (u.sort_order, u.name))
    rows = []
    for i, unit in enumerate(members):
        for j in range(min(per_county, len(pool))):
            task = pool[(i * per_county + j) % len(pool)]
            if (task.pk, unit.pk) in taken:
                continue
            taken.add((task.pk, unit.pk))
            position[task.pk] += 1
            rows.append(
                TaskUnit(task=task, unit=unit, role=TaskUnit.Role.CO, position=position[task.pk])
            )
    TaskUnit.objects.bulk_create(rows, batch_size=2000)
    plan_data_changed.send(sender=add_co_ownership, plan=plan)  # written in bulk, no signals
    return len(rows)


def bench_users() -> dict[str, object]:
    """The leader, reviewer and county reporter the pages are measured as (created once)."""
    User = get_user_model()
    users = {}
    for username, (role, unit_name) in USERS.items():
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        unit = Unit.objects.get(name=unit_name) if unit_name else None
        Profile.objects.update_or_create(user=user, defaults={"role": role, "unit": unit})
        users[username] = user
    return users


def seed_cutoff(plan: Plan, periods: int) -> dt.date:
    """The `today` that makes seed_demo fill the plan's first `periods` quarters."""
    quarters = list(ReportingPeriod.objects.in_plan(plan).order_by("starts_on"))
    return quarters[min(periods, len(quarters)) - 1].ends_on + dt.timedelta(days=1)


def analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL), as autovacuum would give.
    Inside a transaction (the scales, rolled back) PostgreSQL allows ANALYZE but not VACUUM;
    ANALYZE counts the transaction's own new rows as live."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def build_dataset(*, plans: int = 10, units: int = 200, periods: int = 15, log: Log = print):
    """Build the benchmark dataset (see the module docstring). Plans that already have reports
    are left as they are, so an interrupted build can be run again."""
    result = BuildResult(plans=plans, counties=units, created_counties=0, periods=periods,
                         co_assignments=0)  # fmt: skip

    def step(label: str, started: float) -> None:
        seconds = time.perf_counter() - started
        result.timings.append((label, seconds))
        log(f"  {label}: {seconds:.1f} s")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = plan_fixtures(Path(tmp), plans)
        load_plan(fixtures_dir=fixtures)
    step(f"load_plan: {plans} plans from the fixture", started)

    started = time.perf_counter()
    with transaction.atomic():
        collective, result.created_counties = set_counties(units)
        codes = [SOURCE_PLAN, *(f"copy-{n}" for n in range(2, plans + 1))]
        for plan in Plan.objects.filter(code__in=codes):
            result.co_assignments += add_co_ownership(plan, collective, EXTRA_TASKS_PER_COUNTY)
        bench_users()  # before seeding: seed_demo's approvals are bench-reviewer's
    step(
        f"units: {units} counties ({result.created_counties} created), "
        f"{result.co_assignments:,} co-owner rows",
        started,
    )

    for index, plan in enumerate(Plan.objects.filter(code__in=codes).order_by("pk")):
        started = time.perf_counter()
        if ProgressReport.objects.filter(period__plan=plan).exists():
            log(f"  {plan.code}: already has reports, left as it is")
            continue
        DemoDataset.objects.all().delete()  # seed_demo seeds once per database otherwise
        seeded = seed_demo(plan=plan, seed=2022 + index, today=seed_cutoff(plan, periods))
        step(f"seed {plan.code}: {seeded.reports:,} reports, {seeded.values:,} values", started)
    DemoDataset.objects.all().delete()
    DemoDataset.objects.create(seed=2022, note=f"{BENCH_NOTE} {plans}×{units}×{periods}")

    started = time.perf_counter()
    analyze()
    step("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE", started)
    return result


def is_bench_database() -> bool:
    return DemoDataset.objects.filter(note__startswith=BENCH_NOTE).exists()


def dataset_counts() -> dict[str, int]:
    approved = WorkflowRecord.Status.APPROVED
    collective = Unit.objects.filter(name=COUNTIES).first()
    return {
        "plans": Plan.objects.count(),
        "units": Unit.objects.countable().count(),
        "counties": collective.members.count() if collective else 0,
        "tasks": Task.objects.count(),
        "task_units": TaskUnit.objects.count(),
        "targets": Target.objects.count(),
        "periods": ReportingPeriod.objects.count(),
        "periods_with_reports": ReportingPeriod.objects.filter(
            pk__in=ProgressReport.objects.values("period")
        ).count(),
        "reports": ProgressReport.objects.count(),
        "reports_approved": ProgressReport.objects.filter(status=approved).count(),
        "values": TargetValue.objects.count(),
        "values_approved": TargetValue.objects.filter(status=approved).count(),
        "events": ReportEvent.objects.count(),
        "revisions": ReportRevision.objects.count(),
    }


# --- pages -----------------------------------------------------------------------------------


@dataclass
class Page:
    key: str
    name: str
    url: str
    username: str


@dataclass
class PageResult:
    page: Page
    times_ms: list[float]
    queries: int
    sql_ms: float
    captured_ms: float
    top_queries: list[tuple[float, str]]
    # Drawn: each request right after the cache is emptied, as the first request after a
    # change to the data is (dashboards/page_cache.py); with its queries. The times above
    # are the pages as served, from the cache when it holds them.
    drawn_ms: list[float] = field(default_factory=list)
    drawn_queries: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def drawn_median(self) -> float | None:
        return statistics.median(self.drawn_ms) if self.drawn_ms else None

    @property
    def drawn_p95(self) -> float | None:
        return percentile(self.drawn_ms, 95) if self.drawn_ms else None

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value at or above pct% of the samples."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def bench_pages(plan: Plan | None = None) -> list[Page]:
    """The pages measured, the floor first, each with the user it is read as."""
    plan = plan or Plan.objects.default()
    target = Target.objects.get(plan=plan, key=COUNTY_TARGET)
    unit = Unit.objects.get(name=DASHBOARD_UNIT)
    leader = "bench-leader"
    with override_settings(ROOT_URLCONF=URLCONF):
        return [
            Page("floor", "floor: HttpResponse('ok'), warm", reverse("bench-floor"), leader),
            Page("overview", "总览", reverse("dashboards:overview"), leader),
            Page("target", "指标页（各县市区技术合同成交额）",
                 reverse("dashboards:target", args=[target.pk]), leader),
            Page("unit", f"单位看板（{unit.name}）", reverse("dashboards:unit", args=[unit.pk]),
                 leader),
            Page("scoreboard", "考核评比", reverse("dashboards:scoreboard"), leader),
            Page("ledger", "台账", reverse("tasks:ledger", args=[plan.code]), leader),
            Page("inbox", "我的填报（卧龙区填报员）", reverse("reports:inbox"), "bench-reporter"),
            Page("compliance", "报送情况", reverse("dashboards:compliance"), leader),
        ]  # fmt: skip


def _static_settings() -> tuple[dict, str]:
    """Settings the pages need to render here. Without collectstatic (no manifest) the
    production static storage cannot name a file: then plain StaticFilesStorage is used."""
    try:
        staticfiles_storage.url("js/charts.js")
    except ValueError:
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        return {"STORAGES": storages}, (
            "No collectstatic manifest: static URLs were built by StaticFilesStorage instead of "
            "the production CompressedManifestStaticFilesStorage (a dictionary lookup per URL)."
        )
    return {}, ""


def _client(users: dict, username: str) -> Client:
    client = Client()
    client.force_login(users[username])
    return client


class _Visitor:
    """A signed-in client for one page. It signs in again before the session's idle clock
    (IdleTimeoutMiddleware writes it once a minute) would make a timed request write it."""

    def __init__(self, users: dict, page: Page):
        self.user, self.page = users[page.username], page
        self.client, self.signed_in = Client(), 0.0

    def get(self) -> float:
        if time.monotonic() - self.signed_in > 45:
            self.client.force_login(self.user)
            self.signed_in = time.monotonic()
        return _get(self.client, self.page.url)


def _get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed


class _QueryTimer:
    """An execute wrapper timing each query to the microsecond (the debug cursor's record
    keeps whole milliseconds)."""

    def __init__(self):
        self.timed: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timed.append(((time.perf_counter() - started) * 1000, sql))


def count_queries(client: Client, url: str) -> tuple[int, float, float, list[tuple[float, str]]]:
    """Queries of one request, their total time in ms, the request's own ms, the slowest."""
    timer = _QueryTimer()
    with connection.execute_wrapper(timer), CaptureQueriesContext(connection) as captured:
        elapsed = _get(client, url)
    timed = sorted(timer.timed, reverse=True)
    return len(captured), sum(t for t, _ in timed), elapsed, timed[:5]


def measure_pages(
    *, repeats: int = 30, warmup: int = 3, drawn_rounds: int = 10, log: Log = print
) -> tuple:
    """Every page's server time over `repeats` requests after `warmup`, and its queries.

    The pages take turns, round after round, so that whatever else the machine does weighs on
    all of them alike. Each round also times the floor twice: once in turn among the pages
    (key floor-interleaved: it then pays for the state the heavy pages leave behind, a
    millisecond or two) and once warm, the third of three back-to-back requests (key floor:
    the stack's least cost, the one the ratios use). Then `drawn_rounds` rounds time each
    page right after the cache is emptied: drawn from the stored verdicts, as after a change.
    Returns ([PageResult], note)."""
    extra, note = _static_settings()
    users = bench_users()
    results = []
    with override_settings(ROOT_URLCONF=URLCONF, **extra):
        pages = bench_pages()
        floor = _Visitor(users, pages[0])
        interleaved = _Visitor(
            users, replace(pages[0], key="floor-interleaved", name=FLOOR_INTERLEAVED)
        )
        in_turn = [interleaved, *(_Visitor(users, page) for page in pages[1:])]
        times: dict[str, list[float]] = {v.page.key: [] for v in [floor, *in_turn]}
        for round_number in range(warmup + repeats):
            timed = round_number >= warmup
            for visitor in in_turn:
                elapsed = visitor.get()
                if timed:
                    times[visitor.page.key].append(elapsed)
            floor.get()
            floor.get()
            elapsed = floor.get()
            if timed:
                times[floor.page.key].append(elapsed)
        drawn: dict[str, list[float]] = {v.page.key: [] for v in in_turn}
        for _round in range(max(drawn_rounds, 0)):
            for visitor in in_turn:
                cache.clear()
                drawn[visitor.page.key].append(visitor.get())
        for visitor in [floor, *in_turn]:
            page = visitor.page
            visitor.signed_in = 0.0  # signs in afresh: no session write in the counted request
            visitor.get()
            queries, sql_ms, captured_ms, top = count_queries(visitor.client, page.url)
            cache.clear()
            drawn_queries = count_queries(visitor.client, page.url)[0]
            result = PageResult(page, times[page.key], queries, sql_ms, captured_ms, top,
                                drawn.get(page.key, []), drawn_queries)  # fmt: skip
            results.append(result)
            log(
                f"  {page.key:<17} median {result.median:8.1f} ms  p95 {result.p95:8.1f} ms  "
                f"{queries} queries; drawn median {result.drawn_median or 0:8.1f} ms, "
                f"{drawn_queries} queries"
            )
    return results, note


class _Rollback(Exception):
    pass


@dataclass
class WireResult:
    """What the first and a repeat visit to 总览 cost on the wire, gzip as browsers ask."""

    html_bytes: int
    html_gzip_bytes: int
    assets: list[tuple[str, int, int]]  # url, bytes, gzip bytes

    @property
    def first_visit(self) -> int:
        return self.html_gzip_bytes + sum(gz for _, _, gz in self.assets)

    @property
    def repeat_visit(self) -> int:
        return self.html_gzip_bytes  # hashed static names are cached as immutable


def measure_wire() -> WireResult:
    """总览's HTML as sent with Accept-Encoding: gzip, and every script and style sheet it
    links, gzip-compressed at the level whitenoise stores them (9)."""
    import gzip
    import re

    from django.contrib.staticfiles import finders

    extra, _note = _static_settings()
    users = bench_users()
    with override_settings(ROOT_URLCONF=URLCONF, **extra):
        page = bench_pages()[1]
        client = _client(users, page.username)
        plain = client.get(page.url).content
        packed = client.get(page.url, HTTP_ACCEPT_ENCODING="gzip")
        html_gzip = len(packed.content) if packed.get("Content-Encoding") == "gzip" else len(plain)
        assets = []
        for url in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:js|css))"', plain):
            name = url.decode().removeprefix(
                settings.STATIC_URL
                if settings.STATIC_URL.startswith("/")
                else "/" + settings.STATIC_URL
            )
            path = finders.find(re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", name))
            if path is None:
                continue
            data = Path(path).read_bytes()
            assets.append((url.decode(), len(data), len(gzip.compress(data, 9))))
    return WireResult(len(plain), html_gzip, assets)


@dataclass
class RefreshResult:
    """Recomputing the stored verdicts (dashboards/verdicts.py) on the benchmark dataset."""

    what: str
    one_approval_ms: list[float]
    rows_written: int
    full_s: float
    full_rows: int


def measure_refresh(*, runs: int = 5, log: Log = print) -> RefreshResult:
    """The worker's time after one approval of a county figure of the measured county target
    (the change noted, then `refresh` taking it), and a full rebuild of the plan, each in a
    transaction rolled back afterwards. Wall time, the database's share included."""
    from dashboards.verdicts import refresh
    from reports.workflow import approve_record

    plan = Plan.objects.default()
    reviewer = bench_users()["bench-reviewer"]
    refresh(plan)  # today's verdicts exist, as the nightly job leaves them
    candidates = list(
        TargetValue.objects.filter(
            target__plan=plan, target__key=COUNTY_TARGET, status=WorkflowRecord.Status.SUBMITTED
        ).order_by("-covers_to", "pk")[: runs + 1]
    ) or list(
        TargetValue.objects.filter(
            target__plan=plan, status=WorkflowRecord.Status.SUBMITTED
        ).order_by("-covers_to", "pk")[: runs + 1]
    )
    times, written = [], 0
    for record in candidates[:runs]:
        try:
            with transaction.atomic():
                approve_record(record=record, user=reviewer)
                started = time.perf_counter()
                outcome = refresh(plan)
                times.append((time.perf_counter() - started) * 1000)
                written = sum(outcome.written.values())
                raise _Rollback
        except _Rollback:
            pass
    try:
        with transaction.atomic():
            started = time.perf_counter()
            outcome = refresh(plan, full=True)
            full_s = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    what = (
        f"approving one submitted value of `{candidates[0].target.key}` "
        f"({candidates[0].unit.name}, {candidates[0].period.label})"
        if candidates
        else "no submitted value to approve"
    )
    result = RefreshResult(what, times, written, full_s, sum(outcome.written.values()))
    if times:
        log(f"  after one approval: median {statistics.median(times):.0f} ms, {written} rows")
    log(f"  full rebuild of {plan.code}: {full_s:.1f} s, {result.full_rows:,} rows")
    return result


def demo_query_counts(*, periods: int = 15) -> dict[str, int]:
    """Queries per page on the demonstration data (make run: the plan and seed_demo), in a
    transaction rolled back afterwards. Needs a database without reports."""
    counts: dict[str, int] = {}
    extra, _note = _static_settings()
    try:
        with transaction.atomic():
            load_plan()
            plan = Plan.objects.default()
            users = bench_users()
            seed_demo(plan=plan, seed=2022, today=seed_cutoff(plan, periods))
            with override_settings(ROOT_URLCONF=URLCONF, **extra):
                for page in bench_pages(plan):
                    client = _client(users, page.username)
                    _get(client, page.url)  # warm-up: per-process caches
                    cache.clear()  # drawn, as the tests' budgets count them
                    counts[page.key] = count_queries(client, page.url)[0]
            raise _Rollback
    except _Rollback:
        pass
    return counts


# --- cost against the amount of data ---------------------------------------------------------

SCALES = (1, 3, 10)  # × the demonstration data
SCALE_RATIO = 1.5  # goal: a page's slowest median at most this many times its fastest
SCALE_NOISY = 1.25  # the floor's own spread above which the report warns of a busy machine


@dataclass
class ScaleResult:
    """The pages timed on `plans` copies of the demonstration data (in a transaction rolled
    back afterwards)."""

    scale: int
    plans: int
    reports: int
    values: int
    build_s: float
    pages: list[PageResult]
    shown_reports: int = 0  # of them in the plan the pages show
    load: float = 0.0  # 1-minute load average once the rounds are done


def seed_scale(plans: int, *, periods: int = 15) -> None:
    """The demonstration data `plans` times over: the plan as `load_plan` loads it and
    plans − 1 copies (plan_fixtures, without the extra county targets), each seeded by
    seed_demo as `make run` seeds the one plan. The plan the pages show is seeded first with
    the demo's seed, so it holds the same records at every scale: only the data around it
    grows."""
    if plans == 1:
        load_plan()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            load_plan(fixtures_dir=plan_fixtures(Path(tmp), plans, extra_targets=0))
    bench_users()  # before seeding: seed_demo's approvals are bench-reviewer's
    default = Plan.objects.default()
    others = Plan.objects.exclude(pk=default.pk).order_by("code")
    for index, plan in enumerate([default, *others]):
        DemoDataset.objects.all().delete()  # seed_demo seeds once per database otherwise
        seed_demo(plan=plan, seed=2022 + index, today=seed_cutoff(plan, periods))
    analyze()


def measure_scales(
    *,
    scales: tuple[int, ...] | None = None,
    periods: int = 15,
    repeats: int = 15,
    warmup: int = 3,
    log: Log = print,
) -> list[ScaleResult]:
    """Every page's time (measure_pages, fewer rounds) on the demonstration data at each
    scale, each scale built in its own transaction and rolled back. Needs a database without
    reports, as demo_query_counts does."""
    results = []
    for scale in scales or SCALES:
        try:
            with transaction.atomic():
                started = time.perf_counter()
                seed_scale(scale, periods=periods)
                build_s = time.perf_counter() - started
                pages, _note = measure_pages(
                    repeats=repeats, warmup=warmup, drawn_rounds=5, log=lambda _s: None
                )
                result = ScaleResult(
                    scale=scale,
                    plans=Plan.objects.count(),
                    reports=ProgressReport.objects.count(),
                    values=TargetValue.objects.count(),
                    build_s=build_s,
                    pages=pages,
                    shown_reports=ProgressReport.objects.filter(
                        period__plan=Plan.objects.default()
                    ).count(),
                    load=load_average()[0],
                )
                results.append(result)
                log(
                    f"  {scale}×: {result.plans} plans, {result.reports:,} reports, "
                    f"{result.values:,} values (built in {build_s:.0f} s); "
                    + ", ".join(f"{r.page.key} {r.median:.1f}" for r in pages)
                    + " ms"
                )
                raise _Rollback
        except _Rollback:
            pass
    return results


def scale_spread(results: list[ScaleResult], *, drawn: bool = False) -> dict[str, float]:
    """Each page's slowest median over its fastest across the scales: as served, or (drawn)
    as drawn right after the cache is emptied, for the pages that were."""
    medians: dict[str, list[float]] = {}
    for result in results:
        for page in result.pages:
            value = page.drawn_median if drawn else page.median
            if value is not None:
                medians.setdefault(page.page.key, []).append(value)
    return {key: max(values) / min(values) for key, values in medians.items() if min(values) > 0}


# --- throughput under gunicorn ---------------------------------------------------------------

THROUGHPUT_GOAL = 100  # requests per second for 总览
THROUGHPUT_WORKERS = 2
THROUGHPUT_CONNECTIONS = 4
THROUGHPUT_USER = "leader"  # the demonstration leader (demo/accounts.py)
# The server's settings: the project's own, as production reads them, with the harness's
# urlconf (the floor view) and a folder of its own for collectstatic. Written to a temporary
# module for the subprocesses: DJANGO_SETTINGS_MODULE is the one way into them.
THROUGHPUT_SETTINGS = """\
from nanyang_tracker.settings import *  # noqa: F403

ROOT_URLCONF = {urlconf!r}
STATIC_ROOT = {static_root!r}
"""
# Variables of this process that would make the server something else than production on
# loopback over plain HTTP, or point it at another database or cache.
_NOT_PASSED = {
    *("DATABASE_URL", "SQLITE_PATH", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE", "HTTPS"),
    *("BEHIND_TLS_PROXY", "REDIS_URL", "EMAIL_HOST", "S3_BUCKET", "MEDIA_ROOT"),
}


@dataclass
class RateResult:
    """One URL under load: what was answered within the timed seconds."""

    name: str
    url: str
    seconds: float
    latencies_ms: list[float]
    errors: int
    statuses: dict[int, int] = field(default_factory=dict)  # status (0: no answer): count

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95) if self.latencies_ms else float("nan")


@dataclass
class ThroughputResult:
    workers: int
    connections: int
    seconds: float
    warmup: float
    database: str
    setup_s: float
    reports: int
    rates: list[RateResult]
    gunicorn: str = ""

    def rate(self, key: str) -> RateResult | None:
        return next((r for r in self.rates if r.name == key), None)


def load_url(
    host: str,
    port: int,
    path: str,
    *,
    name: str = "",
    headers: dict[str, str] | None = None,
    connections: int = THROUGHPUT_CONNECTIONS,
    seconds: float = 10.0,
    warmup: float = 2.0,
) -> RateResult:
    """`connections` threads, each with its own HTTP connection, requesting `path` one request
    after another for `warmup` + `seconds`; the requests answered 200 within the last
    `seconds` count (one still open when the time is up does not). A connection the server
    closes (gunicorn's sync workers close each one) is opened again for the next request."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    timed_from, until = started + warmup, started + warmup + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        codes: dict[int, int] = {}
        while (sent := time.perf_counter()) < until:
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
            done = time.perf_counter()
            if timed_from <= sent and done <= until:
                codes[status] = codes.get(status, 0) + 1
                if status == 200:
                    mine.append((done - sent) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, count in codes.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = sum(count for status, count in statuses.items() if status != 200)
    return RateResult(name or path, path, seconds, latencies, errors, statuses)


def free_port() -> int:
    """A TCP port free on loopback now (the operating system's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throughput_setup(*, username: str = THROUGHPUT_USER) -> dict:
    """Run in the server's settings (see measure_throughput): migrate, the demonstration data
    as `make run` makes it (load_plan, create_demo_accounts, seed_demo), its verdicts,
    collectstatic; then a session for the demo leader. Returns the session key and counts."""
    from django.core.management import call_command
    from django.test import Client as SessionMaker

    from dashboards.verdicts import refresh
    from demo.accounts import create_demo_accounts

    call_command("migrate", interactive=False, verbosity=0)
    load_plan()
    create_demo_accounts()
    plan = Plan.objects.default()
    seed_demo(plan=plan)
    refresh(plan)
    call_command("collectstatic", interactive=False, verbosity=0)
    maker = SessionMaker()
    maker.force_login(get_user_model().objects.get(username=username))
    return {
        "session": maker.cookies[settings.SESSION_COOKIE_NAME].value,
        "reports": ProgressReport.objects.count(),
    }


def _database_url(name: str) -> str:
    """A URL for database `name` on the server this process is connected to (PostgreSQL)."""
    from urllib.parse import quote

    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}{port}/{name}"


def _database(statement: str, name: str) -> None:
    """CREATE or DROP a database (outside any transaction, as PostgreSQL asks), through the
    maintenance database of the server this process is connected to."""
    import psycopg
    from psycopg import sql

    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        autocommit=True,
    ) as admin:
        admin.execute(sql.SQL(statement).format(sql.Identifier(name)))


def _wait_until_up(host: str, port: int, path: str, headers: dict, process, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with status {process.returncode}")
        try:
            probe = http.client.HTTPConnection(host, port, timeout=5)
            probe.request("GET", path, headers=headers)
            status = probe.getresponse().status
            probe.close()
            if status == 200:
                return
            raise RuntimeError(f"{path} answered {status} (signed in as {THROUGHPUT_USER})")
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def measure_throughput(
    *,
    seconds: float = 10.0,
    warmup: float = 2.0,
    workers: int = THROUGHPUT_WORKERS,
    connections: int = THROUGHPUT_CONNECTIONS,
    log: Log = print,
) -> ThroughputResult:
    """Requests per second for 总览 and the floor from gunicorn (`workers` sync workers) on
    loopback, production settings (DEBUG off, collected static files served by whitenoise,
    a per-process cache), on a database of its own holding the demonstration data: on
    PostgreSQL a database `<this one>_throughput` on the same server, created and dropped
    here; otherwise a temporary SQLite file. The client (load_url) runs in this process."""
    host, port = "127.0.0.1", free_port()
    postgres = connection.vendor == "postgresql"
    name = f"{connection.settings_dict['NAME']}_throughput"[:63]
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        folder = Path(tmp)
        (folder / "bench_throughput_settings.py").write_text(
            THROUGHPUT_SETTINGS.format(urlconf=URLCONF, static_root=str(folder / "static")),
            encoding="utf-8",
        )
        env = {key: value for key, value in os.environ.items() if key not in _NOT_PASSED}
        env |= {
            "DJANGO_SETTINGS_MODULE": "bench_throughput_settings",
            "PYTHONPATH": os.pathsep.join([tmp, str(settings.BASE_DIR)]),
            "SECRET_KEY": os.urandom(32).hex(),
            "ALLOWED_HOSTS": host,
            "MEDIA_ROOT": str(folder / "media"),
        }
        if postgres:
            _database("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)  # a run interrupted
            _database("CREATE DATABASE {}", name)
            env["DATABASE_URL"] = _database_url(name)
            database = f"PostgreSQL database `{name}` on the same server"
        else:
            env["SQLITE_PATH"] = str(folder / "throughput.sqlite3")
            database = "a temporary SQLite file"
        try:
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", "import json, django; django.setup(); from bench.harness "
                 "import throughput_setup; print(json.dumps(throughput_setup()))"],
                cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"setting up the throughput database failed:\n{done.stderr}")
            setup = json.loads(done.stdout.strip().splitlines()[-1])
            setup_s = time.perf_counter() - started
            log(f"  demonstration data ({setup['reports']:,} reports) in {setup_s:.0f} s")
            headers = {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={setup['session']}",
                "Accept-Encoding": "gzip",  # as browsers ask; the pages are sent compressed
            }
            rates = _serve_and_load(folder, env, host, port, headers, workers=workers,
                                    connections=connections, seconds=seconds, warmup=warmup,
                                    log=log)  # fmt: skip
        finally:
            if postgres:
                _database("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    return ThroughputResult(workers, connections, seconds, warmup, database, setup_s,
                            setup["reports"], rates, f"gunicorn {_gunicorn_version()}")  # fmt: skip


def _gunicorn_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gunicorn")
    except PackageNotFoundError:
        return "?"


def _serve_and_load(folder, env, host, port, headers, *, workers, connections, seconds, warmup,
                    log) -> list[RateResult]:  # fmt: skip
    """Start gunicorn, load the floor and 总览 in turn, stop gunicorn (only the process
    started here, by its id)."""
    with override_settings(ROOT_URLCONF=URLCONF):
        urls = [("floor", reverse("bench-floor")), ("overview", reverse("dashboards:overview"))]
    errors = (folder / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "nanyang_tracker.wsgi", "--bind", f"{host}:{port}",
         "--workers", str(workers), "--timeout", "60", "--error-logfile", "-"],
        cwd=settings.BASE_DIR, env=env, stdout=errors, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_up(host, port, urls[0][1], headers, process, timeout=60)
        rates = []
        for key, url in urls:
            rate = load_url(host, port, url, name=key, headers=headers, connections=connections,
                            seconds=seconds, warmup=warmup)  # fmt: skip
            rates.append(rate)
            log(f"  {key:<9} {rate.per_second:7.1f} req/s  median {rate.median:6.1f} ms  "
                f"p95 {rate.p95:6.1f} ms  errors {rate.errors}")  # fmt: skip
        return rates
    except RuntimeError as error:
        errors.flush()
        tail = (folder / "gunicorn.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{error}\ngunicorn's log:\n{tail}") from error
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()


def profile_page(page: Page, *, requests: int = 3, top: int = 15) -> str:
    """cProfile over a few requests of a page: a summary, the functions with the most own time
    and the project's functions with the most cumulative time."""
    extra, _note = _static_settings()
    users = bench_users()
    with override_settings(ROOT_URLCONF=URLCONF, **extra):
        client = _client(users, page.username)
        _get(client, page.url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            _get(client, page.url)
        profiler.disable()
    return _profile_text(pstats.Stats(profiler), requests, top, f"{requests} requests")


def _project_file(filename: str) -> bool:
    base = str(settings.BASE_DIR)
    return (
        filename.startswith(base)
        and "/.venv/" not in filename
        and not filename.endswith(("bench/harness.py", "nanyang_tracker/middleware.py"))
    )


def _entries(stats) -> list[tuple[str, str, int, float, float]]:
    """(file, function, calls, own s, cumulative s) for every profiled function."""
    return [
        (filename, name, calls, tottime, cumtime)
        for (filename, _line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items()
    ]


def _cumulative(stats, suffix: str, name: str) -> tuple[int, float]:
    found = [(c, cum) for f, n, c, _t, cum in _entries(stats) if f.endswith(suffix) and n == name]
    return (found[0][0], found[0][1]) if found else (0, 0.0)


def _summary(stats, requests: int) -> str:
    """Where the profiled time went, as shares of it: the project's heaviest functions,
    template rendering, URL reversing, the database driver."""
    whole = max([stats.total_tt, *(cum for *_rest, cum in _entries(stats))]) or 1
    project = sorted(
        ((cum, f, n) for f, n, _c, _t, cum in _entries(stats) if _project_file(f)), reverse=True
    )
    parts = [
        f"{_short(f)}:{n} {cum / whole:.0%}" for cum, f, n in project[:5] if cum / whole >= 0.05
    ]
    _calls, rendering = _cumulative(stats, "django/template/loader.py", "render_to_string")
    if rendering:
        parts.append(f"template rendering (render_to_string) {rendering / whole:.0%}")
    calls, reversing = _cumulative(stats, "django/urls/base.py", "reverse")
    if calls:
        parts.append(f"{calls / requests:.0f} reverse() calls {reversing / whole:.0%}")
    driver = sum(t for f, _n, _c, t, _cum in _entries(stats) if "/psycopg/" in f)
    if driver:
        parts.append(f"psycopg (sending, waiting, fetching) {driver / whole:.0%}")
    return "; ".join(parts) + "."


def _profile_text(stats, requests: int, top: int, what: str) -> str:
    total = stats.total_tt / requests * 1000
    lines = [f"cProfile, {what}, {total:.0f} ms of profiled time each (cProfile adds overhead).",
             "", "Summary: " + _summary(stats, requests), ""]  # fmt: skip
    lines.append("By own time (tottime), all code:")
    lines += _stat_lines(stats, "tottime", top, requests, lambda f: True)
    lines.append("")
    lines.append("By cumulative time, the project's own functions:")
    lines += _stat_lines(stats, "cumulative", top, requests, _project_file)
    return "\n".join(lines)


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(settings.BASE_DIR) + "/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1].lstrip(".0123456789/")
    return filename


def _stat_lines(stats, key: str, top: int, requests: int, keep) -> list[str]:
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        if keep(filename):
            rows.append((tottime if key == "tottime" else cumtime, calls, tottime, cumtime,
                         f"{_short(filename)}:{line}({name})"))  # fmt: skip
    rows.sort(reverse=True)
    out = ["    calls/req  own ms/req  cum ms/req  function"]
    for _sort, calls, tottime, cumtime, where in rows[:top]:
        out.append(
            f"    {calls / requests:9.0f}  {tottime / requests * 1000:10.1f}  "
            f"{cumtime / requests * 1000:10.1f}  {where}"
        )
    return out


# --- the 台账 export -------------------------------------------------------------------------


@dataclass
class ExportResult:
    plan: str
    period: str
    ledger_rows: int
    target_rows: int
    cells: int
    runs: int
    export_s: list[float]
    rows_s: list[float]
    write_s: list[float]
    floor_s: list[float]
    export_peak: int
    floor_peak: int
    export_bytes: int
    floor_bytes: int
    export_rss: int | None = None
    floor_rss: int | None = None
    export_maxrss: int | None = None
    floor_maxrss: int | None = None
    rss_note: str = ""
    # The second floor: XlsxWriter in constant_memory mode writing the same cells.
    xlsx_s: list[float] = field(default_factory=list)
    xlsx_peak: int = 0
    xlsx_bytes: int = 0
    xlsx_rss: int | None = None
    xlsx_maxrss: int | None = None

    @property
    def speed_ratio(self) -> float:
        """The export's speed as a share of the floor's: floor time / export time."""
        return statistics.median(self.floor_s) / statistics.median(self.export_s)

    @property
    def xlsx_ratio(self) -> float | None:
        """The export's speed as a share of XlsxWriter's, when it was measured."""
        if not self.xlsx_s:
            return None
        return statistics.median(self.xlsx_s) / statistics.median(self.export_s)


def export_period(plan: Plan) -> ReportingPeriod:
    """The latest quarter that has reports (the whole quarter, every unit)."""
    with_reports = ProgressReport.objects.filter(period__plan=plan).values("period")
    return (
        ReportingPeriod.objects.filter(pk__in=with_reports)
        .select_related("plan")
        .order_by("-starts_on")
        .first()
    )


def run_export(plan: Plan, period: ReportingPeriod, stream) -> tuple[float, float, list, list]:
    """The export as reports/exporting.run_export does it, for every unit: the rows, then the
    workbook. Returns the seconds of each half and the rows."""
    started = time.perf_counter()
    day = period.ends_on
    ledger = ledger_rows(plan, period, None)
    targets = target_rows(plan, day, None)
    built = time.perf_counter()
    write_workbook(
        stream,
        title=f"{LEDGER_TITLE}（{period.label}）",
        ledger=ledger,
        targets=targets,
        target_title=f"目标指标完成情况（截至{day:%Y年%-m月%-d日}）",
    )
    return built - started, time.perf_counter() - built, ledger, targets


def _plain(value):
    """A cell as the floor writes it: numbers as numbers, everything else as a plain string."""
    if value is None or isinstance(value, int | float):
        return value
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return str(value)


def floor_workbook(stream, ledger_values: list[list], target_values: list[list]) -> None:
    """Bare openpyxl in write-only mode writing the same cells: no styles, no logic."""
    book = Workbook(write_only=True)
    for title, rows in (("重点任务台账", ledger_values), ("目标指标", target_values)):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(stream)


def xlsxwriter_floor(stream, ledger_values: list[list], target_values: list[list]) -> None:
    """XlsxWriter writing the same cells, the second floor: constant_memory mode (each row
    flushed to a temporary file once the next begins, as openpyxl's write-only mode does), no
    formats. Strings stay strings: XlsxWriter would otherwise turn "=…" into a formula and
    "http…" into a link, work the other floor does not do."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        stream, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    for title, rows in (("重点任务台账", ledger_values), ("目标指标", target_values)):
        sheet = book.add_worksheet(title)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)  # None: no cell, as openpyxl's append leaves it
    book.close()


def floor_values(ledger: list, targets: list) -> tuple[list[list], list[list]]:
    """The cells the export writes, as plain values, with its title and header rows."""
    from dashboards.excel import LEDGER_HEADER, TARGET_HEADER

    ledger_values = [["title"], LEDGER_HEADER]
    ledger_values += [[_plain(v) for v in _ledger_values(row)] for row in ledger]
    target_values = [["title"], TARGET_HEADER]
    target_values += [
        [
            _plain(v)
            for v in (r.label, r.goal, r.current, r.expected, r.rate, r.status, r.basis, r.source)
        ]
        for r in targets
    ]
    return ledger_values, target_values


def _vm(field_name: str) -> int:
    """A size from /proc/self/status in bytes (VmRSS, VmHWM), 0 where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_probe(kind: str) -> dict[str, int]:
    """Run in a fresh interpreter (see _rss_in_fresh_process): the rise of the resident size
    while the process's first export (or the floor, once its rows are built) runs: the
    high-water mark is reset first (/proc/self/clear_refs), so VmHWM − VmRSS is the run's own,
    modules and caches it loads included. Also the process's whole peak resident size
    (VmHWM before and after the reset), interpreter and Django included: getrusage's ru_maxrss
    cannot serve, as it carries the parent's peak over fork and exec."""
    plan = Plan.objects.default()
    period = export_period(plan)
    values = None
    if kind in ("floor", "xlsxwriter"):
        values = floor_values(ledger_rows(plan, period, None), target_rows(plan, period.ends_on))
    gc.collect()
    peak_before = _vm("VmHWM")
    Path("/proc/self/clear_refs").write_text("5")
    start = _vm("VmRSS")
    with tempfile.TemporaryFile() as handle:
        if kind == "export":
            run_export(plan, period, handle)
        elif kind == "xlsxwriter":
            xlsxwriter_floor(handle, *values)
        else:
            floor_workbook(handle, *values)
    return {"rise": _vm("VmHWM") - start, "maxrss": max(peak_before, _vm("VmHWM"))}


def _rss_in_fresh_process(kind: str) -> dict[str, int]:
    code = (
        "import json, django; django.setup(); from bench.harness import rss_probe; "
        f"print(json.dumps(rss_probe({kind!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]},
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_export(*, runs: int = 5, rss: bool = True, log: Log = print) -> ExportResult:
    """The default plan's 台账 for its latest quarter with reports, every unit: time (median of
    `runs`) and peak memory, against the floor writing the same cells."""
    plan = Plan.objects.default()
    period = export_period(plan)
    export_s, rows_s, write_s, floor_s, xlsx_s = [], [], [], [], []
    ledger = targets = None
    export_bytes = floor_bytes = xlsx_bytes = 0
    for _ in range(runs):
        with tempfile.TemporaryFile() as handle:
            rows_time, write_time, ledger, targets = run_export(plan, period, handle)
            export_bytes = handle.tell()
        rows_s.append(rows_time)
        write_s.append(write_time)
        export_s.append(rows_time + write_time)
    ledger_values, target_values = floor_values(ledger, targets)
    for _ in range(runs):
        with tempfile.TemporaryFile() as handle:
            started = time.perf_counter()
            floor_workbook(handle, ledger_values, target_values)
            floor_s.append(time.perf_counter() - started)
            floor_bytes = handle.tell()
    for _ in range(runs):
        with tempfile.TemporaryFile() as handle:
            started = time.perf_counter()
            xlsxwriter_floor(handle, ledger_values, target_values)
            xlsx_s.append(time.perf_counter() - started)
            xlsx_bytes = handle.tell()

    def export_once():
        with tempfile.TemporaryFile() as handle:
            run_export(plan, period, handle)

    def floor_once():
        with tempfile.TemporaryFile() as handle:
            floor_workbook(handle, ledger_values, target_values)

    def xlsx_once():
        with tempfile.TemporaryFile() as handle:
            xlsxwriter_floor(handle, ledger_values, target_values)

    export_peak = _traced_peak(export_once)
    floor_peak = _traced_peak(floor_once)
    xlsx_peak = _traced_peak(xlsx_once)
    result = ExportResult(
        plan=plan.code,
        period=period.label,
        ledger_rows=len(ledger),
        target_rows=len(targets),
        cells=sum(len(r) for r in ledger_values) + sum(len(r) for r in target_values),
        runs=runs,
        export_s=export_s,
        rows_s=rows_s,
        write_s=write_s,
        floor_s=floor_s,
        export_peak=export_peak,
        floor_peak=floor_peak,
        export_bytes=export_bytes,
        floor_bytes=floor_bytes,
        xlsx_s=xlsx_s,
        xlsx_peak=xlsx_peak,
        xlsx_bytes=xlsx_bytes,
    )
    if not rss:
        result.rss_note = "not measured (asked not to)"
    elif not Path("/proc/self/clear_refs").exists():
        result.rss_note = "not measured (needs Linux's /proc/self/clear_refs)"
    elif connection.in_atomic_block:
        result.rss_note = "not measured (inside a transaction another process cannot see)"
    else:
        probe = _rss_in_fresh_process("export")
        result.export_rss, result.export_maxrss = probe["rise"], probe["maxrss"]
        probe = _rss_in_fresh_process("floor")
        result.floor_rss, result.floor_maxrss = probe["rise"], probe["maxrss"]
        probe = _rss_in_fresh_process("xlsxwriter")
        result.xlsx_rss, result.xlsx_maxrss = probe["rise"], probe["maxrss"]
    log(
        f"  export {statistics.median(export_s):.2f} s (rows {statistics.median(rows_s):.2f} s, "
        f"workbook {statistics.median(write_s):.2f} s), floor {statistics.median(floor_s):.2f} s,"
        f" XlsxWriter {statistics.median(xlsx_s):.2f} s; peak {export_peak / MIB:.1f} MiB, floor "
        f"{floor_peak / MIB:.1f} MiB, XlsxWriter {xlsx_peak / MIB:.1f} MiB"
    )
    return result


def _traced_peak(work: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def profile_export(*, top: int = 15) -> str:
    plan = Plan.objects.default()
    period = export_period(plan)
    profiler = cProfile.Profile()
    with tempfile.TemporaryFile() as handle:
        profiler.enable()
        run_export(plan, period, handle)
        profiler.disable()
    return _profile_text(pstats.Stats(profiler), 1, top, "one export")


# --- the report ------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    info = {
        "CPUs (nproc)": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                            else os.cpu_count()),
        "CPU": platform.processor() or platform.machine(),
        "memory": "",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "database": connection.vendor,
        "OS": platform.platform(),
    }  # fmt: skip
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["CPU"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    info["code"] = code_version()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            info["database"] = f"SQLite {cursor.fetchone()[0]}"
    return info


def code_version() -> str:
    """The commit measured, and whether the working tree differs from it (read-only git)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=30
        )
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""

    try:
        commit = git("log", "-1", "--format=%h %cd %s", "--date=format:%Y-%m-%d %H:%M")
        changed = [
            line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        ]
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git checkout)"
    if changed:
        shown = ", ".join(changed[:6]) + (" …" if len(changed) > 6 else "")
        files = "file" if len(changed) == 1 else "files"
        return f"commit {commit}; uncommitted changes in {len(changed)} {files} ({shown})"
    return f"commit {commit}; no uncommitted changes to tracked files"


@dataclass
class Report:
    """Everything docs/benchmarks.md says."""

    command: str
    started: dt.datetime
    machine: dict[str, str]
    counts: dict[str, int]
    build: BuildResult | None
    pages: list[PageResult]
    page_note: str
    demo_queries: dict[str, int]
    export: ExportResult
    profiles: dict[str, str] = field(default_factory=dict)
    repeats: int = 30
    warmup: int = 3
    load: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    refresh: RefreshResult | None = None
    wire: WireResult | None = None
    scales: list[ScaleResult] = field(default_factory=list)
    scales_note: str = ""  # why the scales were not measured, when they were not
    throughput: ThroughputResult | None = None
    throughput_note: str = ""
    scale_repeats: int = 15
    scale_warmup: int = 3

    @property
    def floor(self) -> PageResult:
        return next(r for r in self.pages if r.page.key == "floor")

    def summary(self, key: str) -> str:
        """The profile's one-line summary, to stand beside a missed goal."""
        for line in self.profiles.get(key, "").splitlines():
            if line.startswith("Summary: "):
                return ". Profiled time: " + line.removeprefix("Summary: ").rstrip(".")
        return ""

    def page_misses(self, result: PageResult) -> list[str]:
        floor = self.floor
        misses = []
        if result.p95 >= PAGE_P95_MS:
            misses.append(f"p95 {result.p95:.0f} ms ≥ {PAGE_P95_MS} ms")
        if result.median > PAGE_FLOOR_RATIO * floor.median:
            misses.append(f"{result.median / floor.median:.0f}× the floor > {PAGE_FLOOR_RATIO}×")
        demo = self.demo_queries.get(result.page.key)
        budget = TEST_BUDGETS.get(result.page.key)
        drawn = result.queries if result.drawn_queries is None else result.drawn_queries
        if demo is not None and drawn != demo:
            misses.append(f"{drawn} queries drawn, {demo} on demo data")
        elif demo is None and budget is not None and drawn > budget:
            misses.append(f"{drawn} queries drawn > the tests' budget {budget}")
        return misses

    def export_misses(self) -> list[str]:
        e, misses = self.export, []
        if e.speed_ratio < EXPORT_SPEED_RATIO:
            misses.append(f"{e.speed_ratio:.2f}× the floor's speed < {EXPORT_SPEED_RATIO}×")
        if e.export_peak >= EXPORT_PEAK_MIB * MIB:
            misses.append(f"peak {e.export_peak / MIB:.1f} MiB ≥ {EXPORT_PEAK_MIB} MiB")
        if e.export_rss is not None and e.export_rss >= EXPORT_PEAK_MIB * MIB:
            misses.append(f"resident peak +{e.export_rss / MIB:.1f} MiB ≥ {EXPORT_PEAK_MIB} MiB")
        return misses

    def xlsx_misses(self) -> list[str]:
        ratio = self.export.xlsx_ratio
        if ratio is not None and ratio < EXPORT_SPEED_RATIO:
            return [f"{ratio:.2f}× its speed < {EXPORT_SPEED_RATIO}×"]
        return []

    def scale_misses(self) -> list[str]:
        served, drawn = scale_spread(self.scales), scale_spread(self.scales, drawn=True)
        misses = []
        for r in self.scales[0].pages:
            key = r.page.key
            if key.startswith("floor"):
                continue
            if served.get(key, 0) > SCALE_RATIO:
                misses.append(f"{r.page.name} {served[key]:.2f}×")
            if drawn.get(key, 0) > SCALE_RATIO:
                misses.append(f"{r.page.name} drawn {drawn[key]:.2f}×")
        return misses

    def throughput_misses(self) -> list[str]:
        overview = self.throughput.rate("overview") if self.throughput else None
        if overview is None:
            return ["not measured"]
        misses = []
        if overview.per_second < THROUGHPUT_GOAL:
            misses.append(f"{overview.per_second:.0f} req/s < {THROUGHPUT_GOAL} req/s")
        if overview.errors:
            misses.append(f"{overview.errors} requests not answered 200")
        return misses


def slow_pages(report: Report) -> list[PageResult]:
    """Pages that miss a time goal (p95 or the floor ratio), slowest first."""
    missed = [
        r
        for r in report.pages
        if not r.page.key.startswith("floor")
        and (r.p95 >= PAGE_P95_MS or r.median > PAGE_FLOOR_RATIO * report.floor.median)
    ]
    return sorted(missed, key=lambda r: -r.median)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _n(value: int) -> str:
    return f"{value:,}"


def render(report: Report) -> str:
    c, floor, e = report.counts, report.floor, report.export
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{report.command}` on {report.started:%Y-%m-%d %H:%M %Z}; run it again to "
        "refresh every figure (see README.md, Benchmarks). Pages are judged as of that day, "
        "as a user would see them.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in report.machine.items()]
    for moment, (one, five, fifteen) in report.load.items():
        lines.append(
            f"| load average {moment} (1, 5, 15 min) | {one:.2f}, {five:.2f}, {fifteen:.2f} |"
        )
    # The benchmark itself keeps about one process runnable.
    busy = [m for m, avg in report.load.items() if avg[0] - 1 > 0.5]
    if busy:
        lines += [
            "",
            "Other work ran on the machine during the measurements (1-minute load average more "
            "than half a CPU above the benchmark's own 1): the times, p95 above all, are higher "
            "than on a quiet machine; the ratios to the floor, measured in the same rounds, "
            "suffer less.",
        ]
    lines += [
        "",
        "## Dataset",
        "",
        "| | count |",
        "|---|---:|",
        f"| plans | {_n(c['plans'])} |",
        f"| reporting units (countable) | {_n(c['units'])} |",
        f"| of them county-level, in {COUNTIES} | {_n(c['counties'])} |",
        f"| tasks | {_n(c['tasks'])} |",
        f"| task–unit assignments (责任单位 rows) | {_n(c['task_units'])} |",
        f"| targets | {_n(c['targets'])} |",
        f"| reporting periods (with reports) | {_n(c['periods'])} "
        f"({_n(c['periods_with_reports'])}) |",
        f"| progress reports | {_n(c['reports'])} ({_pct(c['reports_approved'], c['reports'])}"
        " approved) |",
        f"| target values | {_n(c['values'])} ({_pct(c['values_approved'], c['values'])}"
        " approved) |",
        f"| workflow events | {_n(c['events'])} |",
        f"| revisions | {_n(c['revisions'])} |",
        "",
        "How it is made (`bench/harness.py`, `build_dataset`): the plan's fixture is copied into a "
        f"temporary folder with the plan and {max(c['plans'] - 1, 0)} copies of it (codes "
        "`copy-2` …, as `tests/dashboards/test_scale.py` makes them) and every plan gets "
        f"{EXTRA_COUNTY_TARGETS} more county-by-county targets (copies of the plan's two county "
        "targets, labelled 压测副本, so 34 targets a plan, 6 of them owed by every county: 3 "
        "every quarter, 3 yearly ones with the fourth quarter); "
        "`tasks.loading.load_plan` loads it. "
        f"{COUNTIES} is made to hold {_n(c['counties'])} county-level units: the fixture's 18 "
        "and 压测县区019 … created in bulk, so tasks 11, 12 and 15 and every county target are "
        "owed by each of them. Each county-level unit, the i-th in the collective's order "
        f"(from 0), is also made 配合单位 of {EXTRA_TASKS_PER_COUNTY} more tasks: the 19 tasks "
        f"the collective does not own, in ledger order, taken round-robin from position "
        f"i × {EXTRA_TASKS_PER_COUNTY}; so every county owes 3 + {EXTRA_TASKS_PER_COUNTY} = "
        f"{3 + EXTRA_TASKS_PER_COUNTY} of the 22 tasks, each of those 19 tasks gets about "
        f"{EXTRA_TASKS_PER_COUNTY * c['counties'] // 19} extra co-units, and the municipal "
        "units keep the ledger's assignments. Then `demo.seeding.seed_demo` fills each plan's "
        "quarters (bulk inserts of records with the events and revisions the workflow keeps; "
        "most approved, some returned once, some late, a few missing, the last quarter "
        "unfinished), and the tables are analysed (`VACUUM ANALYZE` on PostgreSQL). At full "
        "scale: 10 × 15 × (51 municipal + 200 × 11) × 0.953 ≈ 321,700 reports and "
        "10 × 15 × (the city figures owed in a quarter + 200 × (3 + 3 / 4)) × 0.953 ≈ 110,000 "
        "values (a yearly figure is owed once a year), 0.953 being the share seed_demo writes "
        "(96% of past quarters, 85% of the last).",
    ]
    if report.build:
        b = report.build
        lines += ["", f"Build: {b.seconds:.0f} s in all.", "", "| step | s |", "|---|---:|"]
        lines += [f"| {label} | {seconds:.1f} |" for label, seconds in b.timings]
    goals = c["reports"] >= REPORT_GOAL and c["values"] >= VALUE_GOAL
    lines += [
        "",
        f"Size goal (≥ {_n(REPORT_GOAL)} reports, ≥ {_n(VALUE_GOAL)} values): "
        f"{'met' if goals else 'NOT met (a smaller run)'}.",
        "",
        "## Pages",
        "",
        "Server time in process: `django.test.Client` (signed in with `force_login`) through the "
        "whole middleware stack, on the database above; "
        f"{report.warmup} warm-up rounds, then {report.repeats} timed rounds, each round "
        "requesting every page once in turn; the median and the 95th percentile (nearest "
        "rank) of each page's requests. The floor is a view answering `HttpResponse('ok')` "
        "behind the same middleware and sign-in (`bench/floor/`, added through a urlconf in "
        "`bench/harness.py`), timed twice in every round: *warm*, the third of three "
        "back-to-back requests at the end of the round (the stack's least cost: the ratios "
        "use it), and *in turn* among the pages, where it pays for the state the heavy pages "
        "leave behind. Ratio: the page's median over the floor's median (p95 over p95 "
        "beside it). Absolute times depend on the machine and on what else runs on it (on a "
        "shared virtual machine they can differ by up to about 2× between runs); the ratios "
        "are the figures to compare. Queries: one more request under "
        "`CaptureQueriesContext`, with the time "
        "the database took for them; *demo* is the same count on the demonstration data "
        + (
            "(`load_plan` + `seed_demo`, measured in the same run in a transaction rolled back "
            "before the build)"
            if report.demo_queries
            else "(not measured: it needs the empty database a build starts from)"
        )
        + "; *budget* is the tests' limit.",
        "",
        "The dashboards (总览, the target's and the unit's pages, 考核评比) keep the pages "
        "they draw in Django's cache, keyed by the data version (dashboards/page_cache.py): "
        "*median* and *p95* are the pages as served, round after round, from the cache; "
        "*drawn* is each page requested right after the cache is emptied (10 more rounds), "
        "as the first request after an approval or a correction is, drawn from the stored "
        "verdicts. *Queries*: served / drawn; *demo* and *budget* are for the page drawn.",
        "",
        "| page | URL | median ms | p95 ms | floor median / p95 ms | ratio (p95) | "
        "drawn median / p95 ms | queries served / drawn | demo | budget | SQL ms (share) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report.pages:
        demo = report.demo_queries.get(r.page.key)
        share = r.sql_ms / r.captured_ms if r.captured_ms else 0
        drawn = f"{_ms(r.drawn_median)} / {_ms(r.drawn_p95)}" if r.drawn_median is not None else "—"
        queries = f"{r.queries} / {r.drawn_queries}" if r.drawn_queries is not None else r.queries
        lines.append(
            f"| {r.page.name} | `{r.page.url}` | {_ms(r.median)} | {_ms(r.p95)} | "
            f"{_ms(floor.median)} / {_ms(floor.p95)} | "
            f"{r.median / floor.median:.1f}× ({r.p95 / floor.p95:.1f}×) | {drawn} | {queries} | "
            f"{'—' if demo is None else demo} | {TEST_BUDGETS.get(r.page.key, '—')} | "
            f"{_ms(r.sql_ms)} ({share:.0%}) |"
        )
    if report.page_note:
        lines += ["", f"Note: {report.page_note}"]
    lines += [
        "",
        "Before and after: the same pages at commit 593d31a, when every request judged every "
        "approved figure (dashboards read stored verdicts since).",
        "",
        "| page | before median / p95 ms (× floor) | now median / p95 ms (× floor) |",
        "|---|---:|---:|",
    ]
    for r in report.pages:
        if r.page.key in BEFORE:
            median, p95, base = BEFORE[r.page.key]
            lines.append(
                f"| {r.page.name} | {_ms(median)} / {_ms(p95)} ({median / base:.0f}×) | "
                f"{_ms(r.median)} / {_ms(r.p95)} ({r.median / floor.median:.0f}×) |"
            )
    lines += _scales_section(report)
    lines += [
        "",
        "## 台账 export",
        "",
        f"`{e.plan}`, {e.period}, every unit: `dashboards.exporting.ledger_rows` and `target_rows` "
        f"then `dashboards.excel.write_workbook` into a temporary file, as the export job does "
        f"({_n(e.ledger_rows)} ledger rows, {_n(e.target_rows)} target rows, {_n(e.cells)} "
        "cells). Floors: bare openpyxl in write-only mode appending the same cells as plain "
        "strings and numbers (no styles, merges, widths or row heights, no queries), and "
        "XlsxWriter in constant_memory mode writing the same cells (`write_row`, no formats, "
        "strings kept as strings: no formulas or links made of them). Time: "
        f"median of {e.runs} runs. Peak: tracemalloc's peak during one run (Python allocations "
        "only, the one the goal is judged on). Resident rise: in a fresh process, the rise of "
        "the resident size during its first export, modules and caches it loads included "
        "(high-water mark reset through /proc/self/clear_refs, then VmHWM − VmRSS); for the "
        "floor, once the rows it writes are built. Process peak: that process's peak resident "
        "size (VmHWM), interpreter, Django and, for the floor, the rows included. getrusage's "
        "ru_maxrss would mean nothing here: it carries a parent's peak over fork and exec, and "
        "in the benchmark's own process the peak is the build's.",
        "",
        "| | median s | min s | tracemalloc peak MiB | resident rise MiB | process peak RSS MiB "
        "| file KiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| export (rows + workbook) | {statistics.median(e.export_s):.3f} | "
        f"{min(e.export_s):.3f} | {e.export_peak / MIB:.1f} | {_mib(e.export_rss)} | "
        f"{_mib(e.export_maxrss)} | {e.export_bytes / 1024:.0f} |",
        f"| · of which rows (queries, assessment) | {statistics.median(e.rows_s):.3f} | "
        f"{min(e.rows_s):.3f} | | | | |",
        f"| · of which workbook (write_workbook) | {statistics.median(e.write_s):.3f} | "
        f"{min(e.write_s):.3f} | | | | |",
        f"| floor (bare openpyxl) | {statistics.median(e.floor_s):.3f} | {min(e.floor_s):.3f} | "
        f"{e.floor_peak / MIB:.1f} | {_mib(e.floor_rss)} | {_mib(e.floor_maxrss)} | "
        f"{e.floor_bytes / 1024:.0f} |",
    ]
    if e.xlsx_s:
        lines.append(
            f"| floor (XlsxWriter, constant_memory) | {statistics.median(e.xlsx_s):.3f} | "
            f"{min(e.xlsx_s):.3f} | {e.xlsx_peak / MIB:.1f} | {_mib(e.xlsx_rss)} | "
            f"{_mib(e.xlsx_maxrss)} | {e.xlsx_bytes / 1024:.0f} |"
        )
    write = statistics.median(e.write_s)
    lines += [
        "",
        f"Speed (floor time / export time): the export runs at {e.speed_ratio:.2f}× openpyxl's "
        "speed"
        + (
            f" and at {e.xlsx_ratio:.2f}× XlsxWriter's; the workbook half alone at "
            f"{statistics.median(e.floor_s) / write:.2f}× and "
            f"{statistics.median(e.xlsx_s) / write:.2f}×"
            if e.xlsx_ratio is not None
            else f"; the workbook half alone at {statistics.median(e.floor_s) / write:.2f}×"
        )
        + f". Before (commit 593d31a, a new font, border and alignment for every cell): "
        f"{BEFORE_EXPORT[0]:.2f} s, {BEFORE_EXPORT[1] / BEFORE_EXPORT[0]:.2f}× openpyxl's speed.",
    ]
    if e.rss_note:
        lines += ["", f"Resident size: {e.rss_note}."]
    r = report.refresh
    if r is not None:
        median = statistics.median(r.one_approval_ms) if r.one_approval_ms else float("nan")
        lines += [
            "",
            "## Stored verdicts",
            "",
            f"The refresh job's time (`dashboards.verdicts.refresh`, wall time with its queries) "
            f"after {r.what}: median {median:.0f} ms of {len(r.one_approval_ms)} runs "
            f"({', '.join(f'{t:.0f}' for t in r.one_approval_ms)} ms), {_n(r.rows_written)} "
            f"rows rewritten. A full rebuild of the plan (`manage.py rebuild_verdicts`): "
            f"{r.full_s:.1f} s, {_n(r.full_rows)} rows. Each run in a transaction rolled back.",
        ]
    w = report.wire
    if w is not None:
        lines += [
            "",
            "## On the wire",
            "",
            f"总览 as a leader first opens it: the page {w.html_bytes / 1024:.0f} KiB, "
            f"{w.html_gzip_bytes / 1024:.0f} KiB gzip-compressed, and what it links:",
            "",
            "| file | KiB | gzip KiB |",
            "|---|---:|---:|",
            *(f"| `{url}` | {raw / 1024:.0f} | {gz / 1024:.0f} |" for url, raw, gz in w.assets),
            "",
            f"First visit: {w.first_visit / 1024:.0f} KiB; repeat visit (static files cached: "
            f"hashed names, served immutable): {w.repeat_visit / 1024:.0f} KiB. Before: "
            f"{BEFORE_WIRE_KIB} KiB on the first visit (the full plotly.min.js, the page "
            "uncompressed).",
        ]
    lines += _throughput_section(report)
    lines += ["", "## Verdict", ""]
    lines.append(
        f"Goals: every page p95 < {PAGE_P95_MS} ms and within {PAGE_FLOOR_RATIO}× the floor "
        f"(medians), queries the same as on demo data, its median at "
        f"{', '.join(f'{n}×' for n in SCALES)} the demo data within {SCALE_RATIO}× (slowest "
        f"over fastest); 总览 ≥ {THROUGHPUT_GOAL} requests/s from gunicorn; export ≥ "
        f"{EXPORT_SPEED_RATIO}× each floor's speed and peak < {EXPORT_PEAK_MIB} MiB."
    )
    lines.append("")
    for r in report.pages:
        if r.page.key.startswith("floor"):
            continue
        misses = report.page_misses(r)
        verdict = "met" if not misses else "MISSED — " + "; ".join(misses)
        lines.append(f"- {r.page.name}: {verdict}{report.summary(r.page.key)}")
    misses = report.export_misses()
    verdict = "met" if not misses else "MISSED — " + "; ".join(misses)
    lines.append(f"- 台账 export: {verdict}{report.summary('export')}")
    if report.export.xlsx_ratio is not None:
        misses = report.xlsx_misses()
        verdict = (
            f"met ({report.export.xlsx_ratio:.2f}× its speed)"
            if not misses
            else "MISSED — " + "; ".join(misses)
        )
        lines.append(f"- 台账 export against the XlsxWriter floor: {verdict}")
    if report.scales:
        misses = report.scale_misses()
        spread = scale_spread(report.scales)
        worst = max((v for k, v in spread.items() if not k.startswith("floor")), default=0)
        verdict = "met" if not misses else "MISSED — " + "; ".join(misses)
        noisy = (
            f"; the floor itself moved {spread['floor']:.2f}×: a busy machine"
            if spread.get("floor", 1) > SCALE_NOISY
            else ""
        )
        lines.append(
            f"- Cost against data ({', '.join(f'{r.scale}×' for r in report.scales)}): "
            f"{verdict} (widest spread {worst:.2f}×{noisy})"
        )
    else:
        lines.append(f"- Cost against data: not measured ({report.scales_note or 'skipped'})")
    if report.throughput is not None:
        misses = report.throughput_misses()
        verdict = "met" if not misses else "MISSED — " + "; ".join(misses)
        overview, floor_rate = report.throughput.rate("overview"), report.throughput.rate("floor")
        beside = []
        if overview and not misses:
            beside.append(f"{overview.per_second:.0f} req/s")
        if floor_rate:
            beside.append(f"the floor {floor_rate.per_second:.0f} req/s")
        lines.append(f"- 总览 throughput: {verdict} ({'; '.join(beside)})")
    else:
        lines.append(f"- 总览 throughput: not measured ({report.throughput_note or 'skipped'})")
    if report.refresh is not None and report.refresh.one_approval_ms:
        median = statistics.median(report.refresh.one_approval_ms)
        verdict = "met" if median <= REFRESH_MS else f"MISSED — {median:.0f} ms > {REFRESH_MS} ms"
        lines.append(f"- Refresh after one approval: {verdict}")
    if report.profiles:
        lines += [
            "",
            "## Where the time goes",
            "",
            "For each page that misses a time goal, and the export if it misses one: the slowest "
            "queries of the counted request and a cProfile of a few requests (own time: the "
            "function itself; cumulative: with what it calls).",
        ]
        for r in slow_pages(report):
            lines += ["", f"### {r.page.name} (`{r.page.url}`)", ""]
            lines.append(
                f"{r.queries} queries took {_ms(r.sql_ms)} ms of the {_ms(r.captured_ms)} ms "
                f"request ({r.sql_ms / r.captured_ms:.0%}); the rest is Python. Slowest queries:"
            )
            lines.append("")
            for ms, sql in r.top_queries:
                lines.append(f"- {ms:.1f} ms: `{_sql(sql)}`")
            if r.page.key in report.profiles:
                lines += ["", "```", report.profiles[r.page.key], "```"]
        if "export" in report.profiles:
            lines += ["", "### 台账 export", "", "```", report.profiles["export"], "```"]
    return "\n".join(lines) + "\n"


def _scales_section(report: Report) -> list[str]:
    lines = ["", "## Cost against the amount of data", ""]
    if not report.scales:
        return [*lines, f"Not measured: {report.scales_note or 'skipped'}."]
    scales = report.scales
    lines += [
        f"The pages on the demonstration data (`load_plan` + `demo.seeding.seed_demo`: one plan, "
        f"the fixture's 18 counties) and on {' and '.join(f'{r.scale}×' for r in scales[1:])} "
        "as much: more plans, each a copy of the fixture's plan seeded as the demo is "
        "(`bench/harness.py`, `seed_scale`). Not more counties, which would change what the "
        "pages show, nor more quarters: the demo seeds all of the plan's. The plan the pages "
        "show is seeded first, with "
        "the demo's seed, so it holds the same records at every scale and every page shows the "
        "same thing: only the data around it grows, as it does when a city adds a plan a year. "
        "Each scale is built in a transaction rolled back after its measurement (before the "
        f"big dataset is built; tables analysed inside it), then timed as above with fewer "
        f"rounds ({report.scale_warmup} warm-up, {report.scale_repeats} timed). Spread: the "
        f"page's slowest median over its fastest; goal ≤ {SCALE_RATIO}×. The floor rows show "
        "how much the medians move by themselves.",
        "",
        "| | " + " | ".join(f"{r.scale}×" for r in scales) + " | |",
        "|---|" + "---:|" * len(scales) + "---:|",
        "| plans | " + " | ".join(_n(r.plans) for r in scales) + " | |",
        "| progress reports | " + " | ".join(_n(r.reports) for r in scales) + " | |",
        "| · of them in the plan shown | "
        + " | ".join(_n(r.shown_reports) for r in scales)
        + " | |",
        "| target values | " + " | ".join(_n(r.values) for r in scales) + " | |",
        "| built in s | " + " | ".join(f"{r.build_s:.0f}" for r in scales) + " | |",
        "| load average (1 min) after the rounds | "
        + " | ".join(f"{r.load:.2f}" for r in scales)
        + " | |",
        "",
        "Each cell: the median as served (from the page cache, for the dashboards) / as "
        "drawn right after the cache is emptied, in ms, and the queries drawn; the spread is "
        "the slowest scale's median over the fastest's, served / drawn.",
        "",
        "| page | "
        + " | ".join(f"{r.scale}× served / drawn ms (queries)" for r in scales)
        + " | spread |",
        "|---|" + "---:|" * len(scales) + "---:|",
    ]
    spread, drawn = scale_spread(scales), scale_spread(scales, drawn=True)
    by_key = [{p.page.key: p for p in r.pages} for r in scales]

    def cell(result: PageResult) -> str:
        kept = "—" if result.drawn_median is None else _ms(result.drawn_median)
        queries = result.queries if result.drawn_queries is None else result.drawn_queries
        return f"{_ms(result.median)} / {kept} ({queries})"

    for page in scales[0].pages:
        key = page.page.key
        cells = [cell(at[key]) if key in at else "—" for at in by_key]
        both = f"{spread.get(key, 0):.2f}× / " + (f"{drawn[key]:.2f}×" if key in drawn else "—")
        lines.append(f"| {page.page.name} | " + " | ".join(cells) + f" | {both} |")
    if spread.get("floor", 1) > SCALE_NOISY:
        lines += [
            "",
            f"The floor's own median moved {spread['floor']:.2f}× across the scales: other work "
            "on the machine weighed on some scales more than on others (see the load average), "
            "and the spreads above carry it. Run again on a quiet machine before reading a miss "
            "as cost that grows with the data.",
        ]
    return lines


def _throughput_section(report: Report) -> list[str]:
    lines = ["", "## Throughput", ""]
    t = report.throughput
    if t is None:
        return [*lines, f"Not measured: {report.throughput_note or 'skipped'}."]
    lines += [
        f"{t.gunicorn} serving the project on 127.0.0.1 with {t.workers} sync workers, the "
        "production settings (DEBUG off; static files collected and served by whitenoise "
        "from `CompressedManifestStaticFilesStorage`; no REDIS_URL, so each worker has its "
        "own cache) and the harness's urlconf (for `bench/floor/`), given to gunicorn through "
        f"a settings module of two lines written for the run; the database: {t.database}, "
        f"holding the demonstration data as `make run` makes it ({_n(t.reports)} reports; "
        "migrate, `load_plan`, `create_demo_accounts`, `seed_demo`, its verdicts and "
        f"`collectstatic` in a subprocess, {t.setup_s:.0f} s), dropped afterwards. The "
        f"client, in the benchmark's process: {t.connections} threads, each one connection "
        "(http.client) sending one request after another, signed in as the demo leader (a "
        "session made in that database), with `Accept-Encoding: gzip`; gunicorn's sync "
        "workers close the connection after each answer, so each request opens a new one. "
        f"Each URL for {t.warmup:.0f} s of warm-up, then {t.seconds:.0f} s counted: the "
        "requests answered 200 within them, over the seconds; latency as the client sees it, "
        "the wait for a free worker included. Client, server and database share the "
        "machine's CPUs.",
        "",
        "| URL | | requests/s | median ms | p95 ms | answers not 200 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    names = {"floor": "floor: HttpResponse('ok')", "overview": "总览"}
    for r in t.rates:
        lines.append(
            f"| `{r.url}` | {names.get(r.name, r.name)} | {r.per_second:.1f} | {_ms(r.median)} | "
            f"{_ms(r.p95)} | {r.errors} |"
        )
    overview, floor_rate = t.rate("overview"), t.rate("floor")
    if overview and floor_rate and floor_rate.per_second:
        lines += [
            "",
            f"总览 at {overview.per_second / floor_rate.per_second:.0%} of the floor's rate; "
            f"goal ≥ {THROUGHPUT_GOAL} requests/s.",
        ]
    return lines


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _mib(value: int | None) -> str:
    return "—" if value is None else f"{value / MIB:.1f}"


def _sql(sql: str, limit: int = 300) -> str:
    flat = " ".join(sql.split()).replace("`", "'")
    return flat if len(flat) <= limit else flat[:limit] + " …"


def write_report(report: Report, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(report), encoding="utf-8")
    return output


def load_average() -> tuple[float, float, float]:
    return os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)


def now() -> dt.datetime:
    return timezone.localtime()
