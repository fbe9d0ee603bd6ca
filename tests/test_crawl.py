"""No content reaches a reader who may not read it: a crawl of the whole site, role by role.

Distinct markers are written into every version of drafts, returned, submitted and approved
reports and values of several units (工作进展, 存在问题, 下步计划, values, 数据来源, 说明,
attachments' names, return comments), each version taken through the real workflow. The test
keeps its own account of which states each marker has been in. Then, for every role and
several units, it walks every URL pattern of the site with real ids, starts the exports a
viewer may start, and follows the links of the pages it reads (downloads included: .xlsx files
are unzipped and read, headers too), and asserts that a marker appears only to a viewer who may
read its record in one of the states that marker has been in — by the rule stated in README's
security section, written again here independently of reports/access.py.
"""

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dashboards.models import ExportJob
from reports.attachments import check_upload
from reports.corrections import approve_correction, propose_correction, reject_correction
from reports.models import Attachment, Profile, ProgressReport, TargetValue, ValueCorrection
from reports.workflow import (
    add_attachments,
    approve_record,
    create_report,
    create_value,
    delete_attachment,
    return_record,
    save_record,
    submit_record,
)
from targets.models import Target
from tasks.models import Task, TaskUnit, Unit
from tests import factories as f

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TEXT_MARKER = re.compile(r"MK(\d{3})[A-Z]")
VALUE_MARKER = re.compile(r"(?<![\d.])86(\d{3})7(?!\d)")  # 86nnn7: never a trailing zero


# --- the records, and every state each marker has been in ------------------------------------


@dataclass
class Story:
    """One record taken through the workflow, keeping for each marker the states it was in."""

    record: object
    states: dict = field(default_factory=lambda: defaultdict(set))
    current: set = field(default_factory=set)  # markers that are the record's content now

    def enter(self, state: str) -> None:
        for marker in self.current:
            self.states[marker].add(state)


