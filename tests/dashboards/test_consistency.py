"""One verdict per target and date, everywhere: the overview, the target's page, the unit's
page and sheet 2 of the 台账 export show the same status, value, expected value, date of data,
quality and what is missing, for every target of the demonstration data and several dates."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from dashboards.assessment import basis_text
from dashboards.exporting import target_rows
from demo.seeding import seed_demo
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def drawn(client, url, query):
    """The page as drawn for this request, not from the page cache (its context is read)."""
    cache.clear()
    return client.get(url, query)


def verdict(p) -> tuple:
    return (p.status, p.current, p.expected, p.as_of, p.quality, p.missing, p.stale)


@pytest.fixture
def demo(plan):
    with time_machine.travel(TODAY, tick=False):
        seed_demo(plan=plan, seed=11, today=TODAY.date())
        yield


@pytest.mark.parametrize("as_of", [(2023, 4), (2024, 2), (2025, 4), None],
                         ids=["2023-q4", "2024-q2", "2025-q4", "today"])  # fmt: skip
def test_every_page_and_the_export_give_the_same_verdict_for_the_same_date(
    client, leader, plan, demo, as_of
):
    client.force_login(leader)
    query = {"as_of": f.period(plan, *as_of).pk} if as_of else {}
    day = f.period(plan, *as_of).ends_on if as_of else TODAY.date()
    with time_machine.travel(TODAY, tick=False):
        overview = client.get(reverse("dashboards:overview"), query).context
        on_overview = {
            r.target.key: r.progress for *_, table in overview["sections"] for r, _ in table
        }
        assert len(on_overview) == 30
        for key, progress in on_overview.items():
            target = f.target(plan, key)
            page = drawn(client, reverse("dashboards:target", args=[target.pk]), query)
            assert verdict(page.context["result"].progress) == verdict(progress), key
            html = page.content.decode()
            assert str(progress.label) in html
            if progress.as_of:
                assert f"截至 {progress.as_of.year}年{progress.as_of.month}月" in html, key
        kjj = f.unit("市科技局")
        unit_page = drawn(client, reverse("dashboards:unit", args=[kjj.pk]), query).context
        for target, progress in unit_page["own"]:
            assert verdict(progress) == verdict(on_overview[target.key]), target.key
        wolong = f.unit("卧龙区")
        county_page = drawn(client, reverse("dashboards:unit", args=[wolong.pk]), query).context
        for target, progress in county_page["own"]:
            page = drawn(client, reverse("dashboards:target", args=[target.pk]), query).context
            row = next(c for c in page["result"].counties if c.unit == wolong)
            assert verdict(progress) == verdict(row.progress), target.key

    # Sheet 2 of the 台账 export for the same day.
    with time_machine.travel(TODAY, tick=False):
        rows = {row.label.split(".")[0]: row for row in target_rows(plan, day)}
    for key, progress in on_overview.items():
        row = rows[str(f.target(plan, key).number)]
        assert row.status == str(progress.label), key
        assert row.current == progress.current and row.basis == basis_text(progress), key


def test_the_plans_last_day_and_today_agree_once_the_figures_are_the_same(
    client, leader, plan, demo
):
    """统计截至 2025年第四季度末 and 今天 judge the same 2025 figures the same way, unless a
    figure covering a later day came in (none can: the plan ended on 31 December 2025)."""
    client.force_login(leader)
    last = f.period(plan, 2025, 4)
    with time_machine.travel(TODAY, tick=False):
        at_end = client.get(reverse("dashboards:overview"), {"as_of": last.pk}).context
        today = client.get(reverse("dashboards:overview")).context

    def statuses(context):
        return {r.target.key: r.progress.status for *_, table in context["sections"]
                for r, _ in table}  # fmt: skip

    differ = {
        key: (a, b)
        for (key, a), b in zip(statuses(at_end).items(), statuses(today).values(), strict=True)
        if a != b
    }
    # Only a figure older than its cadence allows is judged differently: stale today.
    for key in differ:
        assert f.target(plan, key) and key in statuses(today)
    assert not differ, differ


def test_the_scoreboard_judges_each_county_target_as_the_target_page_does_for_that_year(
    client, leader, plan, demo
):
    client.force_login(leader)
    q4 = f.period(plan, 2024, 4)
    with time_machine.travel(TODAY, tick=False):
        board = client.get(reverse("dashboards:scoreboard"), {"year": 2024}).context["rows"]
        for key in ("county-incubators", "county-tech-contract-turnover"):
            target = f.target(plan, key)
            page = client.get(reverse("dashboards:target", args=[target.pk]), {"as_of": q4.pk})
            assert page.context["year"] == 2024
            on_page = {c.unit.pk: (fig.value if fig else None, v.status in ("met", "likely"))
                       for c, fig, v in page.context["county_rows"]}  # fmt: skip
            for row in board:
                score = next(t for t in row.targets if t.target.pk == target.pk)
                assert (score.value, score.met) == on_page[row.unit.pk], (key, row.unit.name)
