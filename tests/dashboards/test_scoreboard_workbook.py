"""The 考核评比 export (dashboards/scoreboard.py scoreboard_workbook) as a 考核 meeting prints it:
a bordered table sized to its text, one number format a column, the scoring rule and the data
date under it, A4 landscape; and, through LibreOffice, the printed page itself."""

import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from dashboards.excel import DEMO_MARK
from dashboards.ledger_pages import height_of, text_room
from dashboards.scoreboard import (
    CountyScore,
    TargetScore,
    county_scoreboard,
    scoreboard_workbook,
)
from demo.seeding import seed_demo
from reports.xlsx_cells import wrapped_lines
from targets.models import Target
from tasks.models import Unit
from tests.office import measured_rows, pdf_pages, pdf_text, to_pdf

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2026, 3, 1)
A4_LANDSCAPE = (841.89, 595.28)
FIRST_BODY_ROW = 3


LABELS = ["每个县市区制造业开发区双创载体", "各县市区技术合同成交额（每年）"]


def made_rows(targets: int, counties: int = 18) -> list[CountyScore]:
    """Unsaved counties scored on `targets` targets, alternately counts (家) and money (亿元)
    as the plan's two county targets are, the longest county name the plan's; the last
    county has no figure for the first target."""
    made = [
        Target(
            number=22 + i,
            label=LABELS[i % 2] + ("" if i < 2 else f"（{i + 1}）"),
            measure="家" if i % 2 == 0 else "亿元",
            value=Decimal(1) if i % 2 == 0 else Decimal("3.5"),
        )
        for i in range(targets)
    ]
    rows = []
    for n in range(counties):
        name = "城乡一体化示范区管委会" if n == 3 else f"第{n + 1}县"
        row = CountyScore(Unit(name=name, sort_order=n), owed=8, on_time=8 - n % 3)
        row.late = n % 3
        row.rank = n + 1
        for i, target in enumerate(made):
            value = None if (n == counties - 1 and i == 0) else Decimal(n) / 3 + Decimal("0.5")
            row.targets.append(TargetScore(target, value, target.value, bool(value and n > 4)))
        rows.append(row)
    return rows


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


@pytest.fixture
def sheet():
    return sheet_of(scoreboard_workbook(made_rows(2), 2024, as_of=AS_OF))


def table_bottom(sheet) -> int:
    """The last row of the table: the row before the blank one."""
    row = FIRST_BODY_ROW
    while sheet.cell(row=row + 1, column=1).value is not None:
        row += 1
    return row


def header_names(sheet) -> list[str]:
    return [c.value for c in sheet[2]]


def width_share(sheet) -> float:
    """The share of its width the table must be printed at to go across A4 landscape inside
    the side margins, at most 1 (Excel: a column w characters wide is 7w + 5 pixels at 96
    dpi)."""
    margins = sheet.page_margins
    room = (297 / 25.4 - margins.left - margins.right) * 96
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[2]]
    return min(1.0, room / sum(7 * w + 5 for w in widths))


def printed_scale(sheet) -> float:
    """The scale the sheet prints at: fitted to the width, or its own scale."""
    if sheet.sheet_properties.pageSetUpPr.fitToPage:
        return width_share(sheet)
    return sheet.page_setup.scale / 100


def test_every_cell_of_the_table_is_bordered(sheet):
    for row in sheet.iter_rows(min_row=2, max_row=table_bottom(sheet)):
        for cell in row:
            sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
            assert all(side.style == "thin" for side in sides), cell.coordinate


def test_the_header_row_is_as_tall_as_its_longest_wrapped_label(sheet):
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[2]]
    lines = max(
        wrapped_lines(name, text_room(width))
        for name, width in zip(header_names(sheet), widths, strict=True)
    )
    assert lines >= 2  # the targets' labels do wrap
    assert sheet.row_dimensions[2].height >= height_of(lines)
    assert all(cell.alignment.wrap_text and cell.font.b for cell in sheet[2])


def test_every_body_row_has_a_height_for_its_text(sheet):
    for row in range(FIRST_BODY_ROW, table_bottom(sheet) + 1):
        assert sheet.row_dimensions[row].height >= height_of(1), row


def test_the_title_is_merged_over_the_table_in_16_point_bold(sheet):
    columns = len(header_names(sheet))
    assert f"A1:{get_column_letter(columns)}1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A1"].font.sz == 16 and sheet["A1"].font.b
    assert sheet["A1"].alignment.horizontal == "center"


def test_each_column_has_one_number_format_for_its_unit(sheet):
    names = header_names(sheet)
    expected = {"应报项数": "0", "按时报送": "0", "逾期报送": "0", "按时报送率": "0.0%",
                "综合得分": "0.0"}  # fmt: skip
    expected |= {n: "#,##0.00" for n in names if n.endswith("（亿元）")}
    expected |= {n: "0" for n in names if n.endswith("（家）")}
    assert len(expected) == 7  # both targets' value columns are checked
    for column, name in enumerate(names, start=1):
        if name not in expected:
            continue
        cells = [
            sheet.cell(row=row, column=column)
            for row in range(FIRST_BODY_ROW, table_bottom(sheet) + 1)
        ]
        assert {c.number_format for c in cells} == {expected[name]}, name
        numbers = [c.value for c in cells if c.value != "—"]
        assert numbers and all(isinstance(v, int | float) for v in numbers), name
    assert sheet.cell(row=table_bottom(sheet), column=7).value == "—"  # no figure: a dash