class World:
    def __init__(self, plan, users):
        self.plan, self.users, self.stories, self.counter = plan, users, [], 0
        self.reviewer = users["reviewer"]

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def _report_content(self) -> tuple[dict, set]:
        n = self._next()
        content = {"progress": f"进展MK{n:03d}P", "problems": f"问题MK{n:03d}Q",
                   "next_steps": f"计划MK{n:03d}N", "completion": "in_progress", "percent": 40}  # fmt: skip
        return content, {f"P{n}", f"Q{n}", f"N{n}"}

    def _value_content(self) -> tuple[dict, set]:
        n = self._next()
        content = {"value": Decimal(f"86{n:03d}7"), "data_source": f"来源MK{n:03d}S",
                   "remarks": f"说明MK{n:03d}K", "quality": "preliminary"}  # fmt: skip
        return content, {f"S{n}", f"K{n}", f"V{n}"}

    def story(self, unit_name: str, subject, quarter: int, script: str) -> Story:
        user = self.users[unit_name]
        unit, period = f.unit(unit_name), f.period(self.plan, 2024, quarter)
        is_report = isinstance(subject, int)
        make = self._report_content if is_report else self._value_content
        content, markers = make()
        if is_report:
            record = create_report(task=f.task(self.plan, subject), unit=unit, period=period,
                                   user=user, content=content)  # fmt: skip
        else:
            record = create_value(target=f.target(self.plan, subject), unit=unit, period=period,
                                  user=user, content=content)  # fmt: skip
        story = Story(record, current=set(markers))
        story.enter("draft")
        for step in script.split():
            story.record = self._step(story, step, user, make, is_report)
        self.stories.append(story)
        return story

    def _step(self, story: Story, step: str, user, make, is_report):
        record = story.record
        if step == "save":
            content, markers = make()
            record = save_record(record=record, user=user, content=content,
                                 version=record.version)  # fmt: skip
            story.current = set(markers) | {m for m in story.current if m[0] == "A"}
            story.enter(record.status)
        elif step == "attach":
            n = self._next()
            files = [(check_upload(f"附件MK{n:03d}A.pdf", PDF), PDF)]
            add_attachments(report=record, user=user, files=files)
            story.current.add(f"A{n}")
            story.enter(record.status)
        elif step == "attach-and-delete":
            n = self._next()
            files = [(check_upload(f"删除MK{n:03d}A.pdf", PDF), PDF)]
            (attachment,) = add_attachments(report=record, user=user, files=files)
            story.states[f"A{n}"].add(record.status)
            delete_attachment(attachment=attachment, user=user)
        elif step == "submit":
            record = submit_record(record=record, user=user, version=record.version)
            story.current = {m for m in story.current if m[0] != "R"}  # the return is over
            story.enter("submitted")
        elif step == "return":
            n = self._next()
            record = return_record(record=record, user=self.reviewer,
                                   comment=f"退回MK{n:03d}R")  # fmt: skip
            story.current.add(f"R{n}")
            story.enter("returned")
        elif step == "approve":
            record = approve_record(record=record, user=self.reviewer)
            story.enter("approved")
        elif step.startswith("correct"):  # an approved figure's correction, and its outcome
            content, markers = make()
            content = {name: getattr(record, name) for name in TargetValue.CONTENT_FIELDS} | content
            n = self._next()
            correction = propose_correction(value=record, user=user, content=content,
                                            reason=f"更正MK{n:03d}C")  # fmt: skip
            markers = set(markers) | {f"C{n}"}
            if step == "correct-approved":
                approve_correction(correction=correction, user=self.reviewer)
                story.current = markers
                story.enter("approved")
            elif step == "correct-rejected":
                m = self._next()
                reject_correction(correction=correction, user=self.reviewer,
                                  comment=f"不采纳MK{m:03d}R")  # fmt: skip
                for marker in [*markers, f"R{m}"]:
                    story.states[marker].add("returned")
            else:  # still pending: its content is a submitted figure's
                for marker in markers:
                    story.states[marker].add("submitted")
        record.refresh_from_db()
        return record


SCRIPTS = {
    "draft": "attach save attach-and-delete",
    "returned": "attach submit return save",
    "submitted": "save attach attach-and-delete submit",
    "approved": "attach save submit return save submit approve",
    "corrected-pending": "submit approve correct",
    "corrected-approved": "submit approve correct-approved",
    "corrected-rejected": "submit approve correct-rejected",
}
STORIES = [
    # unit, task number or target key, 2024 quarter, state
    ("卧龙区", 15, 1, "draft"),
    ("卧龙区", 15, 2, "returned"),
    ("卧龙区", 15, 3, "submitted"),
    ("卧龙区", 15, 4, "approved"),
    ("卧龙区", 11, 3, "submitted"),
    ("卧龙区", 11, 4, "approved"),
    ("宛城区", 15, 3, "submitted"),
    ("宛城区", 15, 4, "approved"),
    ("市科技局", 15, 1, "draft"),
    ("市科技局", 15, 3, "submitted"),
    ("市科技局", 15, 4, "approved"),
    ("市科技局", 1, 2, "returned"),
    ("市科技局", 1, 3, "submitted"),
    ("市科技局", 1, 4, "approved"),
    ("市财政局", 1, 2, "returned"),
    ("市财政局", 1, 3, "submitted"),
    ("市财政局", 1, 4, "approved"),
    ("市科技局", "high-tech-enterprises", 1, "draft"),
    ("市科技局", "high-tech-enterprises", 2, "returned"),
    ("市科技局", "high-tech-enterprises", 3, "submitted"),
    ("市科技局", "high-tech-enterprises", 4, "approved"),
    ("卧龙区", "county-tech-contract-turnover", 2, "returned"),
    ("卧龙区", "county-tech-contract-turnover", 3, "submitted"),
    ("卧龙区", "county-tech-contract-turnover", 4, "approved"),
    ("宛城区", "county-incubators", 1, "draft"),
    # Approved figures corrected: pending, approved and rejected corrections.
    ("市科技局", "tech-smes", 4, "corrected-pending"),
    ("卧龙区", "county-incubators", 4, "corrected-approved"),
    ("宛城区", "county-tech-contract-turnover", 4, "corrected-rejected"),
]
UNITS = ["市科技局", "卧龙区", "宛城区", "市财政局", "市委组织部"]
VIEWERS = [*UNITS, "reviewer", "leader", "admin", "no-role"]


