"""The cells every workbook shares (reports/xlsx_cells.py): text measured as before, and the
offline template, which is written with them, frozen in tests/golden/ as it was written before
the 台账 export was made faster (see tests/workbooks.py)."""

import datetime as dt
import io
import unicodedata
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from demo.seeding import seed_demo
from reports.excel_template import build_template
from reports.template_format import META_SHEET
from reports.xlsx_cells import (
    CENTER,
    ColumnWidths,
    NumberCells,
    TextCells,
    display_width,
    number_cell,
    text_cell,
    wrapped_lines,
    write_only_sheet,
)
from tests import factories as f
from tests.workbooks import as_json, describe, golden

SHANGHAI = ZoneInfo("Asia/Shanghai")


def counted_one_by_one(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "市科技局", "ＡＢ１", "ｶﾀｶﾅ", "“十四五”…°", "e\u0301", "😀👍🏽", "한국어", "\u3000",
     "mixed 中文 and ＡＢ", "\t", "\x85", "\u2028"],
)  # fmt: skip
def test_a_lines_width_counts_wide_full_width_and_ambiguous_characters_double(text):
    assert display_width(text) == counted_one_by_one(text)


@given(st.text())
def test_a_lines_width_is_the_sum_of_its_characters_widths(text):
    assert display_width(text) == counted_one_by_one(text)


def test_column_widths_take_the_longest_line_of_each_value_within_the_maximum():
    widths = ColumnWidths(["序号", "名称", "说明"], [6, 20, 30])
    widths.see([12, "市科技局\n南阳高新技术产业开发区管委会", None])
    widths.see([None, "短", "a\u2028" + "b" * 20])  # \u2028 breaks a line too
    assert widths.widths == [6, 20, 22]


def test_a_columns_one_cell_holds_each_value_as_text_cell_would():
    sheet = write_only_sheet(Workbook(write_only=True), "表")
    column = TextCells(sheet, alignment=CENTER)
    for value in ["市科技局", "市科技局", "=1+1", "=1+1", None, 12, "-5%", "普通", "\n换行开头"]:
        cell, expected = column(value), text_cell(sheet, value, alignment=CENTER)
        assert (cell.value, cell.data_type) == (expected.value, "s")
        assert cell.style_id == expected.style_id, value  # the same font, border, alignment…
    numbers = NumberCells(sheet, "0.0%", alignment=CENTER)
    for value in [1, None, 0.25]:
        cell, expected = numbers(value), number_cell(sheet, value, "0.0%", alignment=CENTER)
        assert (cell.value, cell.style_id) == (expected.value, expected.style_id)


def test_a_sheet_of_prepared_rows_writes_other_rows_the_ordinary_way():
    book = Workbook(write_only=True)
    sheet = write_only_sheet(book, "表")
    column = TextCells(sheet)
    sheet.append([column("甲"), text_cell(sheet, "乙")])
    sheet.append(["丙", 2, None, text_cell(sheet, "=不是公式")])
    sheet.append(value for value in ("丁", 4))  # a generator, as openpyxl allows
    stream = io.BytesIO()
    book.save(stream)
    read = load_workbook(io.BytesIO(stream.getvalue()))["表"]
    assert [[c.value for c in row] for row in read.iter_rows()] == [
        ["甲", "乙", None, None],
        ["丙", 2, None, "=不是公式"],
        ["丁", 4, None, None],
    ]
    assert read["D2"].data_type == "s" and read["D2"].quotePrefix
    assert read["A1"].border.left.style == "thin" and read["A2"].border.left.style is None


@pytest.fixture
def demo(plan):
    seed_demo(plan=plan, seed=3, today=dt.date(2026, 3, 1))


def template(unit_name: str, period) -> dict:
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        data = build_template(unit=f.unit(unit_name), period=period)
    description = as_json(describe(data))
    for sheet in description["sheets"]:
        if sheet["title"] == META_SHEET:  # ids and their signature differ from run to run
            sheet["rows"] = [row[:1] for row in sheet["rows"]]
    return description


@pytest.mark.django_db
@pytest.mark.parametrize(("unit_name", "slug"), [("卧龙区", "wolong"), ("市科技局", "kjj")])
def test_the_offline_template_is_written_as_before(plan, demo, unit_name, slug):
    actual = template(unit_name, f.period(plan, 2025, 4))
    assert actual == golden(f"template_demo_2025q4_{slug}", actual)


@pytest.mark.parametrize(
    ("text", "room", "lines"),
    [
        ("", 10, 1),
        ("市科技局", 8, 1),
        ("市科技局市", 8, 2),  # a Chinese character starts a new line anywhere
        ("abc defgh", 8, 2),  # Latin text wraps at the space
        ("abcdefghij", 8, 2),  # a word longer than the line is cut
        ("市科技局，", 8, 2),  # a closing mark goes down with the character before it
        ("市科技“局”", 8, 2),  # and an opening one with the character after it
        ("第一行\n第二行", 20, 2),
        ("第一行\n\n", 20, 2),
        ("推进" * 120, 41, 12),
    ],
)
def test_wrapped_lines_wrap_as_office_suites_do(text, room, lines):
    assert wrapped_lines(text, room) == lines


@given(st.text(max_size=300), st.integers(min_value=2, max_value=60))
def test_wrapped_text_takes_at_least_the_lines_its_width_needs(text, room):
    from math import ceil

    # Spaces may hang past the edge of a line, so only the rest must find room.
    need = sum(
        max(1, ceil(display_width("".join(line.split())) / room))
        for line in text.splitlines() or [""]
    )
    assert wrapped_lines(text, room) >= need