def test_yes_and_no_are_centred(sheet):
    columns = [i for i, name in enumerate(header_names(sheet), start=1) if name == "是否达标"]
    assert len(columns) == 2
    for column in columns:
        for row in range(FIRST_BODY_ROW, table_bottom(sheet) + 1):
            cell = sheet.cell(row=row, column=column)
            assert cell.value in {"是", "否"} and cell.alignment.horizontal == "center"


def test_under_the_table_a_blank_row_then_the_scoring_rule_and_the_data_date(sheet):
    bottom = table_bottom(sheet)
    assert all(c.value is None for c in sheet[bottom + 1])
    notes = [sheet.cell(row=r, column=1) for r in range(bottom + 2, sheet.max_row + 1)]
    text = "".join(c.value for c in notes)
    assert "综合得分 = 40 × 按时报送率 + 60 × 各项指标完成程度的平均" in text
    assert "最高计100%" in text and "按时报送率 = 按时报送项数 ÷ 应报项数" in text
    assert "每年的流量指标（1—N月累计）按数值截至日期占全年的比例折算当年要求" in text
    assert notes[-1].value == "数据截至2026年3月1日。"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    width = sum(sheet.column_dimensions[c.column_letter].width for c in sheet[2])
    last = sheet[2][-1].column_letter
    for note in notes:
        assert f"A{note.row}:{last}{note.row}" in merged
        assert note.alignment.wrap_text
        lines = wrapped_lines(note.value, text_room(width))
        assert sheet.row_dimensions[note.row].height >= height_of(lines), note.row


def test_it_prints_on_a4_landscape_at_90_percent_or_more_with_the_title_and_header_repeated(
    sheet,
):
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9  # A4
    assert width_share(sheet) == 1.0 and not sheet.sheet_properties.pageSetUpPr.fitToPage
    # a little under 100 %, so that the 18 counties and the notes under them share a page
    assert 90 <= setup.scale < 100
    assert sheet.print_title_rows in {"1:2", "$1:$2"}
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.oddHeader.left.text == "2024年度县市区考核评比　数据截至2026年3月1日"
    assert not sheet.oddHeader.right.text  # not demonstration data
    assert "演示数据" not in sheet["A1"].value


@pytest.mark.parametrize("targets", [1, 3, 4])
def test_more_targets_still_print_across_the_page_with_text_of_at_least_9_points(targets):
    sheet = sheet_of(scoreboard_workbook(made_rows(targets), 2024, as_of=AS_OF))
    assert printed_scale(sheet) >= 9 / 10.5
    if width_share(sheet) < 1:
        setup = sheet.page_setup
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    else:
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage


def test_demonstration_data_is_marked_on_every_page_under_the_table_and_in_the_file():
    content = scoreboard_workbook(made_rows(2), 2024, as_of=AS_OF, demo=True)
    sheet = sheet_of(content)
    assert sheet.oddHeader.right.text == DEMO_MARK
    assert sheet.cell(row=sheet.max_row, column=1).value == f"数据截至2026年3月1日。{DEMO_MARK}。"
    assert load_workbook(io.BytesIO(content)).properties.subject == DEMO_MARK


@pytest.fixture
def demo(plan):
    return seed_demo(plan=plan, seed=3, today=AS_OF)


def downloaded(client, user) -> bytes:
    client.force_login(user)
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        response = client.get(reverse("dashboards:scoreboard"), {"year": 2024, "format": "xlsx"})
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db
def test_the_download_states_the_day_of_its_figures_and_marks_demonstration_data(
    client, leader, demo
):
    sheet = sheet_of(downloaded(client, leader))
    assert "数据截至2026年3月1日" in sheet.oddHeader.left.text
    assert sheet.oddHeader.right.text == DEMO_MARK
    assert sheet.cell(row=sheet.max_row, column=1).value.startswith("数据截至2026年3月1日。")


@pytest.mark.django_db
@pytest.mark.office
def test_the_printed_scoreboard_is_one_a4_landscape_page_with_nothing_cut(
    tmp_path, client, leader, plan, demo
):
    path = tmp_path / "scoreboard.xlsx"
    path.write_bytes(downloaded(client, leader))
    pdf = to_pdf(path)
    pages, size = pdf_pages(pdf)
    assert size == pytest.approx(A4_LANDSCAPE, abs=0.5)
    assert pages == 1
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert "综合得分=40×按时报送率+60×各项指标完成程度的平均" in text
    assert "数据截至2026年3月1日" in text and DEMO_MARK in text and "第1页共1页" in text
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        counties = [row.unit.name for row in county_scoreboard(plan, 2024)]
    assert len(counties) == 18
    for name in counties:
        assert name in text, name
    for name, sheet in measured_rows(path).items():
        assert sheet["cells"] > 18 * 11, name
        assert sheet["clipped"] == [], (name, sheet["clipped"][:5])
