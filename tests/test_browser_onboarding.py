"""Browser test: an admin brings in a second plan (数字经济, tests/data/digital-2026) from its
台账 workbook and its text, through 方案管理 → 导入新方案 → 核对新方案 → 确认导入, as a person
would in Chromium; then finds it in the ledger, the overview, the page across plans and the
header's plan switcher, and switches back to the first plan.

The pages of the flow are checked by axe-core (as tests/test_a11y.py does) at 1366 and 375 px,
and the preview and /plans/ are saved to test-artifacts/ at both widths for a person to look at.
"""

import json
import re

import pytest

from targets.models import Target
from tasks.models import Plan, Unit, UnitAlias
from tests import ledger_builders as lb
from tests import test_browser as shared
from tests.dashboards.test_plan_onboarding import ledger_xlsx
from tests.test_a11y import AXE, BLOCKING, DESKTOP, VIEWPORTS
from tests.test_browser import ARTIFACTS, log_in

browser = shared.browser
new_page = shared.new_page
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_TITLE = "南阳市实施创新创业行动工作方案"
UNITS = json.loads((lb.PLANS["digital-2026"] / "units.json").read_text(encoding="utf-8"))
NEW_UNITS = [u["name"] for u in UNITS["units"]]  # all 市直单位
MISSPELT, MEANT = next(iter(UNITS["aliases"].items()))  # 市数据管理局 → 市数据局
EDITED_LABEL = "新建5G基站数量（浏览器中改过）"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def axe_problems(page, where: str) -> list[str]:
    """Serious or critical axe violations, and sideways scrolling, at 1366 and at 375 px."""
    problems = []
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        if not page.evaluate("() => !!window.axe"):
            page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),"
            " count: v.nodes.length})))"
        )
        problems += [
            f"{where} @{width}: axe {v['impact']} {v['id']} ×{v['count']} {v['nodes']}"
            for v in violations
            if v["impact"] in BLOCKING
        ]
        scroll, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll > inner:
            problems.append(f"{where} @{width}: scrolls sideways {scroll} > {inner}")
    page.set_viewport_size(DESKTOP)
    return problems


