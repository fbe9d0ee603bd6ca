"""The dashboards' charts can be read: no text drawn over other text, none cut by the chart's edge.

Issue 13 ("Legible charts"). Each dashboard with charts is opened as the demo 领导 sees it, with
the demonstration data seeded as on 2026-03-01: 总览, the county target
(county-tech-contract-turnover), two city targets, and the unit pages of 市科技局 and 卧龙区. Each
is drawn at 1366×768, then the window is narrowed to 375×812 (the charts redraw for the new
width), then the page is loaded afresh at 375×812. Each time, once every chart is drawn for its
container's width, every visible text element inside each chart's SVG (axis tick labels, bar and
cell texts, annotations, legend entries, titles) is measured on screen, and:

- no two text boxes overlap by more than 1 px (in both directions);
- no text box reaches more than 1 px past the chart container's edges;
- no text is rotated (an axis title may stand on its side) or drawn smaller than 12 px;
- on a phone, every bar chart is drawn with horizontal bars;
- the page does not scroll sideways.

A text box is the text's own box (getBBox) carried to the screen by its transform
(getScreenCTM): for horizontal text that is getBoundingClientRect; for rotated text it is the
rotated rectangle, since the axis-aligned box of slanted labels overlaps its neighbours' even
where the letters do not.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from demo.seeding import seed_demo
from targets.models import Target
from tasks.models import Plan, Unit
from tests import test_browser as shared
from tests.test_browser import PHONE, log_in

browser = shared.browser
new_page = shared.new_page
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDED_ON = dt.date(2026, 3, 1)
DESKTOP = {"width": 1366, "height": 768}
TOLERANCE_PX = 1
SMALLEST_FONT_PX = 12

# Every chart is drawn, and drawn for the width its container has now (Plotly's layout width
# follows the container once it has redrawn after a resize).
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('div.chart[data-chart]')];
  return charts.length > 0 && charts.every(d => d._fullLayout && d.querySelector('svg.main-svg')
    && Math.abs(d._fullLayout.width - d.clientWidth) <= 1);
}"""

# What the charts write, measured on the screen: one entry per visible text element.
MEASURE = """() => [...document.querySelectorAll('div.chart[data-chart]')].map(div => {
  const edge = div.getBoundingClientRect();
  const texts = [];
  for (const el of div.querySelectorAll('svg text')) {
    if (el.closest('.hoverlayer')) continue;
    const text = (el.textContent || '').trim();
    if (!text) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = el.getBBox();
    if (box.width < 0.5 || box.height < 0.5) continue;
    const m = el.getScreenCTM();
    const corners = [[box.x, box.y], [box.x + box.width, box.y],
                     [box.x + box.width, box.y + box.height], [box.x, box.y + box.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    const group = el.closest('g.xtick, g.ytick, g.annotation, g.legend, g.g-xtitle, g.g-ytitle,'
      + ' g.g-gtitle, g.point, g.textpoint, g.trace');
    let kind = group ? group.getAttribute('class').split(' ')[0] : 'text';
    if (kind === 'point' || kind === 'trace' || kind === 'textpoint') kind = 'mark';
    texts.push({
      text, kind, corners,
      angle: Math.round(Math.atan2(m.b, m.a) * 180 / Math.PI),
      font: parseFloat(getComputedStyle(el).fontSize) * Math.hypot(m.a, m.b),
    });
  }
  const bars = (div._fullData || []).filter(t => t.type === 'bar').map(t => t.orientation);
  return {chart: div.getAttribute('data-chart'), texts, bars,
          edge: [edge.left, edge.top, edge.right, edge.bottom]};
})"""


def _overlap(a, b) -> float:
    """How deep two convex quadrilaterals overlap: the smallest overlap of their projections
    over the axes of both (separating axis theorem); 0 or less when they do not touch."""
    depth = float("inf")
    for quad in (a, b):
        for i in range(4):
            (x1, y1), (x2, y2) = quad[i], quad[(i + 1) % 4]
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1
            nx, ny = (y1 - y2) / length, (x2 - x1) / length
            pa = [nx * x + ny * y for x, y in a]
            pb = [nx * x + ny * y for x, y in b]
            depth = min(depth, min(max(pa), max(pb)) - max(min(pa), min(pb)))
    return depth


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:23] + "…"


