"""Browser tests of the leadership dashboards, drawn by Plotly in Chromium.

The demo 领导 opens 总览 from the menu and sees every chart drawn, each bar naming its status in
words (colour is never the only signal); follows target 27 to its county bar chart; reads the
county scoreboard and exports it to Excel; the pages fit a 375-px phone; and nothing is fetched
from another host (Plotly comes from this site, under /static/vendor/).

The data are the deterministic demonstration data (demo/seeding.py), seeded as on 2026-03-01,
and the clock of the whole process (so of the live server thread too) is set to that day.
Chromium launch, screenshots on failure and the demo accounts come from tests/test_browser.py.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from demo.seeding import seed_demo
from tasks.models import Plan
from tests import test_browser as shared
from tests.test_browser import PHONE, log_in, overflow_report

# Chromium (module-scoped), pages with a screenshot on failure, and the demo accounts: the
# fixtures of tests/test_browser.py, made visible to pytest in this module by name.
browser = shared.browser
new_page = shared.new_page
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDED_ON = dt.date(2026, 3, 1)
OVERVIEW = "/dashboard/"
SCOREBOARD = "/dashboard/scoreboard/"
COUNTY_TARGET = "27. 各县市区技术合同成交额（每年）"
STATUS_LABELS = {
    "已达成", "正常", "预警", "滞后", "达成", "未达成", "无数据", "预计可达成", "待定（数据不全）",
}  # fmt: skip
COUNTIES = 18


@pytest.fixture(autouse=True)
def on_the_seeding_day():
    """The whole process (the live server thread included) runs on the day the demo describes.

    tick=True lets time run on from there. Chromium keeps its real clock, which does not
    matter: Django's session cookie carries Max-Age, which wins over its Expires date.
    """
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def demo(demo_accounts):
    # The accounts first: the seeded approvals are made in the name of the demo 审核员.
    result = seed_demo(plan=Plan.objects.default(), seed=2022, today=SEEDED_ON)
    assert result.reports and result.values
    return result


def expect(target, **kwargs):
    # Imported here, like the launch in tests/test_browser.py, so that this module still
    # imports (and conftest can skip it) where playwright is not installed.
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target, **kwargs)


def nav_link(page, name):
    return page.get_by_role("navigation", name="主菜单").get_by_role("link", name=name)


def wait_for_charts(page):
    """Every chart container holds Plotly's SVG; returns how many containers there are."""
    charts = page.locator("div[data-chart]")
    n = charts.count()
    assert n > 0
    for i in range(n):
        expect(charts.nth(i).locator("svg.main-svg").first).to_be_attached()
    return n


def chart_texts(chart):
    """The words drawn in one chart's SVG (bar labels, annotations, axis ticks)."""
    return [t.strip() for t in chart.locator("svg text").all_text_contents() if t.strip()]


def county_target_path(page, base):
    """The county target's page, as the overview links to it."""
    page.goto(base + OVERVIEW)
    href = page.get_by_role("link", name=COUNTY_TARGET, exact=True).get_attribute("href")
    assert re.fullmatch(r"/dashboard/targets/\d+/", href), href
    return href


def test_the_leader_opens_the_overview_and_every_chart_is_drawn_with_its_status_in_words(
    live_server, demo, new_page
):
    base = live_server.url
    page = new_page()
    log_in(page, base, "leader", "/")
    nav_link(page, "总览").click()
    page.wait_for_url(base + OVERVIEW)
    expect(page.locator("h1")).to_have_text("总览 · 南阳市实施创新创业行动工作方案")
    expect(page.locator(".demo-banner")).to_contain_text("演示数据")

    charts = wait_for_charts(page)
    figures = page.locator('script[type="application/json"]').count()
    assert charts == figures, (charts, figures)
    # Each container names the figure beside it, and each figure has a container.
    ids = page.locator("div[data-chart]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-chart'))"
    )
    scripts = page.locator('script[type="application/json"]').evaluate_all(
        "els => els.map(e => e.id)"
    )
    assert sorted(ids) == sorted(scripts)
    for chart_id in ids:
        assert page.evaluate(
            "id => document.querySelector(`[data-chart='${id}']`).data.length", chart_id
        ), chart_id

    bullets = page.locator("section.card").filter(
        has=page.locator("div[data-chart^='chart-section-']")
    )
    assert bullets.count() == 7  # 二、主要目标 and the six sections of 三 that set targets
    seen = set()
    for i in range(bullets.count()):
        section = bullets.nth(i)
        name = section.locator("h2").inner_text().strip()
        chart = section.locator("div[data-chart]")
        # The table beneath, row by row: the status each target has, in words.
        in_table = [s.strip() for s in section.locator("tbody span.status").all_inner_texts()]
        assert in_table and set(in_table) <= STATUS_LABELS, (name, in_table)
        # The bars, point by point in the same order: each writes its status on itself.
        expect(chart.locator("g.trace.bars g.point")).to_have_count(len(in_table))
        on_bars = [
            t.strip() for t in chart.locator("g.trace.bars g.point text").all_text_contents()
        ]
        assert len(on_bars) == len(in_table), (name, on_bars, in_table)
        for label, text in zip(in_table, on_bars, strict=True):
            assert text == label or text.startswith(label + " "), (name, label, text)
        drawn = " ".join(chart_texts(chart))
        for label in set(in_table):
            assert label in drawn, (name, label)
        seen |= set(in_table)
    assert seen, "no status drawn at all"

    # The counts at the top name the same statuses in words.
    cards = {
        s.strip() for s in page.locator("ul.status-counts li span").all_inner_texts() if s.strip()
    }
    assert seen <= cards, (seen, cards)


