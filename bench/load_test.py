#!/usr/bin/env python3
"""Load test of the reporting site: many simulated users at once, then a consistency check.

One file on purpose (about 1,400 lines): the client side uses the standard library only and
imports nothing of the project, so it can be copied to and run from another machine.

Three subcommands (bench/run_load_test.sh runs them in order against a fresh database):

  setup  creates the load-test accounts in the database named by DATABASE_URL (Django)
  run    drives the site over HTTP: standard library only, one thread and one cookie jar per
         user; prints throughput and latency per page and writes what the clients did to a
         JSON file (exit 1 on any 5xx or failed connection)
  check  reads that file and compares it with the database (Django, in process): every report
         created, every workflow step (ReportEvent by action) and every kept version
         (ReportRevision) the clients were told about must be there once, and nothing else
         (exit 1 on any mismatch)

Users, for --users N (100 by default): 70% reporters (填报员) spread over the reporting units,
20% leaders (领导), 10% plan office: reviewers (审核员) and a few admins (管理员). Accounts are
named load-rep-001, load-lead-01, load-rev-01, load-adm-01; all share LOADTEST_PASSWORD.

Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import html
import http.cookiejar
import ipaddress
import json
import os
import random
import re
import resource
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

PREFIX = "load-"
TOKEN = re.compile(r"\[LT:([\w.-]+)\]")
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- who the simulated users are --------------------------------------------------------


@dataclass(frozen=True)
class Mix:
    reporters: int
    leaders: int
    reviewers: int
    admins: int


def role_mix(users: int) -> Mix:
    """~70% reporters, ~20% leaders, ~10% plan office (of which one in five an admin)."""
    office = max(1, round(users * 0.1)) if users >= 3 else 0
    leaders = max(1, round(users * 0.2)) if users >= 2 else 0
    reporters = users - office - leaders
    admins = office // 5
    return Mix(reporters, leaders, office - admins, admins)


def account_names(users: int) -> dict[str, list[str]]:
    mix = role_mix(users)
    return {
        "reporter": [f"{PREFIX}rep-{i:03d}" for i in range(1, mix.reporters + 1)],
        "leader": [f"{PREFIX}lead-{i:02d}" for i in range(1, mix.leaders + 1)],
        "reviewer": [f"{PREFIX}rev-{i:02d}" for i in range(1, mix.reviewers + 1)],
        "admin": [f"{PREFIX}adm-{i:02d}" for i in range(1, mix.admins + 1)],
    }


def _password() -> str:
    password = os.environ.get("LOADTEST_PASSWORD", "")
    if len(password) < 12:
        sys.exit("Set LOADTEST_PASSWORD (12 characters or more) for the load-test accounts.")
    return password


def _django():
    sys.path.insert(0, BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanyang_tracker.settings")
    import django

    django.setup()


# --- setup: the accounts ------------------------------------------------------------------


def cmd_setup(args) -> int:
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count, Q

    from reports.models import Profile
    from tasks.models import Plan, Unit

    plan = Plan.objects.default()
    if plan is None:
        sys.exit("No plan loaded: run manage.py load_plan first.")
    # One hash for all accounts: hashing 100 passwords one by one would take a minute.
    hashed = make_password(_password())
    # Units with most tasks first, so the extra reporters go where the work is.
    units = list(
        Unit.objects.countable()
        .annotate(
            owned=Count(
                "tasks",
                filter=Q(tasks__plan=plan),
                distinct=True,
            )
            + Count(
                "collectives__tasks",
                filter=Q(collectives__tasks__plan=plan),
                distinct=True,
            )
        )
        .order_by("-owned", "sort_order", "name")
    )
    if not units:
        sys.exit("No reporting units.")
    User = get_user_model()
    names = account_names(args.users)
    per_unit = collections.Counter()
    with transaction.atomic():
        for role, usernames in names.items():
            for i, username in enumerate(usernames):
                unit = units[i % len(units)] if role == "reporter" else None
                user, _ = User.objects.get_or_create(username=username)
                user.first_name = f"压测{username[len(PREFIX) :]}"
                user.password = hashed
                user.is_active = True
                user.is_staff = user.is_superuser = role == "admin"
                user.save()
                profile = Profile.objects.filter(user=user).first() or Profile(user=user)
                profile.role, profile.unit = role, unit
                profile.full_clean()
                profile.save()
                if unit:
                    per_unit[unit.name] += 1
    if args.open_quarter:
        open_quarter(plan)
    mix = role_mix(args.users)
    print(
        f"load-test accounts: {mix.reporters} reporters over {len(per_unit)} units, "
        f"{mix.leaders} leaders, {mix.reviewers} reviewers, {mix.admins} admins"
    )
    print("reporters per unit: " + ", ".join(f"{n} {c}" for n, c in per_unit.most_common()))
    return 0


def open_quarter(plan) -> None:
    """Delete the demonstration reports (with their steps and versions) of the quarter that
    我的填报 opens on today; real reports and the other quarters are kept."""
    from django.utils import timezone

    from demo.seeding import SYSTEM_USERNAME
    from reports.models import ProgressReport
    from tasks.models import ReportingPeriod
    from tasks.periods import open_period

    today = timezone.localdate()
    periods = list(ReportingPeriod.objects.in_plan(plan).filter(starts_on__lte=today))
    period = open_period(periods, today) or (periods[-1] if periods else None)
    if period is None:
        return
    removed, _ = ProgressReport.objects.filter(
        period=period, created_by__username=SYSTEM_USERNAME
    ).delete()
    print(f"open quarter: {period.label}, demo reports and their history removed ({removed} rows)")


# --- HTTP ---------------------------------------------------------------------------------


def check_loopback(base: str) -> str:
    parts = urllib.parse.urlsplit(base)
    if parts.scheme != "http" or not parts.hostname:
        sys.exit(f"--base must be an http:// URL on a loopback address, not {base!r}")
    try:
        addresses = socket.getaddrinfo(parts.hostname, parts.port or 80)
    except OSError as error:
        sys.exit(f"cannot resolve {parts.hostname}: {error}")
    for info in addresses:
        if not ipaddress.ip_address(info[4][0]).is_loopback:
            sys.exit(f"refusing to load {parts.hostname}: only loopback addresses may be targeted")
    return f"{parts.scheme}://{parts.netloc}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses: the client follows them itself, like a browser, so
    that each request is timed and counted under its own page name."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Response:
    status: int  # 0: no HTTP response (timeout, refused, reset)
    body: str
    location: str
    headers: dict
    raw: bytes = b""


class Stats:
    """Every request, by page name: its latency and status. Shared by all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.status: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.problems: list[dict] = []
        self.timeline: list[tuple] = []  # (started, seconds, page, status)
        self.first = self.last = None

    def add(self, page, method, path, status, seconds, started, body):
        with self.lock:
            self.latency[page].append(seconds)
            self.timeline.append((started, seconds, page, status))
            self.status[page][status] += 1
            self.first = started if self.first is None else min(self.first, started)
            self.last = max(self.last or 0, started + seconds)
            if (status == 0 or status >= 400) and len(self.problems) < 200:
                self.problems.append(
                    {
                        "page": page,
                        "method": method,
                        "path": path,
                        "status": status,
                        "at": round(started, 3),
                        "seconds": round(seconds, 3),
                        "body": body[:500],
                    }
                )