def problems_in(charts: list[dict], where: str, *, phone: bool) -> list[str]:
    found = []
    for chart in charts:
        name = f"{where} {chart['chart']}"
        left, top, right, bottom = chart["edge"]
        texts = chart["texts"]
        if not texts:
            found.append(f"{name}: no text drawn")
        for t in texts:
            xs = [x for x, _ in t["corners"]]
            ys = [y for _, y in t["corners"]]
            cut = (
                min(xs) < left - TOLERANCE_PX
                or max(xs) > right + TOLERANCE_PX
                or min(ys) < top - TOLERANCE_PX
                or max(ys) > bottom + TOLERANCE_PX
            )
            if cut:
                found.append(
                    f"{name}: {t['kind']} «{_short(t['text'])}» is cut by the chart's edge"
                )
            if t["angle"] and t["kind"] != "g-ytitle":
                found.append(f"{name}: {t['kind']} «{_short(t['text'])}» turned {t['angle']}°")
            if t["font"] < SMALLEST_FONT_PX - 0.5:
                found.append(
                    f"{name}: {t['kind']} «{_short(t['text'])}» drawn at {t['font']:.1f} px"
                )
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                depth = _overlap(a["corners"], b["corners"])
                if depth > TOLERANCE_PX:
                    found.append(
                        f"{name}: {a['kind']} «{_short(a['text'])}» overlaps {b['kind']} "
                        f"«{_short(b['text'])}» by {depth:.0f} px"
                    )
        if phone and any(o != "h" for o in chart["bars"]):
            found.append(f"{name}: vertical bars on a phone")
    return found


def chart_problems(page, where: str, *, phone: bool) -> list[str]:
    page.wait_for_function(CHARTS_DRAWN)
    page.wait_for_timeout(100)  # a redraw the resize started may still be under way
    page.wait_for_function(CHARTS_DRAWN)
    found = problems_in(page.evaluate(MEASURE), where, phone=phone)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner + TOLERANCE_PX:
        found.append(f"{where}: the page scrolls sideways ({width} > {inner} px)")
    return found


@pytest.fixture(autouse=True)
def on_the_seeding_day():
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=True):
        yield


def dashboard_paths() -> dict[str, str]:
    plan = Plan.objects.default()

    def target(key):
        return Target.objects.get(plan=plan, key=key).pk

    def unit(name):
        return Unit.objects.get(name=name).pk

    return {
        "总览": "/dashboard/",
        "county target": f"/dashboard/targets/{target('county-tech-contract-turnover')}/",
        "city target (level)": f"/dashboard/targets/{target('high-tech-enterprises')}/",
        "city target (yearly)": f"/dashboard/targets/{target('tech-contract-turnover')}/",
        "市科技局": f"/dashboard/units/{unit('市科技局')}/",
        "卧龙区": f"/dashboard/units/{unit('卧龙区')}/",
    }


def test_no_chart_text_overlaps_or_is_cut_on_a_desktop_or_a_phone(
    live_server, demo_accounts, new_page
):
    seed_demo(plan=Plan.objects.default(), seed=2022, today=SEEDED_ON)
    base = live_server.url
    page = new_page(viewport=DESKTOP)
    log_in(page, base, "leader", "/")
    problems = []
    for name, path in dashboard_paths().items():
        page.set_viewport_size(DESKTOP)
        page.goto(base + path)
        problems += chart_problems(page, f"{name} @1366", phone=False)
        page.set_viewport_size(PHONE)
        problems += chart_problems(page, f"{name} @1366→375", phone=True)
        page.goto(base + path)
        problems += chart_problems(page, f"{name} @375", phone=True)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
