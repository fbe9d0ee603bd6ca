"""季度通报: the Word document a background job writes for the plan office and leaders — laid
out as a Chinese official document (GB/T 9704), every figure the one 总览 and the scoreboard
page show for the same date."""

import datetime as dt
import io
import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dashboards import dashboard
from dashboards.briefing import gather_briefing
from dashboards.exporting import run_export
from dashboards.models import ExportJob
from dashboards.scoreboard import SCORE_RULE, county_scoreboard
from demo.seeding import seed_demo
from tasks.models import Plan
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 1, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))  # Q4 2025 is past due
START = reverse("dashboards:export-start")
OVERVIEW = reverse("dashboards:overview")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADINGS = [
    "一、目标指标完成情况",
    "二、重点任务推进情况",
    "三、各单位报送情况",
    "四、县市区考核评比",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(plan):
    with time_machine.travel(NOW, tick=False):
        seed_demo(plan=plan, seed=3, today=NOW.date())


def ask(client, user, period, callbacks):
    """Ask for the period's 通报 as `user` on NOW, the job run as the request commits."""
    client.force_login(user)
    with time_machine.travel(NOW, tick=False), callbacks(execute=True):
        return client.post(START, {"kind": "briefing", "period": period.pk})


def fetch(client, user, period, callbacks):
    """The 通报 `user` asked for and downloaded, opened with python-docx."""
    assert ask(client, user, period, callbacks).status_code == 302
    job = ExportJob.objects.get(requested_by=user)
    assert (job.kind, job.status, job.error) == ("briefing", "done", "")
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("dashboards:export-download", args=[job.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return SimpleNamespace(
        job=job, response=response, content=content, document=Document(io.BytesIO(content))
    )


@pytest.fixture(params=[(2025, 4), (2024, 2)], ids=["2025-q4", "2024-q2"])
def quarter(request, plan):
    """The last quarter of the plan (final verdicts: 达成, 未达成) and one in its middle (预警,
    滞后)."""
    return f.period(plan, *request.param)


@pytest.fixture
def briefing(client, admin_user, plan, demo, django_capture_on_commit_callbacks):
    """The 2025年第四季度 通报 an admin asked for on 20 January 2026."""
    return fetch(client, admin_user, f.period(plan, 2025, 4), django_capture_on_commit_callbacks)


@pytest.fixture(scope="module")
def written(django_db_setup, django_db_blocker, tmp_path_factory):
    """The same 通报 as the export job writes it, and what it was gathered from: built once, in
    a transaction rolled back, for the tests that read only the file."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        plan = Plan.objects.get(code="innovation-2022")
        seed_demo(plan=plan, seed=3, today=NOW.date())
        period = f.period(plan, 2025, 4)
        job = ExportJob.objects.create(
            plan=plan, period=period, kind=ExportJob.Kind.BRIEFING, filename="通报.docx",
            requested_by=get_user_model().objects.create_user("briefing-layout"),
        )  # fmt: skip
        assert run_export(job.pk).status == "done"
        with ExportJob.objects.get(pk=job.pk).file.open("rb") as handle:
            content = handle.read()
        gathered = gather_briefing(plan, period, period.ends_on)
        transaction.set_rollback(True)
    return SimpleNamespace(
        content=content, document=Document(io.BytesIO(content)), gathered=gathered
    )


# Reading the document and the pages -------------------------------------------------------


def body(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def tables(document) -> list[list[list[str]]]:
    """Each table's rows as cell texts, a merged cell once."""
    found = []
    for table in document.tables:
        rows = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if not cells or cell._tc is not cells[-1][0]:
                    cells.append((cell._tc, cell.text))
            rows.append([text for _, text in cells])
        found.append(rows)
    return found


def after(lines: list[str], heading: str) -> list[str]:
    """The paragraphs under `heading` up to the next heading of either level."""
    start = lines.index(heading) + 1
    end = next(
        (
            i
            for i in range(start, len(lines))
            if re.match(r"^([一二三四五]、|（[一二三四]）)", lines[i])
        ),
        len(lines),
    )
    return lines[start:end]


class Cells(HTMLParser):
    """Every table row of a page as {data-label: text}, and the text of the first
    `status-…` badge in each cell; the status cards as (class, count, label)."""

    def __init__(self, page: str):
        super().__init__()
        self.rows, self.cards, self.badges = [], [], []
        self._cell = self._card = self._badge = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({})
            self.badges.append({})
        elif tag == "td" and "data-label" in attrs:
            self._cell = attrs["data-label"]
            self.rows[-1][self._cell] = ""
        elif tag == "li" and "status-card" in attrs.get("class", ""):
            self._card = [attrs["class"].split()[1], "", ""]
        elif tag == "span" and self._cell and attrs.get("class", "").startswith("status "):
            self._badge = self._cell
            self.badges[-1][self._badge] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        elif tag == "li" and self._card:
            self.cards.append((self._card[0], int(self._card[1]), self._card[2].strip()))
            self._card = None
        elif tag == "span":
            self._badge = None

    def handle_data(self, data):
        if self._cell:
            self.rows[-1][self._cell] += data
        if self._badge:
            self.badges[-1][self._badge] += data
        if self._card is not None:
            self._card[1 if self._card[1] == "" and data.strip().isdigit() else 2] += data

    def table(self, key: str) -> list[tuple[dict, dict]]:
        return [
            ({k: " ".join(unescape(v).split()) for k, v in row.items()}, badge)
            for row, badge in zip(self.rows, self.badges, strict=True)
            if key in row
        ]


def overview_page(client, user, period):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(OVERVIEW, {"as_of": period.pk})
    assert response.status_code == 200
    return Cells(response.content.decode())


# The job, the file, who may have it -------------------------------------------------------


def test_an_admin_gets_the_quarterly_briefing_as_a_word_document(briefing):
    assert briefing.job.filename == "南阳市创新创业行动推进情况通报（2025年第四季度）.docx"
    assert briefing.job.file.name.endswith(".docx")
    assert briefing.response["Content-Type"] == DOCX
    assert "filename*=utf-8''%E5%8D%97%E9%98%B3" in briefing.response["Content-Disposition"]
    assert briefing.content[:2] == b"PK"
    lines = body(briefing.document)
    assert lines[:3] == [
        "南阳市创新创业行动推进情况通报",
        "（2025年第四季度）",
        "数据截至2025年12月31日",
    ]
    assert briefing.document.core_properties.title == (
        "南阳市创新创业行动推进情况通报（2025年第四季度）"
    )
    assert briefing.document.core_properties.author == ""  # not python-docx's


@pytest.mark.parametrize("role", ["staff_county", "staff_kjj"])
def test_a_reporter_may_not_ask_for_a_briefing(
    client, plan, role, request, django_capture_on_commit_callbacks
):
    reporter = request.getfixturevalue(role)
    response = ask(client, reporter, f.period(plan, 2025, 4), django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("role", ["leader", "reviewer", "admin_user"])
def test_leaders_reviewers_and_admins_ask_for_and_download_the_briefing(
    client, plan, role, request, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(role)
    got = fetch(client, user, f.period(plan, 2025, 4), django_capture_on_commit_callbacks)
    assert got.response["Content-Type"] == DOCX
    assert body(got.document)[0] == "南阳市创新创业行动推进情况通报"
    # No demonstration data in this database: nothing says 演示数据.
    headers = [p.text for s in got.document.sections for p in s.header.paragraphs]
    assert "演示数据" not in "".join(headers) + "".join(body(got.document))


def test_a_briefing_that_fails_says_so_on_the_export_page(
    client, admin_user, plan, monkeypatch, django_capture_on_commit_callbacks
):
    from dashboards import exporting

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(exporting, "write_briefing", broken)
    ask(client, admin_user, f.period(plan, 2025, 4), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == "failed" and "磁盘已满" in job.error


# The layout -------------------------------------------------------------------------------


def near(length, mm: float) -> bool:
    return abs(length - Mm(mm)) < Mm(0.1)


def east_asia(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_pages_are_a4_with_the_margins_of_an_official_document(written):
    first, *annexes = written.document.sections
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert near(first.page_width, 210) and near(first.page_height, 297)
    margins = (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    assert all(near(m, mm) for m, mm in zip(margins, (37, 35, 28, 26), strict=True))
    assert len(annexes) == 2  # 附件1 and 附件2, each on landscape A4 pages, the 版心 turned
    for section in annexes:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert near(section.page_width, 297) and near(section.page_height, 210)
        assert near(section.top_margin, 28) and near(section.left_margin, 37)


def test_the_title_body_and_headings_have_their_fonts_and_sizes(written):
    styles = written.document.styles
    expected = {
        "公文标题": ("方正小标宋简体", 22),
        "公文正文": ("仿宋_GB2312", 16),
        "一级标题": ("黑体", 16),
        "二级标题": ("楷体_GB2312", 16),
        "表格文字": ("仿宋_GB2312", 10.5),
        "表头文字": ("黑体", 10.5),
    }
    for name, (font, size) in expected.items():
        style = styles[name]
        assert (east_asia(style), style.font.size) == (font, Pt(size)), name
        assert style.element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None, name
    for name in ("公文正文", "一级标题", "二级标题"):
        spacing = styles[name].paragraph_format
        assert spacing.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert Pt(28) <= spacing.line_spacing <= Pt(29), name
        assert spacing.first_line_indent == Pt(32), name  # 首行缩进二字
    # The fonts come from the styles: no run of the body names a font or size of its own.
    paragraphs = written.document.paragraphs
    for paragraph in paragraphs:
        for run in paragraph.runs:
            assert run.font.size is None and run._r.rPr is None, paragraph.text
    assert paragraphs[0].style.name == "公文标题"
    headings = [p.text for p in paragraphs if p.style.name == "一级标题"]
    assert headings == HEADINGS
    subheadings = [p.text for p in paragraphs if p.style.name == "二级标题"]
    assert subheadings and all(re.match(r"^（[一二三四]）\S", t) for t in subheadings)
    assert "附件：1．目标指标完成情况表" in body(written.document)
    assert "2．2025年度县市区考核评比表" in body(written.document)


def test_every_page_has_its_number_between_dashes_and_says_demonstration_data(written):
    document = written.document
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert 'w:fldCharType="begin"' in xml and "<w:instrText" in xml
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
        assert footer.paragraphs[0].text.startswith("— ")
        assert footer.paragraphs[0].text.endswith(" —")
    for header in (section.header, section.even_page_header):
        assert header.paragraphs[0].text == "演示数据"
    assert all(s.footer.is_linked_to_previous for s in document.sections[1:])
    assert "本通报由演示数据生成，数字不反映真实工作情况，不得印发。" in body(document)


def test_the_annex_tables_have_borders_a_repeated_header_and_readable_type(written):
    document = written.document
    assert len(document.tables) == 2
    for table in document.tables:
        properties = table._tbl.tblPr
        borders = properties.find(qn("w:tblBorders"))
        assert {b.get(qn("w:val")) for b in borders} == {"single"}
        assert len(borders) == 6  # around and between every cell
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        later = [row._tr.trPr for row in table.rows[1:]]
        assert all(p is None or p.find(qn("w:tblHeader")) is None for p in later)
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    assert paragraph.style.font.size >= Pt(10.5)
                    assert all(r.font.size is None for r in paragraph.runs)
    targets, scoreboard = tables(document)
    assert targets[0] == ["序号", "指标", "目标", "当前值", "按进度应达", "完成率", "状态", "依据"]
    assert len([row for row in targets if row[0].isdigit()]) == 30
    assert scoreboard[0][:3] == ["名次", "县市区", "按时报送率"]


# The figures: the pages' own ----------------------------------------------------------------


def test_every_target_figure_is_the_one_the_overview_shows_for_that_date(
    client, admin_user, leader, plan, demo, quarter, django_capture_on_commit_callbacks
):
    document = fetch(client, admin_user, quarter, django_capture_on_commit_callbacks).document
    page = overview_page(client, leader, quarter)
    day = f"{quarter.ends_on:%Y年%-m月%-d日}"
    lines = body(document)
    assert f"数据截至{day}" in lines

    # The status cards of 总览, in their order, are the 通报's count.
    cards = [(code.removeprefix("status-"), n, label) for code, n, label in page.cards
             if code.startswith("status-")]  # fmt: skip
    assert sum(n for _, n, _ in cards) == 30
    counts = "，".join(f"{label}{n}项" for _, n, label in cards)
    assert f"方案确定的30项目标指标，截至{day}：{counts}。" in " ".join(lines)

    # Each target's 目标, 当前值, 按进度应达, 完成率 and 状态 in 附件1 are the page's cells.
    on_page, labels = {}, {}
    for row, badge in page.table("指标"):
        number, labels[number] = row["指标"].split(". ", 1)
        on_page[number] = (row["目标"], row["当前值"], row["按进度应达"], row["完成率"],
                           badge["状态"].strip())  # fmt: skip
    annex = {row[0]: tuple(row[2:7]) for row in tables(document)[0] if row[0].isdigit()}
    assert len(on_page) == 30 and annex == on_page

    # Those off track are named in the body with their figures, the worst first.
    off_track = [(n, v) for n, v in on_page.items() if v[4] in ("预警", "滞后", "未达成")]
    assert off_track  # both quarters have some: the test reads them
    named = [line for line in lines if re.match(r"^\d+．", line) and "依据：" in line]
    assert len(named) == len(off_track)
    rank = {"未达成": 0, "滞后": 1, "预警": 2}
    ordered = sorted(off_track, key=lambda item: (rank[item[1][4]], int(item[0])))
    for line, (number, (goal, current, *_rest, status)) in zip(named, ordered, strict=True):
        assert line.split("．", 1)[1].startswith(f"{labels[number]}："), line
        assert f"目标{goal.replace(' ', '')}" in line and status in line
        shown = current.replace(" ", "")
        assert f"当前{shown}" in line or shown in line, line  # a county target: 3/18 个县市区达标


def test_the_lagging_tasks_and_the_units_behind_them_are_the_overviews(
    client, admin_user, leader, plan, demo, quarter, django_capture_on_commit_callbacks
):
    document = fetch(client, admin_user, quarter, django_capture_on_commit_callbacks).document
    page = overview_page(client, leader, quarter)
    lines = body(document)
    cards = [(label, n) for code, n, label in page.cards if code.startswith("task-")]
    counts = "，".join(f"{label}{n}项" for label, n in cards)
    assert f"方案22项重点任务，{quarter.label}：{counts}。" in lines
    with time_machine.travel(NOW, tick=False):
        lagging = dashboard.overview(plan, quarter.ends_on).lagging_tasks  # what the page lists
    listed = after(lines, "（一）滞后任务及原因")
    assert lagging and len(listed) == len(lagging)
    for line, (task, lag) in zip(listed, lagging, strict=True):
        assert line.startswith(f"{listed.index(line) + 1}．任务{task.number}　{task.title}：")
        for unit in lag.reported_lagging:
            assert unit.name in line.split("报告滞后")[0], line
        for unit in lag.not_reported:
            assert unit.name in line.split("报告滞后")[-1], line


def test_the_late_and_missing_units_are_the_overviews(
    client, admin_user, leader, plan, demo, quarter, django_capture_on_commit_callbacks
):
    document = fetch(client, admin_user, quarter, django_capture_on_commit_callbacks).document
    rows = [row for row, _ in overview_page(client, leader, quarter).table("单位")]
    lines = body(document)
    late = sorted((r for r in rows if r["逾期"] != "0"),
                  key=lambda r: (-int(r["逾期"]), f.unit(r["单位"]).sort_order))  # fmt: skip
    missing = [r for r in rows if r["未报"] != "0"]  # the page's order: most missing first
    assert late and missing  # the demonstration data has both
    assert after(lines, "（一）逾期报送的单位") == [
        "、".join(f"{r['单位']}{r['逾期']}项" for r in late) + "。"
    ]
    assert after(lines, "（二）尚未报送的单位") == [
        "、".join(f"{r['单位']}{r['未报']}项" for r in missing) + "。"
    ]
    total = {key: sum(int(r[key]) for r in rows) for key in ("应报", "按时", "逾期", "未报")}
    assert (
        f"{len(rows)}个单位应报送{total['应报']}项，按时报送{total['按时']}项，"
        f"逾期报送{total['逾期']}项，尚未报送{total['未报']}项。"
    ) in " ".join(lines)


def test_the_county_ranking_is_the_scoreboards(client, leader, plan, briefing):
    client.force_login(leader)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("dashboards:scoreboard"), {"year": 2025})
        ranked = county_scoreboard(plan, 2025)
    page = [row for row, _ in Cells(response.content.decode()).table("名次")]
    annex = tables(briefing.document)[1][1:]
    assert [row[:3] for row in annex] == [[r["名次"], r["县市区"], r["按时报送率"]] for r in page]
    assert [row[-1] for row in annex] == [r["综合得分"] for r in page]
    assert [row[1] for row in annex] == [s.unit.name for s in sorted(ranked, key=lambda s: s.rank)]
    assert len(annex) == 18
    best, worst = ranked[:3], ranked[-3:]
    sentence = "综合得分前三名：{}；后三名：{}。各县市区得分见附件2。".format(
        "、".join(f"{s.unit.name}（{s.score}分）" for s in best),
        "、".join(f"{s.unit.name}（{s.score}分）" for s in worst),
    )
    assert sentence in body(briefing.document)
    # Ranked as the page ranks, on the day the 通报 is made, by the scoreboard's own rule.
    notes = [p.text for p in briefing.document.paragraphs if p.text.startswith("注：")]
    assert notes == [f"注：按2026年1月20日审核通过的数据评比。{SCORE_RULE}"]
    assert "按2026年1月20日审核通过的数据评比。" in " ".join(body(briefing.document))


def test_the_briefing_states_what_its_verdicts_rest_on(written):
    content = written.gathered
    stated = "、".join(f"{n}项依据{label}数" for label, n in content.qualities)
    assert stated and stated in " ".join(body(written.document))
    assert sum(n for _, n in content.qualities) == 30  # every target's data has a quality here
    bases = {row[0]: row[7] for row in tables(written.document)[0] if row[0].isdigit()}
    assert bases == {str(t.number): t.basis for t in content.targets}


# In LibreOffice ----------------------------------------------------------------------------


@pytest.mark.office
def test_libreoffice_prints_the_briefing_on_a4_with_its_title_sections_and_targets_off_track(
    written, tmp_path
):
    """Marked `office`: skipped without LibreOffice and poppler, failed with CI=true
    (tests/conftest.py)."""
    path = tmp_path / "briefing.docx"
    path.write_bytes(written.content)
    subprocess.run(
        ["soffice", "--headless", "-env:UserInstallation=file:///tmp/lo-profile-briefing",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "briefing.pdf"
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert len(sizes) >= 4
    for number, width, height in sizes:
        short, long = sorted((float(width), float(height)))
        assert round(short) == 595 and round(long) == 842, number  # A4, either way up
    assert float(sizes[0][1]) < float(sizes[0][2])  # the body's pages stand upright
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = "".join(text.split())  # a name may wrap at the end of a line
    assert "南阳市创新创业行动推进情况通报" in flat and "数据截至2025年12月31日" in flat
    for heading in (*HEADINGS, "附件1", "附件2"):
        assert heading in flat, heading
    assert "—1—" in flat and "—2—" in flat
    assert written.gathered.off_track
    for line in written.gathered.off_track:
        assert "".join(line.label.split()) in flat, line.label