def screenshots(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(100)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def spelling(page, text: str):
    """The preview's fieldset for one unresolved 责任单位 spelling (its legend is “text”)."""
    return page.locator("fieldset.spelling").filter(
        has=page.locator("legend", has_text=f"“{text}”")
    )


def make_new_unit(page, text: str) -> None:
    fieldset = spelling(page, text)
    fieldset.get_by_label("对应单位").select_option(label="新建单位")
    assert fieldset.get_by_label("新单位名称").input_value() == text
    fieldset.get_by_label("新单位类别").select_option(label="市直单位")


def test_an_admin_brings_in_the_digital_economy_plan_and_switches_between_the_plans(
    live_server, demo_accounts, new_page, tmp_path
):
    from playwright.sync_api import expect

    expected_rows = lb.ledger("digital-2026")
    title = lb.plan_data("digital-2026")["title"]
    ledger_file = tmp_path / "数字经济发展行动方案重点任务分工台账.xlsx"
    ledger_file.write_bytes(ledger_xlsx("digital-2026"))
    text_file = lb.PLANS["digital-2026"] / "plan.txt"
    base = live_server.url
    problems: list[str] = []

    # bypass_csp: the site allows no inline script, and axe is injected as one.
    page = new_page(viewport=DESKTOP, bypass_csp=True)
    log_in(page, base, "admin", "/")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="方案管理").click()
    page.wait_for_url(f"{base}/plans/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("行动方案管理")
    expect(page.locator("table.plan-table tbody tr")).to_have_count(1)
    problems += axe_problems(page, "/plans/manage/")

    page.get_by_role("link", name="导入新方案").click()
    page.wait_for_url(f"{base}/plans/new/")
    problems += axe_problems(page, "/plans/new/")
    page.get_by_label("重点任务分工台账").set_input_files(ledger_file)
    page.get_by_label("方案原文").set_input_files(text_file)
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/plans/new/\d+/$"))
    preview_url = page.url

    # The preview: every row of the 台账 read, and the spellings no unit answers to yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("核对新方案")
    expect(page.locator("tr.ledger-preview-row")).to_have_count(len(expected_rows))
    expect(page.locator("fieldset.spelling legend")).to_have_count(len(NEW_UNITS) + 1)
    for text in [*NEW_UNITS, MISSPELT]:
        expect(spelling(page, text)).to_have_count(1)
    problems += axe_problems(page, "preview")
    screenshots(page, "onboarding-preview")

    # The new units, each a 市直单位 made through its select; the misspelling left for later.
    for text in NEW_UNITS:
        make_new_unit(page, text)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(preview_url)
    expect(page.locator(".messages")).to_contain_text("已保存")
    for text in NEW_UNITS:
        fieldset = spelling(page, text)
        expect(fieldset.get_by_label("对应单位")).to_have_value("__new__")
        expect(fieldset.get_by_label("新单位类别")).to_have_value("municipal")
    summary = page.locator("table.spellings")
    expect(summary.locator("tr", has_text=NEW_UNITS[0])).to_contain_text("（新建）")

    # The misspelling is the unit just asked for: an alias of it.
    spelling(page, MISSPELT).get_by_label("对应单位").select_option(label=MEANT)

    # Drop the first proposed target, rename the second.
    proposals = page.locator("fieldset.proposal")
    target_count = proposals.count()
    assert target_count > 2
    dropped = proposals.nth(0)
    dropped_label = dropped.locator("input[name$='-label']").input_value()
    accepted = dropped.get_by_label("采用")
    expect(accepted).to_be_checked()
    accepted.uncheck()
    proposals.nth(1).locator("input[name$='-label']").fill(EDITED_LABEL)

    page.locator("input[name='plan-code']").fill("digital-2026")
    page.get_by_role("button", name="确认导入").click()

    # The new plan's 台账: its 15 tasks, under its own title.
    page.wait_for_url(f"{base}/plans/digital-2026/ledger/")
    expect(page.locator(".messages")).to_contain_text(f"已导入《{title}》")
    expect(page.get_by_role("heading", level=1)).to_have_text("重点任务分工台账")
    expect(page.locator("main")).to_contain_text(title)
    rows = page.locator("table.ledger tbody tr")
    expect(rows).to_have_count(15)
    assert shared.ledger_numbers(page) == [str(n) for n in range(1, 16)]
    expect(page.locator("#plan-switch")).to_have_value("digital-2026")

    plan = Plan.objects.get(code="digital-2026")
    assert plan.title == title
    assert plan.tasks.count() == 15
    assert UnitAlias.objects.get(alias=MISSPELT).unit.name == MEANT
    assert set(NEW_UNITS) <= set(
        Unit.objects.filter(kind="municipal").values_list("name", flat=True)
    )
    labels = list(Target.objects.in_plan(plan).values_list("label", flat=True))
    assert len(labels) == target_count - 1
    assert dropped_label not in labels
    assert EDITED_LABEL in labels

    # 总览 follows the plan just brought in.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="总览").click()
    page.wait_for_url(f"{base}/dashboard/")
    expect(page.locator("main")).to_contain_text(title)

    # The page across plans shows both.
    page.goto(f"{base}/plans/")
    summaries = page.locator("section.plan-summary h2")
    expect(summaries).to_have_count(2)
    expect(summaries.filter(has_text=title)).to_have_count(1)
    expect(summaries.filter(has_text=FIRST_TITLE)).to_have_count(1)
    problems += axe_problems(page, "/plans/")
    screenshots(page, "plans")

    # Back to the first plan through the header's switcher, from its ledger.
    page.goto(f"{base}/plans/digital-2026/ledger/")
    page.locator("#plan-switch").select_option(label=FIRST_TITLE)
    page.locator("form.plan-switch").get_by_role("button", name="切换").click()
    page.wait_for_url(f"{base}/plans/innovation-2022/ledger/")
    expect(page.locator("#plan-switch")).to_have_value("innovation-2022")
    expect(page.locator("main")).to_contain_text(FIRST_TITLE)
    expect(rows).to_have_count(22)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="总览").click()
    page.wait_for_url(f"{base}/dashboard/")
    expect(page.locator("main")).to_contain_text(FIRST_TITLE)
    expect(page.locator("main")).not_to_contain_text(title)

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
