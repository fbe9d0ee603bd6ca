"""The 台账 export printed as a user's office suite prints it: LibreOffice turns the workbook
into a PDF, and measures every cell's text against its row (tests/office.py)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboards.excel import DEMO_MARK, LEDGER_HEADER
from dashboards.exporting import ledger_rows, write_export
from dashboards.ledger_pages import LAYOUTS
from dashboards.models import ExportJob
from demo.seeding import seed_demo
from tasks.models import Task
from tests import factories as f
from tests.office import measured_rows, pdf_pages, pdf_text, to_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.office]
SHANGHAI = ZoneInfo("Asia/Shanghai")
A4_LANDSCAPE, A3_LANDSCAPE = (841.9, 595.3), (1190.6, 841.9)


@pytest.fixture
def demo(plan):
    seed_demo(plan=plan, seed=3, today=dt.date(2026, 3, 1))


def export(tmp_path, plan, layout, unit=None):
    job = ExportJob(
        plan=plan, period=f.period(plan, 2025, 4), unit=unit, layout=layout, kind="ledger"
    )
    path = tmp_path / f"ledger-{layout}-{unit.pk if unit else 'all'}.xlsx"
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        with path.open("wb") as stream:
            write_export(job, stream)
    return path


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("layout", "unit_name", "paper"),
    [("a4", None, A4_LANDSCAPE), ("a4", "市科技局", A4_LANDSCAPE), ("a3", None, A3_LANDSCAPE)],
)
def test_the_printed_ledger_fits_its_paper_with_nothing_cut(
    tmp_path, plan, demo, layout, unit_name, paper
):
    unit = f.unit(unit_name) if unit_name else None
    path = export(tmp_path, plan, layout, unit)
    pdf = to_pdf(path)
    pages, size = pdf_pages(pdf)
    assert size == pytest.approx(paper, abs=1)
    last_column = LEDGER_HEADER[LAYOUTS[layout].columns[-1]]
    for page in range(1, pages + 1):
        text = pdf_text(pdf, page)
        # the columns fit the page's width: no page holds only the right-hand columns
        ledger_page = "序号" in text and last_column in text
        assert ledger_page or ("指标" in text and "原文" in text), page
        assert f"第 {page} 页 共 {pages} 页" in text
        assert DEMO_MARK in text and "2025年第四季度" in text
    lines = [squeezed(line) for line in pdf_text(pdf).splitlines()]
    numbers = {row.number for row in ledger_rows(plan, f.period(plan, 2025, 4), unit)}
    # every task's 推进措施 printed (pdftotext gives a merged cell's lines beside the other
    # columns' lines, so only its first line is read whole here; that nothing is cut below
    # is LibreOffice's own measure, next)
    for task in Task.objects.in_plan(plan).filter(number__in=numbers):
        assert any(squeezed(task.measures)[:6] in line for line in lines), task.number
    for name, sheet in measured_rows(path).items():
        assert sheet["clipped"] == [], (name, sheet["clipped"][:5])
        assert sheet["least_slack_pt"] >= 1, name  # a margin for other fonts


def test_a_task_longer_than_a_page_is_continued_with_its_task_repeated(tmp_path, plan, demo):
    pdf = to_pdf(export(tmp_path, plan, "a4"))
    pages, _size = pdf_pages(pdf)
    continued = [p for p in range(1, pages + 1) if "（续）" in pdf_text(pdf, p)]
    assert continued, "the tasks of every county run over a page on A4"
    titles = [squeezed(task.title) for task in Task.objects.in_plan(plan)]
    for page in continued:  # the task's own columns, its title marked, head the new page
        lines = pdf_text(pdf, page).splitlines()
        marked = next(index for index, line in enumerate(lines) if "（续）" in line)
        # the title's cell wraps: its first line is beside, its last holds the mark
        beside = squeezed("".join(lines[max(0, marked - 3) : marked + 1]))
        assert any(title[:5] in beside for title in titles), (page, lines[marked])
        assert "序号" in lines[0] + "".join(lines[:12])
