"""Accessibility of every page, for every role, on a desktop and on a phone.

Each page is opened in Chromium as the demo accounts see it (reporters of 卧龙区 and of 市科技局,
the 审核员, the 领导, the 管理员, and anonymous for the login page) with the demonstration data,
at 1366×768 and 375×812. On each, axe-core (tests/vendor/axe.min.js) must find no violation of
impact critical or serious, and the page must not scroll sideways (a table may scroll inside its
.table-wrap). The HTML of every page is then checked by the Nu HTML checker (vnu.jar) in one
Java run, since the JVM is slow to start: no error allowed.

vnu.jar is not in the repository: VNU_JAR names it, else the copy .ci/run installs with
`npm install --prefix /tmp/nanyang-vnu vnu-jar`. Without it (or without java) the Nu part is
skipped with the reason, and fails with CI=true. One browser, one context per role.
"""

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from demo.seeding import seed_demo
from reports.models import ProgressReport, TargetValue
from targets.models import Target
from tasks.models import Plan, Unit
from tests import services
from tests import test_browser as shared
from tests.test_browser import PHONE, log_in

browser = shared.browser
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VNU_JAR = os.environ.get("VNU_JAR", "/tmp/nanyang-vnu/node_modules/vnu-jar/build/dist/vnu.jar")
DESKTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"1366": DESKTOP, "375": PHONE}
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDED_ON = dt.date(2026, 3, 1)
LEDGER = "/plans/innovation-2022/ledger/"
TARGETS = "/plans/innovation-2022/targets/"
BLOCKING = {"critical", "serious"}
COUNTY, BUREAU = "卧龙区", "市科技局"


def vnu_missing() -> str | None:
    if not shutil.which("java"):
        return "java not found (apt-get install default-jre-headless)"
    if not Path(VNU_JAR).is_file():
        return f"vnu.jar not found at {VNU_JAR} (set VNU_JAR, or npm install vnu-jar)"
    return None


@pytest.fixture(autouse=True)
def on_the_seeding_day():
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=True):
        yield


def common_paths() -> list[str]:
    plan = Plan.objects.default()
    county = Unit.objects.get(name=COUNTY)
    county_target = Target.objects.get(plan=plan, number=27)
    plain_target = Target.objects.filter(plan=plan).exclude(number=27).order_by("number").first()
    task = plan.tasks.order_by("number").first()
    return [
        "/",
        LEDGER,
        "/units/",
        TARGETS,
        f"/units/{county.pk}/",
        f"/tasks/{task.pk}/",
        "/dashboard/",
        f"/dashboard/targets/{county_target.pk}/",
        f"/dashboard/targets/{plain_target.pk}/",
        f"/dashboard/units/{county.pk}/",
        "/dashboard/scoreboard/",
        "/exports/",
        "/no-such-page/",  # 404
    ]


def record_paths(records) -> list[str]:
    paths = []
    for kind, record in records:
        if record is not None:
            paths += [f"/records/{kind}/{record.pk}/", f"/records/{kind}/{record.pk}/history/"]
    return paths


def reporter_paths(unit_name: str) -> list[str]:
    unit = Unit.objects.get(name=unit_name)
    reports = ProgressReport.objects.filter(unit=unit)
    values = TargetValue.objects.filter(unit=unit)
    approved_value = values.filter(status="approved").order_by("pk").first()
    paths = ["/reporting/", "/reporting/import/", "/compliance/"]  # the last: 403
    paths += record_paths(
        [
            ("report", reports.order_by("pk").first()),
            ("value", values.order_by("pk").first()),
        ]
    )
    if approved_value is not None:
        paths.append(f"/records/value/{approved_value.pk}/correct/")
    return paths


def reviewer_paths() -> list[str]:
    submitted = ProgressReport.objects.filter(status="submitted").order_by("pk").first()
    returned = ProgressReport.objects.filter(status="returned").order_by("pk").first()
    value = TargetValue.objects.filter(status="submitted").order_by("pk").first()
    return [
        "/review/",
        "/review/?status=approved",
        "/compliance/",
        *record_paths([("report", submitted), ("report", returned), ("value", value)]),
    ]


def form_path(page, username, link) -> str:
    """A form the inbox links to; else (every value of this quarter sent) an editable record's."""
    links = page.locator(f'a[href^="/reporting/"][href*="{link}"]:not([href*="no-change"])')
    if links.count():
        return links.first.get_attribute("href")
    unit = Unit.objects.get(name=COUNTY if username == "wolong" else BUREAU)
    model = ProgressReport if link == "/tasks/" else TargetValue
    records = model.objects.filter(unit=unit)
    record = records.filter(status__in=["draft", "returned"]).order_by("pk").first()
    record = record or records.order_by("-period__starts_on", "pk").first()
    if record is None:
        return None  # this unit reports no figure (checked below: someone opens a value form)
    subject = record.task_id if link == "/tasks/" else record.target_id
    return f"/reporting/{record.period_id}{link}{subject}/"