def _scripts_for_values(script: str) -> str:
    return " ".join(step for step in script.split() if not step.startswith("attach"))


@pytest.fixture
def world(plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users = {}
    for index, name in enumerate(UNITS):
        user = get_user_model().objects.create_user(f"crawl-{index}", password="pw-crawl-123")
        Profile.objects.create(user=user, role="reporter", unit=f.unit(name))
        users[name] = user
    for role in ("reviewer", "leader", "admin"):
        user = get_user_model().objects.create_user(f"crawl-{role}", password="pw-crawl-123",
                                                    is_staff=role == "admin")  # fmt: skip
        Profile.objects.create(user=user, role=role, unit=None)
        users[role] = user
    users["no-role"] = get_user_model().objects.create_user("crawl-none", password="pw-crawl-1")
    world = World(plan, users)
    for unit_name, subject, quarter, state in STORIES:
        script = SCRIPTS[state]
        if not isinstance(subject, int):
            script = _scripts_for_values(script)
        world.story(unit_name, subject, quarter, script)
    return world


# --- the rule, written again from the README ----------------------------------------------------


def _owners(task_id: int) -> tuple[set[int], int | None]:
    """The units owning a task (collectives expanded to their members) and its lead unit."""
    owners, lead = set(), None
    for assignment in TaskUnit.objects.filter(task_id=task_id).select_related("unit"):
        owners.add(assignment.unit_id)
        owners |= set(assignment.unit.members.values_list("pk", flat=True))
        if assignment.role == "lead":
            lead = assignment.unit_id
    return owners, lead


def may_read(viewer: str, record, state: str) -> bool:
    """README, Security: a reporter reads everything of their own unit; of another unit the
    approved reports on a task both share, the submitted ones on a task their unit leads, and any
    approved target value (a published figure); reviewers, leaders and admins read everything;
    a user without a role reads nothing."""
    if viewer in ("reviewer", "leader", "admin"):
        return True
    if viewer == "no-role":
        return False
    unit = Unit.objects.get(name=viewer)
    if record.unit_id == unit.pk:
        return True
    if isinstance(record, TargetValue):
        reporting = record.target.reporting_unit_id
        return state == "approved" or (state == "submitted" and reporting == unit.pk)
    owners, lead = _owners(record.task_id)
    if state == "approved":
        return unit.pk in owners
    return state == "submitted" and lead == unit.pk


# --- the crawl -----------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_on(html: str) -> list[str]:
    """The same-site page links of a page (not the admin, login, language or static files)."""
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/admin/", "/accounts/", "/i18n/", "/static/")):
            continue
        found.append(href)
    return found


SKIP_NAMES = {"login", "logout", "set_language"}  # and the Django admin (admins read everything)


def url_patterns(resolver=None, namespace=""):
    """(name, pattern) for every named URL of the site, outside the Django admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def start_urls(world: World) -> dict[str, list[str]]:
    """Every URL pattern with the real ids of the records, their subjects, units and periods."""
    plan = world.plan
    reports = [s.record for s in world.stories if isinstance(s.record, ProgressReport)]
    values = [s.record for s in world.stories if isinstance(s.record, TargetValue)]
    periods = sorted({r.period_id for r in reports + values})
    tasks = sorted({r.task_id for r in reports})
    targets = sorted({v.target_id for v in values})
    units = sorted({r.unit_id for r in reports + values} | {f.unit(u).pk for u in UNITS})
    attachments = [*Attachment.objects.values_list("pk", flat=True), 999999]
    corrections = list(ValueCorrection.objects.values_list("pk", flat=True))
    records = [("report", r.pk) for r in reports] + [("value", v.pk) for v in values]
    years = [2024]
    query = lambda name, key, items: [f"{reverse(name)}?{urlencode({key: i})}" for i in items]  # noqa: E731
    args = {
        "targets:home": [[]],
        "tasks:ledger": [[plan.code]],
        "reports:task-detail": [[t] for t in tasks],
        "tasks:unit-list": [[]],
        "targets:unit-detail": [[u] for u in units],
        "reports:inbox": [[]],
        "reports:report-edit": [[p, t] for p in periods for t in tasks],
        "reports:report-no-change": [[p, t] for p in periods for t in tasks],
        "reports:value-edit": [[p, t] for p in periods for t in targets],
        "reports:record-detail": [list(r) for r in records],
        "reports:record-history": [list(r) for r in records],
        "reports:record-submit": [list(r) for r in records],
        "reports:record-return": [list(r) for r in records],
        "reports:record-approve": [list(r) for r in records],
        "reports:review-queue": [[]],
        "reports:review-approve": [[]],
        "dashboards:compliance": [[]],
        "reports:value-correct": [[v.pk] for v in values],
        "reports:correction-approve": [[c] for c in corrections],
        "reports:correction-reject": [[c] for c in corrections],
        "reports:attachment": [[a] for a in attachments],
        "reports:attachment-delete": [[a] for a in attachments],
        "targets:target-list": [[plan.code]],
        "dashboards:overview": [[]],
        "dashboards:target": [[t] for t in targets],
        "dashboards:unit": [[u] for u in units],
        "dashboards:scoreboard": [[]],
        "dashboards:exports": [[]],
        "dashboards:export-start": [[]],
        "dashboards:export-download": [[j] for j in ExportJob.objects.values_list("pk", flat=True)],
        "reports:template": [[]],
        "reports:import": [[]],
        "tasks:plan-switch": [],
        "dashboards:plans": [[]],
        "dashboards:plan-manage": [[]],
        "dashboards:onboarding": [[]],
        "dashboards:onboarding-preview": [],
        "dashboards:plan-archive": [[plan.code]],
    }
    extra = {
        "tasks:plan-switch": [f"{reverse('tasks:plan-switch')}?plan={plan.code}&next=/dashboard/"],
        "reports:inbox": query("reports:inbox", "period", periods),
        "dashboards:compliance": query("dashboards:compliance", "period", periods),
        "reports:review-queue": [f"{reverse('reports:review-queue')}?status={s}"
                               for s in ("draft", "returned", "submitted", "approved", "all")]
        + query("reports:review-queue", "unit", units) + query("reports:review-queue", "task", tasks),
        "reports:report-edit": [f"{reverse('reports:report-edit', args=[p, t])}?prefill=previous"
                              for p in periods for t in tasks],
        "reports:value-edit": [f"{reverse('reports:value-edit', args=[p, t])}?series=benchmark"
                             for p in periods for t in targets],
        "dashboards:overview": query("dashboards:overview", "as_of", periods),
        "dashboards:unit": [f"{reverse('dashboards:unit', args=[u])}?as_of={p}"
                         for u in units for p in periods],
        "dashboards:target": [f"{reverse('dashboards:target', args=[t])}?as_of={p}"
                           for t in targets for p in periods],
        "dashboards:scoreboard": [f"{reverse('dashboards:scoreboard')}?year={y}&format=xlsx"
                               for y in years],
        "reports:template": query("reports:template", "period", periods),
        "reports:import": query("reports:import", "period", periods),
    }  # fmt: skip
    urls = {}
    for name, _pattern in url_patterns():
        if name in SKIP_NAMES:
            continue
        assert name in args, f"{name}: a new page — give the crawl its ids"
        urls[name] = [reverse(name, args=a) for a in args[name]] + extra.get(name, [])
    return urls


def texts_of(response) -> str:
    """Everything a reader gets from a response: its body (an .xlsx unzipped) and headers."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [unquote(v) for k, v in response.items() if k.lower() == "content-disposition"]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            parts += [package.read(n).decode("utf-8", "replace") for n in package.namelist()]
    else:
        parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts)