class Client:
    """One browser: its own cookie jar and CSRF token, no proxy, redirects by hand."""

    def __init__(self, base: str, stats: Stats, timeout: float):
        self.base, self.stats, self.timeout = base, stats, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        )

    def request(self, method: str, path: str, page: str, data=None, *, binary=False) -> Response:
        if not path.startswith("/"):
            raise ValueError(f"only paths on the site under test, not {path!r}")
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("User-Agent", "nanyang-load-test/1")
        req.add_header("Accept-Language", "zh-CN,zh;q=0.9")
        if method == "POST":
            req.add_header("Origin", self.base)
            req.add_header("Referer", self.base + path)
        started = time.time()
        t0 = time.perf_counter()
        try:
            try:
                with self.opener.open(req, timeout=self.timeout) as resp:
                    status, headers, raw = resp.status, dict(resp.headers), resp.read()
            except urllib.error.HTTPError as error:
                status, headers, raw = error.code, dict(error.headers), error.read()
        except (urllib.error.URLError, OSError) as error:
            seconds = time.perf_counter() - t0
            reason = getattr(error, "reason", error)
            text = f"{type(reason).__name__}: {reason}"
            self.stats.add(page, method, path, 0, seconds, started, text)
            return Response(0, text, "", {})
        seconds = time.perf_counter() - t0
        text = "" if binary else raw.decode("utf-8", "replace")
        self.stats.add(page, method, path, status, seconds, started, text)
        location = headers.get("Location", "")
        if location.startswith(self.base):
            location = location[len(self.base) :]
        return Response(status, text, location, headers, raw if binary else b"")

    def get(self, path, page, **kw) -> Response:
        return self.request("GET", path, page, **kw)

    def post(self, path, page, data) -> Response:
        return self.request("POST", path, page, data)

    def follow(self, resp: Response, page: str) -> Response | None:
        """GET the page a redirect points to (same site only)."""
        if resp.status not in (301, 302, 303) or not resp.location.startswith("/"):
            return None
        return self.get(resp.location, page)


# --- reading pages --------------------------------------------------------------------------

ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def _attrs(tag: str) -> dict:
    return {k: html.unescape(v) for k, v in ATTR.findall(tag)}


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1) if match else ""


