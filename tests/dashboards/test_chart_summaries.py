"""What each chart says in words (its container's aria-label), and the shorter words the chart
script uses on a narrow screen: dashboards/charts.py, checked without the database."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from dashboards import chart_text, charts


@pytest.fixture(autouse=True)
def in_chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (
            ["behind", "met", "on_track", "met", "behind", "on_track", "on_track"],
            "二、主要目标。7 项指标：已达成 2 项，正常 3 项，滞后 2 项",
        ),
        # In the overview's order of statuses, whatever order the targets come in.
        (
            ["no_data", "warning", "achieved"],
            "二、主要目标。3 项指标：达成 1 项，预警 1 项，无数据 1 项",
        ),
        (["pending"], "二、主要目标。1 项指标：待定（数据不全） 1 项"),
        ([], "二、主要目标。0 项指标"),
    ],
)
def test_a_section_of_targets_is_summed_up_by_status(statuses, expected):
    assert chart_text.targets_summary(title="二、主要目标", statuses=statuses) == expected


def test_the_reporting_chart_counts_each_unit_once_by_its_worst_item_and_totals_the_items():
    rows = [
        {"unit": "市科技局", "on_time": 37, "late": 5, "missing": 3},  # 有未报
        {"unit": "卧龙区", "on_time": 3, "late": 2, "missing": 0},  # 有逾期
        {"unit": "市税务局", "on_time": 0, "late": 1, "missing": 0},  # 有逾期
        {"unit": "宛城区", "on_time": 5, "late": 0, "missing": 0},  # 按时报齐
    ]
    assert chart_text.compliance_summary(rows) == (
        "各单位报送情况。4 个单位：按时报齐 1，有逾期 2，有未报 1。"
        "共应报 56 项：按时 45，逾期 8，未报 3"
    )


def test_the_reporting_chart_of_no_unit_says_so():
    assert chart_text.compliance_summary([]) == (
        "各单位报送情况。0 个单位：按时报齐 0，有逾期 0，有未报 0"
    )


def test_a_units_tasks_by_quarter_name_the_latest_quarter_and_all_quarters_most_frequent_first():
    labels = [
        ["推进中", "推进中", "逾期未报"],
        ["已完成", "推进中", "推进中"],
        ["推进中", "待审核", "推进中"],
    ]
    summary = chart_text.heatmap_summary(
        title="重点任务各季度完成情况",
        rows=["1. 实施重大科技专项", "2. 实施基础与前沿技术研究专项", "3. 实行“揭榜挂帅”"],
        columns=["2025年第二季度", "2025年第三季度", "2025年第四季度"],
        labels=labels,
    )
    assert summary == (
        "重点任务各季度完成情况。3 项重点任务，2025年第二季度至2025年第四季度共 3 个季度。"
        "2025年第四季度：推进中 2 项，逾期未报 1 项。"
        "全部季度合计：推进中 6 项次，逾期未报 1 项次，已完成 1 项次，待审核 1 项次"
    )


def test_a_single_quarter_is_named_once():
    summary = chart_text.heatmap_summary(
        title="重点任务各季度完成情况",
        rows=["1. 任务"],
        columns=["2022年第二季度"],
        labels=[["未报"]],
    )
    assert summary == (
        "重点任务各季度完成情况。1 项重点任务，2022年第二季度。"
        "2022年第二季度：未报 1 项。全部季度合计：未报 1 项次"
    )


def test_a_city_target_names_its_latest_figure_against_where_it_should_be_and_the_target():
    summary = chart_text.trajectory_summary(
        title="高新技术企业数量",
        labels=["2024年第三季度", "2024年第四季度", "2025年第一季度"],
        actual=[None, Decimal("456"), None],  # the latest quarter has no figure yet
        expected=[Decimal("450"), Decimal("460.5"), Decimal("470")],
        target=Decimal("500"),
        unit="家",
    )
    assert summary == (
        "高新技术企业数量。2024年第三季度至2025年第一季度逐季度。"
        "2024年第四季度实际 456 家，按进度应达到 460.5 家。目标 500 家"
    )


def test_a_growth_target_without_figures_says_so_and_writes_percent_without_a_space():
    summary = chart_text.trajectory_summary(
        title="全社会R&D经费投入年均增长",
        labels=["2025年第四季度"],
        actual=[None],
        expected=[Decimal("10")],
        target=Decimal("12.5"),
        unit="%",
    )
    assert summary == "全社会R&D经费投入年均增长。2025年第四季度。尚无实际数值。目标 12.5%"


def test_a_benchmark_target_has_no_target_line_to_name():
    summary = chart_text.trajectory_summary(
        title="全社会R&D经费投入强度",
        labels=["2024年第四季度", "2025年第四季度"],
        actual=[Decimal("1.8"), Decimal("2.1")],
        expected=[Decimal("2"), None],
        target=None,
        unit="%",
    )
    assert (
        summary
        == "全社会R&D经费投入强度。2024年第四季度至2025年第四季度逐季度。2025年第四季度实际 2.1%"
    )


def test_the_county_chart_counts_the_counties_by_status_against_the_requirement():
    statuses = ["met"] * 4 + ["missed"] * 13 + ["no_data"]
    summary = chart_text.county_summary(
        title="2025年 各县市区技术合同成交额（每年）",
        statuses=statuses,
        line=Decimal("3.50"),
        unit="亿元",
    )
    assert summary == (
        "2025年 各县市区技术合同成交额（每年）。18 个县市区，每个县市区 3.5 亿元："
        "已达成 4 个，未达成 13 个，无数据 1 个"
    )


def test_the_summaries_are_written_in_the_pages_language():
    with translation.override("en"):
        summary = chart_text.targets_summary(title="II. Main targets", statuses=["met"])
    # The status words come from the catalog ("已达成" is "Met"); the sentence around them
    # too, once locale/en has its new entries (until then gettext falls back to the msgid).
    assert summary.startswith("II. Main targets") and "Met 1" in summary
    assert "已达成" not in summary


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2024年第二季度", "2024年<br>第二季度"),
        ("Q2 2024", "Q2<br>2024"),
        ("2024", "2024"),
        ("<b>年</b>", "&lt;b&gt;年<br>&lt;/b&gt;"),  # data is escaped before Plotly reads it
    ],
)
def test_a_quarters_label_is_broken_into_two_lines_for_a_narrow_column(label, expected):
    assert charts.two_lines(label) == expected


def test_a_quarter_axis_too_narrow_for_every_quarter_gets_a_tick_in_the_middle_of_each_year():
    labels = ["2022年第二季度", "2022年第三季度", "2022年第四季度"]
    labels += [f"2023年第{n}季度" for n in "一二三四"]
    assert charts.year_ticks(labels) == {"tickvals": [1.0, 4.5], "ticktext": ["2022", "2023"]}
    assert charts.year_ticks(["Q4 2024", "Q1 2025"]) == {
        "tickvals": [0.0, 1.0],
        "ticktext": ["2024", "2025"],
    }


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("高新区管委会", "高新区"),
        ("城乡一体化示范区管委会", "城乡一体化示范区"),
        ("卧龙区", "卧龙区"),
        ("管委会", "管委会"),
    ],
)
def test_a_units_name_on_a_chart_drops_its_administrative_suffix(name, short):
    assert charts.short_unit_name(name) == short


def test_every_figure_is_plain_json_with_a_form_the_script_knows():
    figures = [
        charts.bullet_figure(
            [
                {
                    "label": "1. 指标",
                    "actual_pct": Decimal("50"),
                    "expected_pct": Decimal("60"),
                    "status": "warning",
                    "status_label": "预警",
                    "hover": "h",
                }
            ]
        ),
        charts.trajectory_figure(
            labels=["2024年第四季度", "2025年第一季度"],
            actual=[Decimal("1"), None],
            expected=[Decimal("1"), Decimal("2")],
            target=Decimal("3"),
            unit="家",
        ),
        charts.county_bars_figure(
            names=["卧龙区", "高新区管委会"],
            values=[Decimal("3.9"), None],
            statuses=["met", "no_data"],
            status_labels=["已达成", "无数据"],
            line=Decimal("3.5"),
            unit="亿元",
            title="2025年 各县市区技术合同成交额",
        ),
        charts.compliance_figure([{"unit": "卧龙区", "on_time": 3, "late": 2, "missing": 0}]),
        charts.heatmap_figure(
            rows=["1. 任务"], columns=["2025年第四季度"], codes=[["done"]], labels=[["已完成"]]
        ),
    ]
    kinds = [json.loads(json.dumps(f, allow_nan=False))["form"]["kind"] for f in figures]
    assert kinds == ["bullet", "trajectory", "county", "compliance", "heatmap"]
    drawn = (Path(settings.BASE_DIR) / "static" / "js" / "charts.js").read_text(encoding="utf-8")
    for kind in kinds:
        assert f"forms.{kind} = function" in drawn, kind


def test_the_county_chart_names_its_line_in_the_legend_and_keeps_the_bars_numbers_upright():
    figure = charts.county_bars_figure(
        names=["卧龙区", "高新区管委会"],
        values=[Decimal("3.9"), Decimal("2")],
        statuses=["met", "missed"],
        status_labels=["已达成", "未达成"],
        line=Decimal("3.5"),
        unit="亿元",
        title="t",
    )
    bars, line = figure["data"]
    assert line["name"] == "每个县市区 3.5 亿元" and line["line"]["dash"] == "dot"
    assert bars["showlegend"] is False and bars["textangle"] == 0
    assert figure["layout"]["shapes"][0]["layer"] == "below"  # behind the bars' numbers
    assert "annotations" not in figure["layout"]
    assert figure["layout"]["xaxis"]["ticktext"] == ["卧龙区", "高新区"]
    assert bars["x"] == ["卧龙区", "高新区管委会"]  # the data keep the full names


def test_a_trajectory_names_its_target_in_the_legend_and_leaves_room_for_the_top_number():
    figure = charts.trajectory_figure(
        labels=["2024年第四季度", "2025年第一季度", "2025年第二季度"],
        actual=[Decimal("400"), Decimal("450"), Decimal("490")],
        expected=[Decimal("410"), Decimal("440"), Decimal("470")],
        target=Decimal("500"),
        unit="家",
    )
    actual, _expected, target = figure["data"]
    assert target["name"] == "目标 500 家" and target["y"] == [500.0, 500.0]
    assert actual["textposition"] == ["top right", "top center", "top left"]
    assert figure["layout"]["yaxis"]["range"][1] > 500 * 1.1
    assert figure["layout"]["xaxis"]["tickangle"] == 0
    assert "annotations" not in figure["layout"] and "shapes" not in figure["layout"]