def markers_in(text: str) -> set[str]:
    found = {f"{m.group(0)[-1]}{int(m.group(1))}" for m in TEXT_MARKER.finditer(text)}
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 86,0127 → 860127
    found |= {f"V{int(m.group(1))}" for m in VALUE_MARKER.finditer(plain)}
    return found


def crawl(client, seeds: list[str], budget: int = 600) -> dict[str, set[str]]:
    """GET the seeds and the same-site pages they link to (one step further), each once; returns
    the markers each URL showed."""
    seen: dict[str, set[str]] = {}
    queue = [(url, 0) for url in seeds]
    per_shape = defaultdict(int)
    while queue and len(seen) < budget:
        url, depth = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        text = texts_of(response)
        seen[url] = markers_in(text)
        if depth >= 1 or "html" not in response.get("Content-Type", ""):
            continue
        for href in links_on(text):
            parts = urlsplit(href)
            # A page shape (path without ids, query keys) is followed a few times, not 22 times.
            shape = (
                re.sub(r"\d+", "#", parts.path),
                tuple(sorted(k for k, _ in parse_qsl(parts.query))),
            )
            if per_shape[shape] >= 8:
                continue
            per_shape[shape] += 1
            queue.append((href, depth + 1))
    return seen


def start_exports(client, world: World, viewer: str, capture) -> None:
    """Start every export the viewer may start (all units, and their own unit), run the jobs."""
    periods = sorted({s.record.period_id for s in world.stories})
    own = [f.unit(viewer).pk] if viewer in UNITS else []
    for period in periods:
        for unit in ["", *own]:
            with capture(execute=True):
                client.post(reverse("dashboards:export-start"), {"period": period, "unit": unit})


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_page_shows_content_its_viewer_may_not_read(
    client, world, viewer, django_capture_on_commit_callbacks
):
    client.force_login(world.users[viewer])
    start_exports(client, world, viewer, django_capture_on_commit_callbacks)
    urls = start_urls(world)
    seen = crawl(client, [u for group in urls.values() for u in group])

    owner = {marker: story for story in world.stories for marker in story.states}
    leaks = []
    for url, markers in seen.items():
        for marker in markers:
            story = owner.get(marker)
            if story is None:
                continue  # a number that only looks like a marker (e.g. a sum)
            if not any(may_read(viewer, story.record, s) for s in story.states[marker]):
                leaks.append(f"{url}: {marker} of {story.record} ({sorted(story.states[marker])})")
    assert not leaks, "\n".join(sorted(leaks))

    # The crawl did reach the content: every marker of every record the viewer may read as it
    # stands now shows on some page, and each record's own page agrees with the rule.
    shown = set().union(*seen.values())
    for story in world.stories:
        record = story.record
        kind = "report" if isinstance(record, ProgressReport) else "value"
        response = client.get(reverse("reports:record-detail", args=[kind, record.pk]))
        readable = may_read(viewer, record, record.status)
        assert response.status_code == (200 if readable else 404), (viewer, str(record))
        if readable:
            missing = {m for m in story.current if m[0] != "R"} - shown
            assert not missing, (viewer, str(record), missing)


def test_the_crawl_knows_every_page_of_the_site(world):
    names = {name for name, _ in url_patterns()} - SKIP_NAMES
    assert names == set(start_urls(world))
    assert Task.objects.exists() and Target.objects.exists()
