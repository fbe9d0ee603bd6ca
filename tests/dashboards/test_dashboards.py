import datetime as dt
import io
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.verdicts import refresh
from demo.seeding import seed_demo
from reports.workflow import approve_record, submit_record
from targets.models import Target
from tests import factories as f
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
OVERVIEW = reverse("dashboards:overview")


def charts_in(page: str) -> dict:
    """The figures a page hands to the chart script, by element id."""
    found = re.findall(r'<script id="([\w-]+)" type="application/json">(.*?)</script>', page, re.S)
    return {name: json.loads(body) for name, body in found}


def approved_value(reporter, reviewer, plan, **kwargs):
    value = f.make_value(reporter, plan, **kwargs)
    value = submit_record(record=value, user=reporter, version=value.version)
    return approve_record(record=value, user=reviewer)


@pytest.fixture
def demo(plan):
    return seed_demo(plan=plan, seed=3, today=dt.date(2026, 3, 1))


def test_the_overview_shows_every_target_with_a_status_and_a_chart(client, leader, plan, demo):
    client.force_login(leader)
    with time_machine.travel(dt.datetime(2025, 10, 20, 9, tzinfo=SHANGHAI), tick=False):
        page = client.get(OVERVIEW).content.decode()
    for target in Target.objects.in_plan(plan):
        assert f'href="/dashboard/targets/{target.pk}/"' in page, target.key
    figures = charts_in(page)
    bullets = [fig for name, fig in figures.items() if name.startswith("chart-section-")]
    assert len(bullets) == 7  # 二、主要目标 and the six sections of 三 that set targets
    labels = [y for fig in bullets for y in fig["data"][0]["y"]]
    assert len(labels) == 30
    texts = " ".join(t for fig in bullets for t in fig["data"][0]["text"])
    assert re.search(r"(已达成|正常|预警|滞后|无数据)", texts)  # status in words on the bars
    assert "chart-compliance" in figures
    assert (
        'src="/static/vendor/plotly-cartesian-3.4.0.min.js"' in page
        and 'src="/static/js/charts.js"' in page
    )
    assert "2025年第三季度" in page  # this quarter's reporting and task grid


def test_the_overview_counts_targets_by_status_and_explains_the_rules(client, leader, demo):
    client.force_login(leader)
    page = client.get(OVERVIEW).content.decode()
    counts = [int(n) for n in re.findall(r'class="status-card status-\w+"><strong>(\d+)', page)]
    assert sum(counts) == 30
    assert "不低于按进度应达到数值的 95%" in page and "低于 80%" in page


def test_the_overview_can_be_seen_as_of_the_end_of_an_earlier_quarter(client, leader, plan, demo):
    client.force_login(leader)
    period = f.period(plan, 2023, 4)
    page = client.get(OVERVIEW, {"as_of": period.pk}).content.decode()
    assert "统计截至 2023年12月31日" in page
    assert "实施期已结束" not in page


def test_the_county_target_shows_a_bar_per_county_with_the_line_and_how_many_meet_it(
    client, leader, reviewer, plan
):
    county_reporters = {}
    # 1—N月累计, as the registry publishes it: the year so far at each quarter's end.
    for name, amounts in {
        "卧龙区": ["1.0", "2.2", "3.1", "3.9"],
        "宛城区": ["0.5", "1.0", "1.6", "2.0"],
    }.items():
        reporter = f.unit(name).profiles.first()
        if reporter is None:
            from tests.conftest import _user

            reporter = _user(f"reporter-{name}", "reporter", name)
        county_reporters[name] = reporter
        for quarter, amount in enumerate(amounts, start=1):
            approved_value(
                reporter,
                reviewer,
                plan,
                key="county-tech-contract-turnover",
                unit_name=name,
                year=2024,
                quarter=quarter,
                value=Decimal(amount),
                form="ytd",
            )
    target = f.target(plan, "county-tech-contract-turnover")
    client.force_login(leader)
    page = client.get(
        reverse("dashboards:target", args=[target.pk]), {"as_of": f.period(plan, 2024, 4).pk}
    ).content.decode()
    figure = charts_in(page)["chart-target"]
    bars = dict(zip(figure["data"][0]["x"], figure["data"][0]["y"], strict=True))
    assert len(bars) == 18
    assert bars["卧龙区"] == pytest.approx(3.9) and bars["宛城区"] == pytest.approx(2.0)
    assert figure["layout"]["shapes"][0]["y0"] == 3.5
    # The line is named in the legend, not by a label over the bars near it.
    assert [t["name"] for t in figure["data"][1:]] == ["每个县市区 3.5 亿元"]
    assert "2024年各县市区：1/18 个达到当年要求" in page
    assert "已达成" in figure["data"][0]["text"][list(bars).index("卧龙区")]
    value_ids = re.findall(r'href="/records/value/(\d+)/"', page)
    assert len(value_ids) == 8  # every figure links back to its report