def test_the_county_target_draws_a_bar_per_county_with_the_requirement_and_lists_them(
    live_server, demo, new_page
):
    base = live_server.url
    page = new_page()
    log_in(page, base, "leader", OVERVIEW)
    page.get_by_role("link", name=COUNTY_TARGET, exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/targets/\d+/$"))
    expect(page.locator("h1")).to_have_text(COUNTY_TARGET)
    wait_for_charts(page)

    chart = page.locator("div[data-chart]")
    expect(chart).to_have_count(1)
    names = page.evaluate("document.querySelector('[data-chart]').data[0].x")
    assert len(names) == COUNTIES, names
    expect(chart.locator("g.trace.bars g.point path")).to_have_count(COUNTIES)
    assert "每个县市区 3.5 亿元" in chart_texts(chart)

    heading = page.locator("section.card h2").first.inner_text()
    assert re.fullmatch(rf"20\d\d年各县市区：\d+/{COUNTIES} 个达到当年要求", heading.strip()), (
        heading
    )
    rows = page.locator("table.dash-table").first.locator("tbody tr")
    expect(rows).to_have_count(COUNTIES)
    listed = [c.strip() for c in rows.locator("td[data-label='县市区']").all_inner_texts()]
    assert listed == names
    assert len(set(listed)) == COUNTIES


def test_the_county_scoreboard_ranks_18_counties_and_exports_to_excel(
    live_server, demo, new_page, tmp_path
):
    base = live_server.url
    page = new_page(accept_downloads=True)
    log_in(page, base, "leader", f"{SCOREBOARD}?year=2024")
    expect(page.locator("h1")).to_have_text("2024年度县市区考核评比")

    rows = page.locator("table.scoreboard tbody tr")
    expect(rows).to_have_count(COUNTIES)
    ranks = [c.strip() for c in rows.locator("td[data-label='名次']").all_inner_texts()]
    assert ranks == [str(n) for n in range(1, COUNTIES + 1)]
    counties = [c.strip() for c in rows.locator("td[data-label='县市区']").all_inner_texts()]
    assert len(set(counties)) == COUNTIES
    scores = [float(c) for c in rows.locator("td[data-label='综合得分']").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "2024年度县市区创新创业行动考核评比.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    sheet = book.active
    assert sheet["A1"].value == "南阳市创新创业行动2024年度县市区考核评比【演示数据】"  # demo data
    assert sheet["A2"].value == "名次" and sheet["B2"].value == "县市区"
    assert [sheet.cell(row=r, column=2).value for r in range(3, 3 + COUNTIES)] == counties
    assert sheet.cell(row=3 + COUNTIES, column=1).value is None


@pytest.mark.parametrize("which", ["overview", "county-target", "scoreboard"])
def test_the_dashboards_fit_a_phone_without_sideways_scrolling(live_server, demo, new_page, which):
    base = live_server.url
    page = new_page(viewport=PHONE)
    log_in(page, base, "leader", OVERVIEW)
    path = {
        "overview": OVERVIEW,
        "county-target": county_target_path(page, base),
        "scoreboard": f"{SCOREBOARD}?year=2024",
    }[which]
    page.goto(base + path)
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    if which != "scoreboard":
        wait_for_charts(page)
        # Plotly's responsive charts take the width of their container, not more.
        widths = page.locator("div[data-chart] svg.main-svg").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().right))"
        )
        assert max(widths) <= PHONE["width"], widths
    else:
        expect(page.locator("table.scoreboard tbody tr")).to_have_count(COUNTIES)

    report = overflow_report(page)
    assert report["scrollWidth"] <= report["innerWidth"] + 1, report

    # Unfolded help texts must wrap too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    report = overflow_report(page)
    assert report["scrollWidth"] <= report["innerWidth"] + 1, report


def test_no_dashboard_requests_anything_from_another_host(live_server, demo, new_page):
    base = live_server.url
    page = new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    # Record foreign requests, but never let them leave the machine.
    page.route(
        lambda url: not url.startswith(base + "/") and not url.startswith("data:"),
        lambda route: route.abort(),
    )

    log_in(page, base, "leader", OVERVIEW)
    page.wait_for_load_state("networkidle")
    wait_for_charts(page)
    target = county_target_path(page, base)
    unit = page.locator("a[href^='/dashboard/units/']").first.get_attribute("href")
    for path in [target, unit]:
        page.goto(base + path, wait_until="networkidle")
        wait_for_charts(page)
    page.goto(f"{base}{SCOREBOARD}?year=2024", wait_until="networkidle")

    plotly = [u for u in requested if "/plotly" in u]
    assert plotly and all(
        u == f"{base}/static/vendor/plotly-cartesian-3.4.0.min.js" for u in plotly
    ), plotly
    assert f"{base}/static/js/charts.js" in requested
    assert any(re.search(r"/dashboard/units/\d+/$", u) for u in requested), requested
    foreign = [u for u in requested if not (u.startswith(base + "/") or u.startswith("data:"))]
    assert foreign == []