def messages_of(page: str) -> list[tuple[str, str]]:
    block = re.search(r'<ul class="messages">(.*?)</ul>', page, re.S)
    if not block:
        return []
    return [
        (kind, html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
        for kind, text in re.findall(r'<li class="([^"]*)">(.*?)</li>', block.group(1), re.S)
    ]


def form_errors(page: str) -> str:
    found = re.findall(r'<div class="errors" role="alert">(.*?)</div>', page, re.S)
    found += re.findall(r'class="field-error"[^>]*>(.*?)<', page, re.S)
    return " | ".join(html.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found)


@dataclass
class ReportFormPage:
    csrf: str
    version: str  # "" for a report not created yet
    status: str  # "" for a report not created yet
    content: dict


def parse_report_form(page: str) -> ReportFormPage | None:
    if 'class="record-form"' not in page:
        return None
    inputs = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        attrs = _attrs(tag)
        inputs.setdefault(attrs.get("name", ""), attrs.get("value", ""))
    version = inputs.get("version", "")
    content = {"percent": inputs.get("percent", "")}
    for name in ("progress", "problems", "next_steps"):
        match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
        text = html.unescape(match.group(1)) if match else ""
        content[name] = text[1:] if text.startswith("\n") else text
    select = re.search(r'<select name="completion"[^>]*>(.*?)</select>', page, re.S)
    chosen = re.search(r'<option value="(\w+)" selected>', select.group(1)) if select else None
    content["completion"] = chosen.group(1) if chosen else ""
    status = re.search(r'状态：<span class="state state-(\w+)"', page)
    return ReportFormPage(csrf_token(page), version, status.group(1) if status else "", content)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def queue_rows(page: str) -> dict[str, str]:
    """The progress reports listed on a review-queue page: id → the report's name as the server
    writes it in its messages, str(ProgressReport) = "{period} {unit} · {task}", put together
    from the row's 填报期, 填报单位 and 重点任务 cells ("" if the row does not show all three)."""
    rows = {}
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", page, re.S):
        boxes = [_attrs(tag) for tag in re.findall(r"<input\b[^>]*>", row)]
        ids = [
            b["value"]
            for b in boxes
            if b.get("name") == "reports" and b.get("value", "").isdecimal()
        ]
        if len(ids) != 1:
            continue
        cells = {
            _attrs(attrs).get("data-label", ""): _text(body)
            for attrs, body in re.findall(r"<td\b([^>]*)>(.*?)</td>", row, re.S)
        }
        period, unit, task = (cells.get(k, "") for k in ("填报期", "填报单位", "重点任务"))
        rows[ids[0]] = f"{period} {unit} · {task}" if period and unit and task else ""
    return rows


REFUSED = "没有审核任何报告"


@dataclass
class ApproveOutcome:
    """What the server said a batch approval did: "approved" (some or all of the batch; the
    rest another reviewer had approved first), "refused" (none: the server refuses the whole
    batch when one report in it cannot be approved, e.g. another reviewer returned it), or
    "unknown" (the page did not say, or said something that does not fit the batch)."""

    kind: str
    approved: list = field(default_factory=list)  # report ids, as in the batch
    skipped: list = field(default_factory=list)
    said: str = ""


def approve_outcome(said: list[tuple[str, str]], batch: dict[str, str]) -> ApproveOutcome:
    """Read the message of POST /review/approve/ (reports/review_views.py, review_approve) for a
    batch of report ids → names (queue_rows). Exact: the numbers must add up to the batch and
    the skipped reports' names must be those of reports in the batch, each once."""
    said = [(kind, " ".join(t.split())) for kind, t in said]  # as _text reads the cells
    text = " | ".join(t for _, t in said)
    refused = [t for kind, t in said if kind == "error" and REFUSED in t]
    done = [t for kind, t in said if kind == "success" and t.startswith("已审核通过 ")]
    if refused and not done:
        return ApproveOutcome("refused", said=text)
    if len(done) != 1 or refused:
        return ApproveOutcome("unknown", said=text)
    match = re.match(r"已审核通过 (\d+) 份。", done[0])
    if not match:
        return ApproveOutcome("unknown", said=text)
    n, rest = int(match.group(1)), done[0][match.end() :]
    skipped: list[str] = []
    if rest:
        head = re.match(r"另有 (\d+) 份已由其他审核员审核通过，未重复审核：", rest)
        if not head or not rest.endswith("。"):
            return ApproveOutcome("unknown", said=text)
        found = split_names(rest[head.end() : -1], {i: name for i, name in batch.items() if name})
        if found is None or len(found) != int(head.group(1)):
            return ApproveOutcome("unknown", said=text)
        skipped = found
    approved = [i for i in batch if i not in skipped]
    if len(approved) != n:
        return ApproveOutcome("unknown", said=text)
    return ApproveOutcome("approved", approved, skipped, text)


def split_names(text: str, names: dict[str, str]) -> list[str] | None:
    """The ids whose names, joined by "；" in some order, make exactly `text`; None unless
    exactly one set of ids does (a name may itself contain "；", so no naive split)."""
    solutions: set[frozenset] = set()

    def walk(rest: str, left: dict[str, str], taken: tuple) -> None:
        for i, name in left.items():
            if rest == name:
                solutions.add(frozenset((*taken, i)))
            elif rest.startswith(name + "；"):
                walk(rest[len(name) + 1 :], {k: v for k, v in left.items() if k != i}, (*taken, i))

    walk(text, names, ())
    if len(solutions) != 1:
        return None
    (ids,) = solutions
    return [i for i in names if i in ids]


def token_of(text: str) -> str:
    match = TOKEN.search(text or "")
    return match.group(1) if match else ""


# --- what the clients did --------------------------------------------------------------------


@dataclass
class Actions:
    """Workflow outcomes as the clients saw them, in the words of the pages."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: list = field(default_factory=list)  # {user, period, task, token}
    saved: list = field(default_factory=list)  # new version: {user, period, task, token, via}
    unchanged: list = field(default_factory=list)  # accepted save, no new version expected
    submitted: list = field(default_factory=list)  # {user, report, token, t}
    approved: list = field(default_factory=list)  # {report, user}
    returned: list = field(default_factory=list)  # {report, user}
    approve_unknown: list = field(default_factory=list)  # {user, batch, said, status}
    exports: list = field(default_factory=list)  # {user, outcome, seconds}
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    notes: list = field(default_factory=list)

    def add(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)

    def count(self, outcome: str, note: str = "", *, n: int = 1) -> None:
        with self.lock:
            self.outcomes[outcome] += n
            if note and len(self.notes) < 100:
                self.notes.append(f"{outcome}: {note[:300]}")


class Stop(Exception):
    pass


class SimUser(threading.Thread):
    def __init__(self, run, username: str, role: str, number: int):
        super().__init__(name=username, daemon=True)
        self.run_, self.username, self.role = run, username, role
        self.rng = random.Random(f"{run.args.seed}:{username}")
        self.client = Client(run.base, run.stats, run.args.timeout)
        self.actions: Actions = run.actions
        self.seq = 0
        self.empty: dict[str, float] = {}  # reporter: periods found with nothing to do
        self.hint = ""  # reporter: the period where work was found last
        self.start_delay = run.args.ramp * number / max(1, run.total)

    # pacing ---------------------------------------------------------------------------
    def alive(self) -> bool:
        return time.time() < self.run_.deadline

    def think(self, scale: float = 1.0) -> None:
        pause = self.rng.uniform(0.5, 1.5) * self.run_.args.think * scale
        if time.time() + pause >= self.run_.deadline:
            raise Stop
        time.sleep(pause)

    def get(self, path, page, **kw) -> Response:
        if not self.alive():
            raise Stop
        return self.client.get(path, page, **kw)

    def post(self, path, page, data) -> Response:
        if not self.alive():
            raise Stop
        return self.client.post(path, page, data)

    def follow(self, resp, page) -> Response | None:
        return self.client.follow(resp, page)

    def run(self) -> None:
        try:
            time.sleep(self.start_delay)
            if not self.login():
                return
            while self.alive():
                getattr(self, f"loop_{self.role}")()
        except Stop:
            pass
        except Exception as error:  # a bug in the client must not look like a quiet user
            self.actions.count("client_exception", f"{self.username}: {error!r}")

    def login(self) -> bool:
        page = self.get("/accounts/login/", "login (GET)")
        if page.status != 200:
            self.actions.count("login_failed", f"{self.username}: GET {page.status}")
            return False
        resp = self.post(
            "/accounts/login/",
            "login (POST)",
            {
                "csrfmiddlewaretoken": csrf_token(page.body),
                "username": self.username,
                "password": self.run_.password,
                "next": "",
            },
        )
        if resp.status != 302:
            self.actions.count("login_failed", f"{self.username}: POST {resp.status}")
            return False
        home = self.follow(resp, "home")
        css = re.search(r'href="(/static/css/[^"]+)"', home.body if home else "")
        if css:
            self.get(css.group(1), "static css", binary=True)
        self.actions.count("logins")
        return True

    def new_content(self, draft: str) -> dict:
        self.seq += 1
        token = f"{self.username}.{self.seq}"
        return {
            "progress": f"压测{draft}：召开专题推进会，细化任务清单，按计划推进。[LT:{token}]",
            "completion": self.rng.choice(["in_progress", "in_progress", "done", "lagging"]),
            "percent": str(self.rng.randint(0, 100)),
            "problems": self.rng.choice(["", "部分项目资金到位较慢。", "基层专业人才不足。"]),
            "next_steps": "继续抓好任务落实，按时报送进展。",
        }

    # reporters ------------------------------------------------------------------------
    def find_work(self) -> tuple[str, str] | None:
        """A task the unit still owes: first in the period 我的填报 opens on, then in the
        others (late reports for a quarter left unreported)."""
        inbox = self.get("/reporting/", "inbox")
        if inbox.status != 200:
            return None
        links = self.editable(inbox.body)
        if links:
            return self.rng.choice(links)
        shown = re.search(r'<option value="(\d+)" selected>', inbox.body)
        others = [
            p
            for p in re.findall(
                r'<select name="period" id="period">(.*?)</select>', inbox.body, re.S
            )
            for p in re.findall(r'<option value="(\d+)"', p)
            if not shown or p != shown.group(1)
        ]
        # Periods found empty are skipped for a minute; where work was found, look first.
        now = time.time()
        fresh = [p for p in others if now - self.empty.get(p, 0) > 60]
        fresh.sort(key=lambda p: (p != self.hint, self.rng.random()))
        for period in fresh[:4]:
            self.think(0.3)
            page = self.get(f"/reporting/?period={period}", "inbox (other period)")
            links = self.editable(page.body) if page.status == 200 else []
            if links:
                self.hint = period
                return self.rng.choice(links)
            self.empty[period] = time.time()
        return None

    @staticmethod
    def editable(page: str) -> list[tuple[str, str]]:
        return sorted(set(re.findall(r'href="/reporting/(\d+)/tasks/(\d+)/"', page)))

    def loop_reporter(self) -> None:
        work = self.find_work()
        if work is None:
            self.actions.count("reporter_found_no_work")
            self.think(4)
            return
        self.think()
        self.report(*work)
        self.think()

    def post_form(self, url, form: ReportFormPage, content: dict, button: str, page: str):
        data = {"csrfmiddlewaretoken": form.csrf, "version": form.version, **content}
        data[button] = "1"
        return self.post(url, page, data)

    def report(self, period: str, task: str) -> None:
        url = f"/reporting/{period}/tasks/{task}/"
        page = self.get(url, "report form")
        if page.status == 302:  # submitted meanwhile by a colleague: the page says so
            self.follow(page, "record detail")
            self.actions.count("form_already_submitted")
            return
        form = parse_report_form(page.body) if page.status == 200 else None
        if form is None:
            self.actions.count("form_unreadable", f"{url} {page.status}")
            return
        self.think()
        content = self.new_content("草稿")
        resp = self.post_form(url, form, content, "save", "report save")
        form = self.after_save(url, period, task, form, content, resp, retry=True)
        if form is None:
            return
        # Sometimes save again without changing anything: accepted, but no new version.
        if self.rng.random() < 0.25:
            self.think(0.5)
            resp = self.post_form(url, form, form.content, "save", "report save")
            if resp.status == 302 and resp.location == url:
                self.actions.add(
                    "unchanged", {"user": self.username, "period": period, "task": task}
                )
                form = self.reopen(resp, url)
                if form is None:
                    return
            else:
                self.classify_refusal(resp, url, "resave")
                return
        self.think()
        # Submit what the form shows, with its version. When the version is the one this
        # user's save produced, the content is unchanged: the server keeps no new version.
        # When a colleague saved in between, write new text, so a new version is certain.
        submit_content, via_save = form.content, False
        if token_of(form.content.get("progress", "")) != content_token(content):
            submit_content, via_save = self.new_content("报送稿"), True
        t_start = time.time()
        resp = self.post_form(url, form, submit_content, "submit", "report submit")
        if resp.status == 302 and re.match(r"^/records/report/\d+/$", resp.location):
            detail = self.follow(resp, "record detail")
            said = messages_of(detail.body) if detail else []
            if detail is None or detail.status != 200:
                # Accepted or refused as already submitted: only that page would have said.
                self.actions.count("submit_unknown", f"{url}: {detail and detail.status}")
                return
            if any("已报送，等待审核" in t for _, t in said):
                report_id = int(re.search(r"/records/report/(\d+)/", resp.location).group(1))
                if via_save:
                    self.actions.add(
                        "saved",
                        {
                            "user": self.username,
                            "period": period,
                            "task": task,
                            "token": content_token(submit_content),
                            "via": "submit",
                        },
                    )
                self.actions.add(
                    "submitted",
                    {
                        "user": self.username,
                        "report": report_id,
                        "token": token_of(submit_content["progress"]),
                        "t": t_start,
                    },
                )
                self.actions.count("submitted_after_own_save" if not via_save else "submit_new")
            else:
                self.actions.count("submit_refused_locked", f"{url}: {said}")
            return
        self.classify_refusal(resp, url, "submit")

    def after_save(self, url, period, task, form, content, resp, *, retry):
        """Read the result of a save; on a conflict, merge (keep own text) and save once more."""
        if resp.status == 302 and resp.location == url:
            # The view sends a save back to its form only when it succeeded.
            record = {
                "user": self.username,
                "period": period,
                "task": task,
                "token": content_token(content),
            }
            if form.version:
                self.actions.add("saved", record | {"via": "save"})
            else:
                self.actions.add("created", record)
            return self.reopen(resp, url)
        if resp.status == 200 and "保存失败" in form_errors(resp.body):
            self.actions.count("save_conflict" if form.version else "create_conflict")
            merged = parse_report_form(resp.body)
            if not retry or merged is None or merged.status in ("submitted", "approved"):
                return None
            self.think(0.5)
            content = self.new_content("合并稿")
            again = self.post_form(url, merged, content, "save", "report save")
            return self.after_save(url, period, task, merged, content, again, retry=False)
        self.classify_refusal(resp, url, "save")
        return None

    def reopen(self, resp, url) -> ReportFormPage | None:
        """Follow a successful save back to the form, as the browser does."""
        after = self.follow(resp, "report form")
        if after is None or after.status != 200:
            if after is not None and after.status == 302:  # a colleague submitted it meanwhile
                self.follow(after, "record detail")
                self.actions.count("locked_after_save")
            return None
        if not any("草稿已保存" in t for _, t in messages_of(after.body)):
            self.actions.count("save_message_missing", url)
        form = parse_report_form(after.body)
        if form is None:
            self.actions.count("form_unreadable", f"{url} after save")
        return form

    def classify_refusal(self, resp, url, step) -> None:
        if resp.status == 302:  # not editable any more (a colleague submitted it)
            detail = self.follow(resp, "record detail")
            said = messages_of(detail.body) if detail else []
            self.actions.count(f"{step}_refused_locked", f"{url}: {said}")
        elif resp.status == 200:
            errors = form_errors(resp.body)
            kind = "conflict" if "保存失败" in errors else "refused"
            self.actions.count(f"{step}_{kind}", f"{url}: {errors}")
        else:
            self.actions.count(f"{step}_http_{resp.status}", url)

    # leaders --------------------------------------------------------------------------
    def loop_leader(self) -> None:
        page = self.get("/dashboard/", "dashboard")
        targets = re.findall(r'href="/dashboard/targets/(\d+)/"', page.body)
        self.think()
        if targets:
            self.get(f"/dashboard/targets/{self.rng.choice(targets)}/", "dashboard target")
            self.think()
        self.get("/dashboard/scoreboard/", "scoreboard")
        self.think()
        self.get("/compliance/", "compliance")
        self.think()

    # plan office ----------------------------------------------------------------------
    def loop_admin(self) -> None:
        self.get("/dashboard/", "dashboard")
        self.think()
        self.get("/compliance/", "compliance")
        self.think()
        self.export()
        self.think()

    def loop_reviewer(self) -> None:
        queue = self.get("/review/", "review queue")
        self.seq += 1
        if self.seq % 3 == 1:
            self.think()
            self.export()
        rows = queue_rows(queue.body) if queue.status == 200 else {}
        ids = list(rows)
        if not ids:
            self.actions.count("review_queue_empty")
            self.think(3)
            return
        self.think()
        batch = self.rng.sample(ids, min(len(ids), self.rng.randint(1, 6)))
        token = csrf_token(queue.body)
        if self.run_.args.return_share and self.rng.random() < self.run_.args.return_share:
            self.return_report(batch.pop(), token)
            self.think()
        if batch:
            self.approve({i: rows[i] for i in batch}, token)
        self.think()

    def return_report(self, report_id: str, token: str) -> None:
        resp = self.post(
            f"/records/report/{report_id}/return/",
            "record return",
            {"csrfmiddlewaretoken": token, "comment": "压测退回：请补充具体数据和佐证材料。"},
        )
        detail = self.follow(resp, "record detail")
        said = messages_of(detail.body) if detail else []
        if any(kind == "success" and "已退回" in text for kind, text in said):
            self.actions.add("returned", {"report": int(report_id), "user": self.username})
            self.actions.count("return_ok")
        else:
            self.actions.count("return_refused", f"{report_id}: {said or resp.status}")

    def approve(self, batch: dict[str, str], token: str) -> None:
        """Approve a batch (report id → its name on the queue page) and record exactly what
        the server says it did: it passes over reports another reviewer approved meanwhile and
        names them, and refuses the whole batch when one report in it is no longer submitted
        (another reviewer returned it)."""
        resp = self.post(
            "/review/approve/",
            "review approve",
            {"csrfmiddlewaretoken": token, "reports": list(batch), "next": "/review/"},
        )
        after = self.follow(resp, "review queue")
        said = messages_of(after.body) if after and after.status == 200 else []
        outcome = approve_outcome(said, batch)
        if outcome.kind == "approved":
            for report_id in outcome.approved:
                self.actions.add("approved", {"report": int(report_id), "user": self.username})
            self.actions.count(
                "approve_batch_ok" if not outcome.skipped else "approve_batch_partial"
            )
            if outcome.skipped:
                self.actions.count("approve_skipped_by_server", n=len(outcome.skipped))
        elif outcome.kind == "refused":
            self.actions.count("approve_batch_refused", f"{list(batch)}: {outcome.said}")
        else:
            # The client was not told what happened: the check fails on it, as it must.
            self.actions.add(
                "approve_unknown",
                {
                    "user": self.username,
                    "batch": batch,
                    "said": outcome.said,
                    "status": [resp.status, after.status if after else None],
                },
            )
            self.actions.count("approve_unknown", f"{batch}: {outcome.said or resp.status}")

    def export(self) -> None:
        page = self.get("/exports/", "exports")
        if page.status != 200:
            return
        select = re.search(r'<select name="period"[^>]*>(.*?)</select>', page.body, re.S)
        periods = re.findall(r'<option value="(\d+)"', select.group(1)) if select else []
        if not periods:
            self.actions.count("export_no_period")
            return
        self.think(0.5)
        started = time.time()
        resp = self.post(
            "/exports/start/",
            "export start",
            {"csrfmiddlewaretoken": csrf_token(page.body), "period": periods[-1], "unit": ""},
        )
        after = self.follow(resp, "exports")
        if not after or after.status != 200:
            # The job may or may not exist: the page that would have said so did not come.
            self.actions.add("exports", {"user": self.username, "outcome": "start_unknown"})
            return
        if not any("已开始生成" in t for _, t in messages_of(after.body)):
            self.actions.add("exports", {"user": self.username, "outcome": "not_started"})
            return
        page = after
        while True:
            row = re.search(r'<tr class="export-(\w+)">(.*?)</tr>', page.body, re.S)
            state = row.group(1) if row else "?"
            if state in ("done", "failed"):
                break
            if time.time() - started > self.run_.args.export_timeout:
                state = "timeout"
                break
            time.sleep(3)  # the page refreshes itself every three seconds
            if not self.alive():
                state = "unfinished_at_end"
                break
            page = self.client.get("/exports/", "exports (poll)")
        seconds = round(time.time() - started, 2)
        outcome = {"user": self.username, "outcome": state, "seconds": seconds}
        if state == "done":
            link = re.search(r'href="(/exports/\d+/download/)"', row.group(2))
            file = self.client.get(link.group(1), "export download", binary=True)
            outcome["xlsx"] = file.status == 200 and file.raw[:2] == b"PK"
            outcome["bytes"] = len(file.raw)
        elif state == "failed":
            outcome["error"] = html.unescape(re.sub(r"<[^>]+>", " ", row.group(2)))[:300]
        self.actions.add("exports", outcome)


def content_token(content: dict) -> str:
    return token_of(content.get("progress", ""))


# --- run --------------------------------------------------------------------------------------


class Run:
    def __init__(self, args):
        self.args = args
        self.base = check_loopback(args.base)
        self.password = _password()
        self.stats = Stats()
        self.actions = Actions()
        self.total = args.users
        self.deadline = 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def cmd_run(args) -> int:
    run = Run(args)
    names = account_names(args.users)
    users = []
    for role in ("reporter", "leader", "reviewer", "admin"):
        users += [(name, role) for name in names[role]]
    random.Random(args.seed).shuffle(users)  # roles log in mixed, as on a real morning
    threads = [SimUser(run, name, role, i) for i, (name, role) in enumerate(users)]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.time()
    run.deadline = started + args.duration
    mix = role_mix(args.users)
    print(
        f"load test: {args.users} users ({mix.reporters} reporters, {mix.leaders} leaders, "
        f"{mix.reviewers} reviewers, {mix.admins} admins) against {run.base} for "
        f"{args.duration:g} s, ramp {args.ramp:g} s, think {args.think:g} s, "
        f"timeout {args.timeout:g} s",
        flush=True,
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, run.deadline + 2 * args.timeout + 5 - time.time()))
    ended = time.time()
    stuck = [t.name for t in threads if t.is_alive()]
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    result = summarize(run, started, ended, client_cpu, stuck)
    with open(args.results, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=1)
    print_summary(result)
    bad = result["totals"]["5xx"] + result["totals"]["no_response"]
    return 1 if bad or result["outcomes"].get("client_exception") else 0


def summarize(run: Run, started, ended, client_cpu, stuck) -> dict:
    pages, totals = {}, collections.Counter()
    for page, latencies in sorted(run.stats.latency.items()):
        statuses = run.stats.status[page]
        ms = [s * 1000 for s in latencies]
        pages[page] = {
            "n": len(ms),
            "status": {str(k): v for k, v in sorted(statuses.items())},
            "mean_ms": round(sum(ms) / len(ms), 1),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(max(ms), 1),
        }
        for status, n in statuses.items():
            totals["requests"] += n
            if status == 0:
                totals["no_response"] += n
            elif status >= 500:
                totals["5xx"] += n
            elif status >= 400:
                totals["4xx"] += n
    totals["errors"] = totals["no_response"] + totals["5xx"] + totals["4xx"]
    wall = ended - started
    a = run.actions
    windows = []
    step = run.args.window
    for begin in range(0, int(wall + step), int(step)):
        rows = [r for r in run.stats.timeline if begin <= r[0] - started < begin + step]
        if not rows:
            continue
        ms = [r[1] * 1000 for r in rows]
        windows.append(
            {
                "from_s": begin,
                "to_s": begin + step,
                "requests": len(rows),
                "rps": round(len(rows) / step, 1),
                "logins": sum(r[2] == "login (POST)" for r in rows),
                "p50_ms": round(percentile(ms, 50), 1),
                "p95_ms": round(percentile(ms, 95), 1),
                "max_ms": round(max(ms), 1),
                "errors": sum(r[3] == 0 or r[3] >= 400 for r in rows),
            }
        )
    return {
        "base": run.base,
        "users": run.args.users,
        "mix": role_mix(run.args.users).__dict__,
        "duration": run.args.duration,
        "think": run.args.think,
        "started_at": started,
        "ended_at": ended,
        "wall_seconds": round(wall, 2),
        "throughput_rps": round(totals["requests"] / wall, 2) if wall else 0,
        "client_cpu_seconds": round(client_cpu, 1),
        "threads_still_running": stuck,
        "totals": dict(totals) | {k: totals[k] for k in ("5xx", "4xx", "no_response")},
        "pages": pages,
        "windows": windows,
        "outcomes": dict(a.outcomes),
        "notes": a.notes,
        "problems": run.stats.problems,
        "requests": [
            [round(t - started, 3), round(sec * 1000, 1), page, status]
            for t, sec, page, status in sorted(run.stats.timeline)
        ],
        "actions": {
            "created": a.created,
            "saved": a.saved,
            "unchanged": a.unchanged,
            "submitted": a.submitted,
            "approved": a.approved,
            "returned": a.returned,
            "approve_unknown": a.approve_unknown,
            "exports": a.exports,
        },
    }


def print_summary(result: dict) -> None:
    t = result["totals"]
    print()
    print(
        f"requests {t['requests']} in {result['wall_seconds']} s = "
        f"{result['throughput_rps']} requests/s; errors {t['errors']} "
        f"(5xx {t['5xx']}, 4xx {t['4xx']}, no response {t['no_response']}); "
        f"load generator CPU {result['client_cpu_seconds']} s"
    )
    print()
    head = f"{'page':24} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  status"
    print(head)
    print("-" * len(head))
    for page, s in result["pages"].items():
        status = " ".join(f"{k}:{v}" for k, v in s["status"].items())
        print(
            f"{page:24} {s['n']:>6} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8} "
            f"{s['max_ms']:>8}  {status}"
        )
    print()
    print("requests started in each window (latency of those requests):")
    print(
        f"  {'seconds':>9} {'requests':>8} {'req/s':>6} {'logins':>6} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for w in result["windows"]:
        print(
            f"  {w['from_s']:>4}–{w['to_s']:<4} {w['requests']:>8} {w['rps']:>6} "
            f"{w['logins']:>6} {w['p50_ms']:>8} {w['p95_ms']:>8}"
            + (f"  errors {w['errors']}" if w["errors"] else "")
        )
    a = result["actions"]
    exports = collections.Counter(e["outcome"] for e in a["exports"])
    print()
    print(
        f"clients recorded: reports created {len(a['created'])}, saves with a new version "
        f"{len(a['saved'])} (of which within a submit "
        f"{sum(s['via'] == 'submit' for s in a['saved'])}), saves without change "
        f"{len(a['unchanged'])}, submissions {len(a['submitted'])}, approvals "
        f"{len(a['approved'])}, returns {len(a['returned'])}"
    )
    print("exports: " + ", ".join(f"{k} {v}" for k, v in sorted(exports.items())))
    slow = [e["seconds"] for e in a["exports"] if e.get("outcome") == "done"]
    if slow:
        print(f"export start→done: median {percentile(slow, 50)} s, max {max(slow)} s")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items())))
    if result["threads_still_running"]:
        print(f"THREADS STILL RUNNING at the end: {result['threads_still_running']}")
    for p in result["problems"][:20]:
        print(f"PROBLEM {p['status']} {p['method']} {p['path']} ({p['page']}): {p['body'][:160]!r}")


# --- check --------------------------------------------------------------------------------------


def cmd_check(args) -> int:
    with open(args.results, encoding="utf-8") as handle:
        result = json.load(handle)
    _django()
    from django.db.models import Count

    from dashboards.models import ExportJob
    from reports.models import ProgressReport, ReportEvent, ReportRevision
    from reports.workflow import content_of

    since = dt.datetime.fromtimestamp(result["started_at"], tz=dt.UTC)
    a = result["actions"]
    problems: list[str] = []

    def compare(what, expected, found):
        mark = "ok" if expected == found else "MISMATCH"
        print(f"  {what:44} clients {expected:>6}   database {found:>6}   {mark}")
        if expected != found:
            problems.append(f"{what}: clients recorded {expected}, database has {found}")

    print(f"consistency check (records by {PREFIX}* users since {since:%Y-%m-%d %H:%M:%S} UTC)")
    created = ProgressReport.objects.filter(
        created_by__username__startswith=PREFIX, created_at__gte=since
    )
    compare("progress reports created", len(a["created"]), created.count())
    events = ReportEvent.objects.filter(actor__username__startswith=PREFIX, at__gte=since)
    by_action = dict(events.values_list("action").annotate(n=Count("pk")).order_by())
    expected = {
        "create": len(a["created"]),
        "save": len(a["saved"]),
        "submit": len(a["submitted"]),
        "approve": len(a["approved"]),
        "return": len(a["returned"]),
    }
    for action in sorted(set(expected) | set(by_action)):
        compare(f"report events: {action}", expected.get(action, 0), by_action.get(action, 0))
    if events.filter(target_value__isnull=False).exists():
        problems.append("events on target values: the clients never touched one")
    revisions = ReportRevision.objects.filter(
        changed_by__username__startswith=PREFIX, changed_at__gte=since
    ).select_related("report__task", "report__period", "report__unit", "changed_by")
    compare("report revisions (kept versions)", len(a["created"]) + len(a["saved"]), len(revisions))

    # Token by token: each version a client was told it saved is kept once, on the right
    # report, under its own name; and no version is kept that no client saved.
    from reports.models import Profile

    unit_of = dict(
        Profile.objects.filter(user__username__startswith=PREFIX).values_list(
            "user__username", "unit_id"
        )
    )
    told = {}
    for item in a["created"] + a["saved"]:
        told[item["token"]] = item
    kept = collections.Counter()
    for revision in revisions:
        token = token_of(revision.content.get("progress", ""))
        kept[token] += 1
        item = told.get(token)
        if item is None:
            problems.append(
                f"revision {revision.pk} (v{revision.version}) no client saved: {token}"
            )
            continue
        report = revision.report
        where = (str(report.period_id), str(report.task_id), report.unit_id)
        if where != (item["period"], item["task"], unit_of.get(item["user"])):
            problems.append(f"version {token} kept on the wrong report {report.pk}")
        if revision.changed_by.username != item["user"]:
            problems.append(f"version {token} kept under {revision.changed_by.username}")
    doubled = [t for t, n in kept.items() if n > 1]
    lost = [t for t in told if t not in kept]
    compare("saved versions kept twice", 0, len(doubled))
    compare("saved versions lost", 0, len(lost))
    problems += [f"kept twice: {t}" for t in doubled[:10]] + [f"lost: {t}" for t in lost[:10]]

    # Approvals and returns: the same reports, by the same reviewer, once each. A batch
    # approval counts what the server said it did: the reports it approved, not those it
    # passed over because another reviewer had approved them first (named in its message).
    for action, items in (("approve", a["approved"]), ("return", a["returned"])):
        told_steps = collections.Counter((i["report"], i["user"]) for i in items)
        found = collections.Counter(
            events.filter(action=action).values_list("report_id", "actor__username")
        )
        compare(f"{action} steps differing (report, reviewer)", 0, sum(
            ((told_steps - found) + (found - told_steps)).values()
        ))  # fmt: skip
        if found != told_steps:
            problems.append(
                f"{action}: only clients {sorted(told_steps - found)[:10]}, "
                f"only database {sorted(found - told_steps)[:10]}"
            )
    untold = a.get("approve_unknown", [])
    compare("batch approvals with no outcome told", 0, len(untold))
    problems += [f"approval outcome unknown: {u}" for u in untold[:10]]
    submitted = collections.Counter(
        events.filter(action="submit").values_list("report_id", flat=True)
    )
    if submitted != collections.Counter(s["report"] for s in a["submitted"]):
        problems.append("submit: the reports submitted differ from what the clients recorded")

    # Every report the run touched: versions 1..n each stepped once (a lost update would
    # leave two steps with one version number), and what is stored is its last kept version.
    touched = set(events.values_list("report_id", flat=True))
    broken = 0
    for report in ProgressReport.objects.filter(pk__in=touched).prefetch_related(
        "events", "revisions"
    ):
        versions = sorted(e.version for e in report.events.all())
        last = max(report.revisions.all(), key=lambda r: r.version, default=None)
        if versions != list(range(1, report.version + 1)):
            broken += 1
            problems.append(f"report {report.pk}: version {report.version}, steps {versions}")
        if last is None or last.content != content_of(report):
            broken += 1
            problems.append(f"report {report.pk}: stored content is not its last kept version")
    compare(f"touched reports with broken history (of {len(touched)})", 0, broken)

    # Final content of what the clients submitted: the text of the last submission, unless a
    # later save (after a return) replaced it.
    last_submit = {}
    for item in sorted(a["submitted"], key=lambda s: s["t"]):
        last_submit[item["report"]] = item
    wrong = 0
    for report in ProgressReport.objects.filter(pk__in=last_submit).prefetch_related("events"):
        steps = sorted(report.events.all(), key=lambda e: (e.version, e.pk))
        after_submit = []
        for step in reversed(steps):
            if step.action == "submit":
                break
            after_submit.append(step.action)
        if "save" in after_submit or "create" in after_submit:
            continue
        if token_of(report.progress) != last_submit[report.pk]["token"]:
            wrong += 1
            problems.append(f"report {report.pk}: stored text is not the last submission's")
    compare("submitted reports whose text differs", 0, wrong)

    jobs = ExportJob.objects.filter(
        requested_by__username__startswith=PREFIX, created_at__gte=since
    )
    unknown = sum(e["outcome"] == "start_unknown" for e in a["exports"])
    started = sum(e["outcome"] not in ("not_started", "start_unknown") for e in a["exports"])
    if unknown and started <= jobs.count() <= started + unknown:
        print(f"  export jobs started: {jobs.count()} ({unknown} start(s) not confirmed)")
    else:
        compare("export jobs started", started, jobs.count())
    states = collections.Counter(jobs.values_list("status", flat=True))
    print(f"  export jobs by state: {dict(states)}")
    if states.get("failed"):
        for job in jobs.filter(status="failed")[:5]:
            problems.append(f"export {job.pk} failed: {job.error[:200]}")
    print()
    if problems:
        print(f"CONSISTENCY: {len(problems)} PROBLEM(S)")
        for problem in problems[:60]:
            print(f"  - {problem}")
        return 1
    print("CONSISTENCY: OK — nothing lost, nothing doubled")
    return 0


# --- the server's own view ----------------------------------------------------------------------

ACCESS = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d{3}) \S+ (\d+)ms')


def cmd_accesslog(args) -> int:
    """Time spent inside gunicorn per kind of request (without the wait for a free thread)."""
    rows = collections.defaultdict(list)
    errors = collections.Counter()
    with open(args.log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = ACCESS.search(line)
            if not match:
                continue
            method, path, status, ms = match.groups()
            split = urllib.parse.urlsplit(path)
            pattern = re.sub(r"/\d+(?=/|$)", "/N", split.path)
            kind = f"{method} {pattern}{'?' if split.query else ''}"
            rows[kind].append(int(ms))
            if status.startswith("5"):
                errors[kind] += 1
    total = sum(sum(v) for v in rows.values()) / 1000
    print(f"time inside gunicorn by request ({total:.0f} s in all):")
    print(f"  {'request':42} {'n':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'share':>6} 5xx")
    for kind, ms in sorted(rows.items(), key=lambda kv: -sum(kv[1])):
        print(
            f"  {kind:42} {len(ms):>6} {percentile(ms, 50):>7} {percentile(ms, 95):>7} "
            f"{max(ms):>7} {sum(ms) / 10 / total:>5.1f}% {errors[kind] or ''}"
        )
    return 0


# --- who used the CPU -------------------------------------------------------------------------


def cpu_snapshot() -> dict:
    """CPU seconds so far of every process (with its reaped children), and of the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    procs = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                stat = handle.read()
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmd = handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
        procs[pid] = {"ppid": fields[1], "cpu": cpu, "cmd": cmd[:160]}
    with open("/proc/stat") as handle:
        total = [int(x) for x in handle.readline().split()[1:]]
    return {"procs": procs, "busy": (sum(total) - total[3] - total[4]) / tick, "at": time.time()}


def cmd_cpu(args) -> int:
    if args.action == "snapshot":
        with open(args.files[0], "w") as handle:
            json.dump(cpu_snapshot(), handle)
        return 0
    with open(args.files[0]) as handle:
        before = json.load(handle)
    after = cpu_snapshot()
    procs = after["procs"]
    ours = set(args.ours)
    changed = True
    while changed:  # the processes we started, and theirs
        grown = {pid for pid, p in procs.items() if p["ppid"] in ours}
        changed = not grown <= ours
        ours |= grown
    groups = collections.Counter()
    others = collections.Counter()
    for pid, p in procs.items():
        used = p["cpu"] - before["procs"].get(pid, {}).get("cpu", 0.0)
        if used <= 0.05:
            continue
        cmd = p["cmd"]
        if pid in ours:
            kind = (
                "gunicorn"
                if "gunicorn" in cmd
                else "celery"
                if "celery" in cmd
                else "load generator and script"
            )
            groups[kind] += used
        elif cmd.startswith("postgres: ") and " loadtest " in cmd:
            groups["postgres (database loadtest)"] += used
        elif "postgres -D " in cmd:
            # The server's main process: it inherits the time of backends that closed (Django
            # keeps a connection 60 s) and of autovacuum, of whatever database.
            groups["postgres (closed backends, autovacuum; any database)"] += used
        else:
            others[cmd[:90]] += used
    seconds = after["at"] - before["at"]
    busy = after["busy"] - before["busy"]
    cores = os.cpu_count() or 1
    print(
        f"CPU during the load: {busy:.0f} s busy of {cores} cores × {seconds:.0f} s = "
        f"{cores * seconds:.0f} s ({100 * busy / cores / seconds:.0f}%)"
    )
    print("  " + ", ".join(f"{k} {v:.0f} s" for k, v in groups.most_common()))
    print(f"  other processes on the machine: {sum(others.values()):.0f} s")
    for cmd, used in others.most_common(6):
        print(f"    {used:6.1f} s  {cmd}")
    return 0


# --- command line --------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    setup = sub.add_parser("setup", help="create the load-test accounts (Django)")
    setup.add_argument("--users", type=int, default=100)
    setup.add_argument(
        "--open-quarter",
        action="store_true",
        help="remove the demo reports of the quarter 我的填报 shows, so that every unit owes "
        "all its tasks there (a quarter-end rush instead of a mostly finished quarter)",
    )
    run = sub.add_parser("run", help="drive the site over HTTP (default)")
    run.add_argument("--base", default="http://127.0.0.1:8790")
    run.add_argument("--users", type=int, default=100)
    run.add_argument("--duration", type=float, default=120, help="seconds of load")
    run.add_argument("--ramp", type=float, default=30, help="seconds over which users log in")
    run.add_argument("--think", type=float, default=2.0, help="mean pause between pages, s")
    run.add_argument("--timeout", type=float, default=30, help="per request, seconds")
    run.add_argument("--export-timeout", type=float, default=90, help="wait for an export, s")
    run.add_argument(
        "--return-share",
        type=float,
        default=0.25,
        help="share of review rounds in which a reviewer returns one report (0: approve only)",
    )
    run.add_argument("--window", type=int, default=30, help="seconds per row of the timeline")
    run.add_argument("--seed", default="2022")
    run.add_argument("--results", default="load-test-results.json")
    check = sub.add_parser("check", help="compare the results file with the database (Django)")
    check.add_argument("--results", default="load-test-results.json")
    cpu = sub.add_parser("cpu", help="CPU used by each process between two moments")
    cpu.add_argument("action", choices=["snapshot", "report"])
    cpu.add_argument("files", nargs=1, help="the snapshot file")
    cpu.add_argument("--ours", nargs="*", default=[], help="pids started for the test")
    accesslog = sub.add_parser("accesslog", help="summarise gunicorn's access log")
    accesslog.add_argument("log")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        argv.insert(0, "run")  # `load_test.py --base … --users …` runs the load
    args = parser.parse_args(argv)
    commands = {
        "setup": cmd_setup,
        "run": cmd_run,
        "check": cmd_check,
        "accesslog": cmd_accesslog,
        "cpu": cmd_cpu,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