def test_a_city_target_page_draws_actual_against_expected_and_lists_its_reports(
    client, leader, staff_kjj, reviewer, plan
):
    for quarter, figure in ((1, "9"), (2, "19.5")):  # 1—3月, 1—6月累计
        approved_value(
            staff_kjj,
            reviewer,
            plan,
            key="tech-contract-turnover",
            year=2024,
            quarter=quarter,
            value=Decimal(figure),
            quality="final",
        )
    target = f.target(plan, "tech-contract-turnover")
    client.force_login(leader)
    page = client.get(
        reverse("dashboards:target", args=[target.pk]), {"as_of": f.period(plan, 2024, 2).pk}
    ).content.decode()
    figure = charts_in(page)["chart-target"]
    actual = dict(zip(figure["data"][0]["x"], figure["data"][0]["y"], strict=True))
    assert actual["2024年第一季度"] == 9 and actual["2024年第二季度"] == 19.5
    assert "每年完成技术合同成交额 40 亿元以上" in page
    assert "截至 2024年6月30日" in page and "正式" in page  # what the verdict rests on
    assert len(re.findall(r'href="/records/value/\d+/"', page)) == 2


def test_the_unit_dashboard_shows_its_tasks_by_quarter(client, leader, plan, demo):
    client.force_login(leader)
    unit = f.unit("市科技局")
    page = client.get(reverse("dashboards:unit", args=[unit.pk])).content.decode()
    heat = charts_in(page)["chart-heatmap"]["data"][0]
    assert len(heat["y"]) == 19 and len(heat["x"]) == 15
    assert {label for row in heat["text"] for label in row} <= {
        "已完成",
        "推进中",
        "未启动",
        "滞后",
        "逾期未报",
        "未报",
        "待审核",
    }
    assert "按时报送记录" in page


def test_the_unit_dashboard_shows_no_other_units_unreviewed_completion(
    client, plan, staff_county, staff_kjj, reviewer
):
    """A submitted report says 待审核 to everyone; an approved one says what it reports only to
    whom may read the report, and only that it was approved to anyone else."""
    submitted = f.make_report(staff_county, plan, number=15, unit_name="卧龙区", quarter=1,
                              completion="lagging")  # fmt: skip
    submit_record(record=submitted, user=staff_county, version=submitted.version)
    approved = f.make_report(staff_county, plan, number=11, unit_name="卧龙区", quarter=2,
                             completion="done")  # fmt: skip
    approved = submit_record(record=approved, user=staff_county, version=approved.version)
    approve_record(record=approved, user=reviewer)
    page = _heat(client, staff_kjj, "卧龙区")
    assert page[(15, "2024年第一季度")] == "待审核"  # 市科技局 leads task 15, yet: not reviewed
    assert page[(11, "2024年第二季度")] == "已审核"  # 市科技局 has no part in task 11
    own = _heat(client, staff_county, "卧龙区")
    assert own[(15, "2024年第一季度")] == "待审核" and own[(11, "2024年第二季度")] == "已完成"
    assert _heat(client, reviewer, "卧龙区")[(11, "2024年第二季度")] == "已完成"


def _heat(client, user, unit_name) -> dict:
    client.force_login(user)
    page = client.get(reverse("dashboards:unit", args=[f.unit(unit_name).pk])).content.decode()
    heat = charts_in(page)["chart-heatmap"]["data"][0]
    return {
        (int(row.split(".")[0]), column): label
        for row, labels in zip(heat["y"], heat["text"], strict=True)
        for column, label in zip(heat["x"], labels, strict=True)
    }


def test_the_scoreboard_ranks_the_counties_for_2024_and_exports_it(client, leader, plan, demo):
    client.force_login(leader)
    page = client.get(reverse("dashboards:scoreboard"), {"year": 2024}).content.decode()
    assert "2024年度县市区考核评比" in page
    ranks = [int(r) for r in re.findall(r'<td data-label="名次">(\d+)</td>', page)]
    assert ranks == list(range(1, 19))
    response = client.get(reverse("dashboards:scoreboard"), {"year": 2024, "format": "xlsx"})
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "南阳市创新创业行动2024年度县市区考核评比【演示数据】"
    assert sheet["A2"].value == "名次" and sheet["A3"].value == 1
    assert isinstance(sheet["F3"].value, int | float) and sheet["F3"].number_format == "0.0%"
    assert sheet.page_setup.orientation == "landscape"


def test_the_scoreboard_sorts_by_on_time_rate(client, leader, demo):
    client.force_login(leader)
    page = client.get(
        reverse("dashboards:scoreboard"), {"year": 2024, "sort": "on_time"}
    ).content.decode()
    rates = [int(r) for r in re.findall(r'<td data-label="按时报送率">(\d+)%', page)]
    assert rates == sorted(rates, reverse=True)


@pytest.mark.parametrize("name", ["dashboards:overview", "dashboards:scoreboard"])
def test_anonymous_users_are_sent_to_log_in(client, name):
    assert_login_required(client, reverse(name))


def test_a_user_without_a_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(OVERVIEW).status_code == 403


