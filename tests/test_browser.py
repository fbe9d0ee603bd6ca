"""Browser tests: the pages as a person sees them in Chromium (Playwright, sync API).

Chromium comes from the system (tests/services.CHROMIUM_PATH); `playwright install` is never
needed. On a failure the page is saved to test-artifacts/<test name>.png.
"""

import re
from contextlib import suppress
from pathlib import Path

import pytest

from demo.accounts import DEMO_PASSWORD, create_demo_accounts
from tests.services import CHROMIUM_PATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LEDGER = "/plans/innovation-2022/ledger/"
TARGETS = "/plans/innovation-2022/targets/"
PHONE = {"width": 375, "height": 812}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # assertions wait for a busy CI machine too

    # Playwright's sync API keeps an asyncio event loop running in this (the test) thread while
    # it is started. Django sees that loop and refuses the ORM calls the tests and fixtures make
    # here (SynchronousOnlyOperation), although they are ordinary blocking calls and nothing
    # else runs on that loop. Allow them only while the browser is up, not for the whole session.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, request):
    """Opens pages in fresh browser contexts; screenshots the last one if the test failed."""
    contexts = []
    failed_before = request.session.testsfailed

    def open_page(**context_options):
        context_options.setdefault("locale", "zh-CN")
        context = browser.new_context(**context_options)
        # Generous: a CI machine may be busy; a wait ends as soon as its condition holds.
        context.set_default_timeout(30_000)
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_page

    # The call phase's report is counted before fixtures are torn down.
    if request.session.testsfailed > failed_before and contexts and contexts[-1].pages:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        with suppress(Exception):
            contexts[-1].pages[-1].screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def demo_accounts(transactional_db):
    return create_demo_accounts()


def log_in(page, base_url, username, path="/"):
    """Signs in through the login form, as a person would, and lands on `path`."""
    page.goto(f"{base_url}/accounts/login/?next={path}")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', DEMO_PASSWORD)
    page.locator('form button[type="submit"]', has_text="登录").click()
    page.wait_for_url(f"{base_url}{path}")


def ledger_numbers(page):
    return [
        n.strip() for n in page.locator("table.ledger tbody tr td:first-child").all_text_contents()
    ]


def overflow_report(page):
    """How wide the page is, and which elements stick out past the viewport's right edge."""
    return page.evaluate(
        """() => {
          const limit = window.innerWidth + 1;
          const wide = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > limit) {
              const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string'
                  ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
              wide.push(`${name} right=${Math.round(r.right)} width=${Math.round(r.width)}`);
            }
          }
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            wide: wide.slice(0, 15),
          };
        }"""
    )


def test_a_user_logs_in_reads_the_ledger_expands_measures_and_filters_by_county(
    live_server, demo_accounts, new_page
):
    page = new_page()
    page.goto(live_server.url + LEDGER)
    assert "/accounts/login/" in page.url, "the ledger must ask for a login first"

    log_in(page, live_server.url, "wolong", LEDGER)

    rows = page.locator("table.ledger tbody tr")
    assert rows.count() == 22
    assert ledger_numbers(page) == [str(n) for n in range(1, 23)]

    # The first measures long enough to be folded: the summary is short, the full text hidden.
    details = page.locator("table.ledger details.measures").first
    summary = details.locator("summary")
    full_text = details.locator("div")
    full = full_text.text_content().strip()
    assert len(full) > len(summary.text_content().strip())
    assert details.evaluate("d => d.open") is False
    assert full_text.is_hidden()

    summary.click()

    assert details.evaluate("d => d.open") is True
    assert full_text.is_visible()
    assert full_text.inner_text().strip() == full

    page.select_option('select[name="unit"]', label="卧龙区")
    page.locator("form.filters button", has_text="筛选").click()
    page.wait_for_url(re.compile(r"[?&]unit=\d+"))

    assert ledger_numbers(page) == ["11", "12", "15"]
    for cell in page.locator("table.ledger tbody tr td[data-label='责任单位']").all():
        assert "各县市区政府（管委会）" in cell.inner_text()
    assert page.locator('select[name="unit"] option:checked').inner_text().strip() == "卧龙区"


@pytest.mark.parametrize("path", [LEDGER, TARGETS], ids=["ledger", "targets"])
def test_a_phone_wide_page_has_no_horizontal_scroll(live_server, demo_accounts, new_page, path):
    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, "leader", path)
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert page.locator("table").count() > 0

    report = overflow_report(page)
    assert report["scrollWidth"] <= report["innerWidth"] + 1, report

    # Unfolded measures must wrap too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    report = overflow_report(page)
    assert report["scrollWidth"] <= report["innerWidth"] + 1, report


def test_no_page_requests_anything_from_another_host(live_server, demo_accounts, new_page):
    page = new_page()
    base = live_server.url
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    # Record foreign requests, but never let them leave the machine.
    page.route(
        lambda url: not url.startswith(base + "/") and not url.startswith("data:"),
        lambda route: route.abort(),
    )

    page.goto(base + "/accounts/login/", wait_until="networkidle")
    log_in(page, base, "kjj", "/")
    page.wait_for_load_state("networkidle")
    for path in [LEDGER, TARGETS, "/units/"]:
        page.goto(base + path, wait_until="networkidle")
    page.goto(base + LEDGER)
    page.locator("table.ledger tbody tr td[data-label='重点任务'] a").first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    page.wait_for_load_state("networkidle")

    assert any(u.endswith("/static/css/site.css") for u in requested), requested
    assert any(re.search(r"/tasks/\d+/$", u) for u in requested), requested
    foreign = [u for u in requested if not (u.startswith(base + "/") or u.startswith("data:"))]
    assert foreign == []