class RolePages:
    """One signed-in browser context, visiting pages at both widths and keeping what it found."""

    def __init__(self, browser, base, username, problems, html):
        self.base, self.username = base, username
        self.problems, self.html = problems, html
        # bypass_csp: the site allows no inline script, and axe is injected as one.
        self.context = browser.new_context(locale="zh-CN", viewport=DESKTOP, bypass_csp=True)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        if username:
            log_in(self.page, base, username)

    def close(self):
        self.context.close()

    def visit(self, path):
        self.page.set_viewport_size(DESKTOP)
        self.page.goto(self.base + path)
        self.check(path)

    def check(self, path):
        """axe and sideways scrolling at each width; the HTML once, for the Nu checker."""
        page = self.page
        where = f"{self.username or 'anonymous'} {path}"
        self.html[f"{len(self.html):03d} {where}"] = page.content()
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.wait_for_timeout(50)  # Plotly redraws responsive charts on resize
            if not page.evaluate("() => !!window.axe"):
                page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "() => axe.run(document, {resultTypes: ['violations']})"
                ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
                " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),"
                " count: v.nodes.length})))"
            )
            for v in result:
                if v["impact"] in BLOCKING:
                    self.problems.append(
                        f"{where} @{width}: axe {v['impact']} {v['id']} ×{v['count']} {v['nodes']}"
                    )
            sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                self.problems.append(f"{where} @{width}: scrolls sideways {sizes}")


def run_vnu(html: dict[str, str], tmp_path: Path) -> list[str]:
    files = {}
    for i, (name, text) in enumerate(html.items()):
        f = tmp_path / f"page{i:03d}.html"
        f.write_text(text, encoding="utf-8")
        files[f.name] = name
    out = subprocess.run(
        [
            "java",
            "-jar",
            VNU_JAR,
            "--format",
            "json",
            "--stdout",
            *map(str, tmp_path.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(out.stdout or out.stderr)["messages"]
    errors = []
    for m in messages:
        if m.get("type") == "error" or m.get("subType") == "fatal":
            url = m.get("url") or ""
            page = files.get(url.rsplit("/", 1)[-1], url)
            extract = (m.get("extract") or "").strip()[:120]
            errors.append(f"{page} line {m.get('lastLine')}: vnu {m['message']} «{extract}»")
    return errors


def test_every_page_for_every_role_passes_axe_fits_the_screen_and_is_valid_html(
    live_server, demo_accounts, browser, tmp_path
):
    seed_demo(plan=Plan.objects.default(), seed=2022, today=SEEDED_ON)
    base = live_server.url
    problems: list[str] = []
    html: dict[str, str] = {}

    anonymous = RolePages(browser, base, None, problems, html)
    anonymous.visit("/accounts/login/")
    anonymous.page.fill('input[name="username"]', "wolong")
    anonymous.page.fill('input[name="password"]', "wrong password")
    anonymous.page.locator('main form button[type="submit"]').click()
    anonymous.page.wait_for_load_state()
    anonymous.check("/accounts/login/ (wrong password)")
    anonymous.close()

    forms_seen = set()
    common = common_paths()
    roles = {
        "wolong": common + reporter_paths(COUNTY),
        "kjj": common + reporter_paths(BUREAU),
        "reviewer": common + reviewer_paths(),
        "leader": [*common, "/compliance/"],
        "admin": [*common, "/compliance/"],
    }
    for username, paths in roles.items():
        pages = RolePages(browser, base, username, problems, html)
        for path in paths:
            pages.visit(path)
        if username in {"wolong", "kjj"}:
            # The report and value forms, empty and then sent with an error.
            pages.visit("/reporting/")
            for link in ("/tasks/", "/targets/"):
                href = form_path(pages.page, username, link)
                if href is None:
                    continue
                forms_seen.add(link)
                pages.visit(href)
                form = pages.page.locator("form.record-form")
                if not form.locator("button[type=submit]").count():
                    continue  # an approved record: read-only
                for field in form.locator("textarea, input[type=number], input[type=text]").all():
                    field.fill("")
                form.locator("button[type=submit]").last.click()
                pages.page.wait_for_load_state()
                pages.check(f"{href} (sent with errors)")
        pages.close()

    assert forms_seen == {"/tasks/", "/targets/"}, forms_seen

    # The 500, 400 and CSRF failure pages, rendered as their handlers do (the last two for a
    # signed-in reporter: the frame with its menu), shown in the site's frame.
    from django.core.exceptions import BadRequest
    from django.test import RequestFactory

    from nanyang_tracker.errors import bad_request, csrf_failure, server_error

    reporter = get_user_model().objects.get(username="wolong")
    signed_in = RequestFactory().get("/reporting/")
    signed_in.user = reporter
    rendered = {
        "500 page": server_error(RequestFactory().get("/")),
        "400 page": bad_request(signed_in, BadRequest()),
        "CSRF failure page": csrf_failure(signed_in, reason="CSRF token missing."),
    }
    for name, response in rendered.items():
        error = RolePages(browser, base, None, problems, html)
        error.page.goto(base + "/accounts/login/")
        error.page.set_content(response.content.decode())
        error.check(name)
        error.close()

    missing = vnu_missing()
    if missing is None:
        problems += run_vnu(html, tmp_path)
    print(f"{len(html)} pages checked")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    if missing:
        if services.in_ci():
            pytest.fail(f"CI=true and the Nu HTML checker is missing: {missing}", pytrace=False)
        pytest.skip(f"axe passed; Nu HTML check not run: {missing}")