def test_they_refuse_posts(client, leader):
    assert_read_only(client, leader, OVERVIEW)


@pytest.mark.parametrize("role", ["staff_kjj", "staff_county", "reviewer", "leader", "admin_user"])
def test_every_role_can_read_the_overview(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(OVERVIEW).status_code == 200


def test_dashboard_queries_do_not_grow_with_the_reports(
    client, leader, plan, django_assert_max_num_queries
):
    client.force_login(leader)
    target = f.target(plan, "county-tech-contract-turnover")
    unit = f.unit("市科技局")
    pages = [
        OVERVIEW,
        reverse("dashboards:target", args=[target.pk]),
        reverse("dashboards:unit", args=[unit.pk]),
        reverse("dashboards:scoreboard"),
    ]
    seed_demo(plan=plan, seed=3, today=dt.date(2026, 3, 1))
    refresh(plan)  # the verdicts are stored when the data changes, not while a page waits
    budgets = {OVERVIEW: 16, pages[1]: 16, pages[2]: 18, pages[3]: 15}  # stored verdicts
    for url in pages:
        with django_assert_max_num_queries(budgets[url]):
            assert client.get(url).status_code == 200


def test_the_overview_totals_the_tasks_and_names_the_units_that_make_each_lag(
    client, leader, plan, staff_county, reviewer
):
    """2025 Q4 is past due: a task lags because a unit reported 滞后, or because units have not
    reported; the overview says which, by name, and totals the tasks by status."""
    report = f.make_report(staff_county, plan, number=11, unit_name="卧龙区", year=2025,
                           quarter=4, completion="lagging")  # fmt: skip
    report = submit_record(record=report, user=staff_county, version=report.version)
    approve_record(record=report, user=reviewer)
    client.force_login(leader)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        page = client.get(OVERVIEW).content.decode()
    counts = re.findall(r'class="status-card task-(\w+)"><strong>(\d+)</strong> <span>(\w+)', page)
    assert counts == [("lagging", "22", "滞后")]  # nobody else has reported 2025 Q4
    lines = dict(re.findall(r'<li><a href="/tasks/\d+/">任务 (\d+) [^<]*</a>：(.*?)</li>', page))
    assert len(lines) == 22
    owners = set()
    for owner in f.task(plan, 11).units.all():
        owners |= set(owner.members.values_list("name", flat=True)) or {owner.name}
    others = len(owners) - 1  # all but 卧龙区, the first five by name
    assert lines["11"].startswith("卧龙区报告滞后；") and lines["11"].endswith(
        f"等 {others} 个单位逾期未报送"
    )
    assert lines["1"] == "市科技局、市财政局逾期未报送"  # 台账 task 1: its two units, in order


def test_before_the_due_date_only_a_reported_lag_makes_a_task_lag(
    client, leader, plan, staff_county, reviewer
):
    report = f.make_report(staff_county, plan, number=11, unit_name="卧龙区", year=2025,
                           quarter=4, completion="lagging")  # fmt: skip
    report = submit_record(record=report, user=staff_county, version=report.version)
    approve_record(record=report, user=reviewer)
    client.force_login(leader)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        page = client.get(OVERVIEW).content.decode()
    lines = dict(re.findall(r'<li><a href="/tasks/\d+/">任务 (\d+) [^<]*</a>：(.*?)</li>', page))
    assert lines == {"11": "卧龙区报告滞后"}
    counts = dict(re.findall(r'class="status-card task-(\w+)"><strong>(\d+)', page))
    assert counts == {"lagging": "1", "not_started": "21"}


def test_every_status_badge_on_a_page_says_its_status(client, leader, plan, demo):
    """A status is written in words wherever it is coloured (no badge without its word)."""
    client.force_login(leader)
    urls = [OVERVIEW, reverse("dashboards:unit", args=[f.unit("市科技局").pk]),
            reverse("dashboards:target", args=[f.target(plan, "tech-smes").pk])]  # fmt: skip
    for url in urls:
        page = client.get(url).content.decode()
        badges = re.findall(r'<span class="status status-\w+">([^<]*)</span>', page)
        assert badges and all(b.strip() for b in badges), url


def test_the_scoreboard_writes_a_figure_in_its_measures_precision_as_the_overview_does():
    from types import SimpleNamespace as Row

    from django.template.loader import render_to_string

    target = Row(label="双创载体", value_measure="家")
    unit = Row(pk=1, name="卧龙区")
    row = Row(
        rank=1, unit=unit, on_time=9, owed=10, score=Decimal("95.0"),
        targets=[Row(target=target, value=Decimal("1316.63"), met=True)],
    )  # fmt: skip
    page = render_to_string(
        "dashboards/scoreboard.html",
        {
            "year": 2025,
            "years": [2025],
            "rows": [row],
            "order": "rank",
            "today": dt.date(2026, 3, 1),
        },
    )
    assert ">1317 <" in page and "1316.63" not in page  # a count of 家 is whole, as on 总览
