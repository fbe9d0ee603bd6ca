"""Browser test: after a refused submit the focus is on the error summary at the top of the form
(static/js/forms.js), its links take the focus to each field, and no English browser bubble
stands in the way (novalidate: the empty required fields reach the server). On a desktop and on
a phone; and with JavaScript off the summary and its links are still there.

The markup itself, form by form, is tested without a browser in tests/test_form_errors.py.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.workflow import submit_record
from tasks.models import Plan
from tests import factories as f
from tests import test_browser as shared
from tests.test_a11y import AXE, BLOCKING
from tests.test_browser import PHONE, log_in

browser = shared.browser
new_page = shared.new_page
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"1366": {"width": 1366, "height": 768}, "375": PHONE}

ACTIVE = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
          summary: e.hasAttribute('data-error-summary'), text: e.innerText || ''};
}"""


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def in_view(page, selector) -> bool:
    return page.evaluate(
        """(selector) => {
          const r = document.querySelector(selector).getBoundingClientRect();
          return r.top > -1 && r.top < window.innerHeight;  // scrolled to a fraction of a pixel
        }""",
        selector,
    )


def assert_summary_focused(page, *messages):
    page.wait_for_function("() => document.activeElement.hasAttribute('data-error-summary')")
    focused = active(page)
    assert focused["summary"] and focused["id"] == "error-summary", focused
    for message in messages:
        assert message in focused["text"], focused
    assert in_view(page, "#error-summary")
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert fits, "the page scrolls sideways"
    # The refused page as tests/test_a11y.py checks every page (axe needs bypass_csp).
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))]))"
    )
    assert [v for v in violations if v[1] in BLOCKING] == []
    assert active(page)["summary"], "axe moved the focus"


@pytest.mark.parametrize("width", VIEWPORTS)
def test_a_report_sent_empty_focuses_the_summary_whose_links_focus_each_field(
    live_server, demo_accounts, new_page, width
):
    plan = Plan.objects.default()
    url = reverse("reports:report-edit", args=[f.period(plan).pk, f.task(plan, 1).pk])
    page = new_page(viewport=VIEWPORTS[width], bypass_csp=True)
    log_in(page, live_server.url, "kjj", url)
    page.get_by_label("工作进展").fill("")
    page.get_by_label("完成进度").fill("150")
    page.get_by_role("button", name="报送审核").click()
    page.wait_for_load_state()
    assert_summary_focused(page, "请填写工作进展。", "完成进度应在 0 到 100 之间。")

    # The first link: to 工作进展, the first field in error.
    summary_links = page.locator("#error-summary a")
    assert summary_links.count() == 2
    summary_links.first.click()
    assert active(page)["id"] == "id_progress"
    assert in_view(page, 'label[for="id_progress"]')
    page.locator("#error-summary a").nth(1).press("Enter")  # the keyboard's way
    assert active(page)["id"] == "id_percent"


@pytest.mark.parametrize("width", VIEWPORTS)
def test_returning_without_a_comment_focuses_the_summary_in_the_return_form(
    live_server, demo_accounts, new_page, width
):
    plan = Plan.objects.default()
    kjj = get_user_model().objects.get(username="kjj")
    report = f.make_report(kjj, plan)
    report = submit_record(record=report, user=kjj, version=report.version)
    page = new_page(viewport=VIEWPORTS[width], bypass_csp=True)
    log_in(page, live_server.url, "reviewer", report.get_absolute_url())
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}{report.get_absolute_url()}return/"
    assert_summary_focused(page, "退回时必须填写退回意见。")
    assert page.evaluate("() => document.activeElement.closest('form.review-return') !== null")
    page.locator("#error-summary a").click()
    assert active(page)["name"] == "comment"
    report.refresh_from_db()
    assert report.status == "submitted"


@pytest.mark.parametrize("width", VIEWPORTS)
def test_an_export_without_a_period_and_a_login_without_a_name_focus_their_summaries(
    live_server, demo_accounts, new_page, width
):
    page = new_page(viewport=VIEWPORTS[width], bypass_csp=True)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="登录").click()  # nothing typed: the server answers
    page.wait_for_load_state()
    assert_summary_focused(page, "请填写用户名。", "请填写密码。")

    log_in(page, live_server.url, "admin", "/exports/")
    page.select_option("select[name=period]", index=0)  # the empty choice
    page.get_by_role("button", name="开始导出").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/exports/start/"
    assert_summary_focused(page, "请选择填报期。")
    page.locator("#error-summary a").click()
    assert active(page)["name"] == "period"


def test_without_javascript_the_summary_and_its_links_are_still_there(
    live_server, demo_accounts, new_page
):
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert "请填写用户名。" in summary.inner_text()
    assert summary.locator("a").first.get_attribute("href") == "#id_username"
    assert page.locator("#id_username").get_attribute("aria-invalid") == "true"
