"""The 台账 workbook, cell by cell, style by style, as it was written before it was made faster:
values, styles, merges, column widths, row heights and print settings are frozen in
tests/golden/ (see tests/workbooks.py for how to rewrite them on purpose)."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboards.excel import LedgerRow, TargetRow, write_workbook
from dashboards.exporting import ledger_rows, target_rows
from demo.seeding import seed_demo
from tests import factories as f
from tests.workbooks import as_json, describe, golden

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Text that measures differently by kind of character, and every line break str.splitlines
# knows that a worksheet may hold.
AWKWARD = [
    "ASCII only, with spaces  ",
    "  leading spaces",
    "市科技局、市财政局",
    "全角ＡＢＣ１２３　全角空格",
    "半角ｶﾀｶﾅ",
    "“引号”…—°±×÷",
    "é́ combining e\u0301 and zero\u200dwidth",
    "emoji 😀👍🏽 and 한국어",
    "第一行\n第二行比第一行长一些\n",
    "Windows\r\nline\rbreaks",
    "Unicode\u2028line\u2029separators\x85next line",
    "\n\n",
    "",
    "=SUM(A1:A2)",
    "+86 138 0000 0000",
    "-5%",
    "@某人",
    "\t制表符",
    "1000 万元（同比增长 12.5%）" * 3,
    "推进" * 120,
    "mixed 中文 and English " * 10,
]


def awkward_ledger() -> list[LedgerRow]:
    rows = []
    for index, text in enumerate(AWKWARD):
        number = index // 3 + 1  # three units a task: the task's own columns are merged
        rows.append(
            LedgerRow(
                number,
                f"任务{number}：{AWKWARD[-index]}",
                "市科技局、 市财政局",
                AWKWARD[(index * 7) % len(AWKWARD)] * (1 + index % 3),
                "“十四五”期间" if index % 2 else "2025年底前",
                progress=text,
                problems=AWKWARD[(index + 5) % len(AWKWARD)],
                next_steps=AWKWARD[(index + 11) % len(AWKWARD)],
                completion=["未报送", "推进中", "已完成"][index % 3],
                unit=["市科技局", "宛城区", "南阳高新技术产业开发区管委会"][index % 3],
                reported_at="" if index % 3 == 0 else f"2025-10-0{index % 9} 09:3{index % 6}",
            )
        )
    rows.append(LedgerRow(99, "单独一行的任务", "", "推进" * 300, "长期", unit="卧龙区"))
    return rows


def awkward_targets() -> list[TargetRow]:
    return [
        TargetRow("1. 研发投入（亿元）", Decimal("3.5"), Decimal("2.75"), Decimal("2.8125"),
                  Decimal("0.7857"), "正常", "三、(五) 每个县市区要达到 3.5 亿元以上",
                  "截至2025年12月31日，快报"),
        TargetRow("2. 无数据的指标（家）", Decimal(500), None, None, None, "无数据",
                  AWKWARD[4], "缺2025年第四季度"),
        TargetRow("=恶意公式", Decimal(0), Decimal("0.0001"), Decimal(0), Decimal(0), "已达成",
                  "-负号开头", ""),
        TargetRow("22. 每个县市区制造业开发区双创载体（达标县市区数）", Decimal(18),
                  Decimal("12345678901234.5678"), Decimal(18), Decimal("1.2345"), "滞后",
                  AWKWARD[8], AWKWARD[10]),
    ]  # fmt: skip


def written(ledger, targets, title="台账（测试）", target_title="目标指标") -> bytes:
    stream = io.BytesIO()
    write_workbook(stream, title=title, ledger=ledger, targets=targets, target_title=target_title)
    return stream.getvalue()


def test_awkward_text_is_written_measured_and_styled_as_before():
    actual = as_json(describe(written(awkward_ledger(), awkward_targets())))
    assert actual == golden("ledger_awkward", actual)


def test_an_empty_ledger_is_written_as_before():
    actual = as_json(describe(written([], [])))
    assert actual == golden("ledger_empty", actual)


@pytest.fixture
def demo(plan):
    seed_demo(plan=plan, seed=3, today=dt.date(2026, 3, 1))


@pytest.mark.django_db
def test_the_demo_ledger_of_a_whole_quarter_is_written_as_before(plan, demo):
    period = f.period(plan, 2025, 4)
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        ledger = ledger_rows(plan, period)
        targets = target_rows(plan, period.ends_on)
    data = written(
        ledger, targets, f"台账（{period.label}）", "目标指标完成情况（截至2025年12月31日）"
    )
    actual = as_json(describe(data, digest_rows_after=30))
    assert actual == golden("ledger_demo_2025q4", actual)


@pytest.mark.django_db
def test_the_demo_ledger_of_one_unit_is_written_as_before(plan, demo):
    period, unit = f.period(plan, 2025, 3), f.unit("卧龙区")
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        ledger = ledger_rows(plan, period, unit)
        targets = target_rows(plan, period.ends_on, unit)
    actual = as_json(describe(written(ledger, targets, "台账（卧龙区）", "截至2025年9月30日")))
    assert actual == golden("ledger_demo_2025q3_wolong", actual)
