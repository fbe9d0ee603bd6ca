import datetime as dt
import os
import re

import docx
import pytest

from tasks.ledger_files import read_ledger
from tasks.plan_text import (
    PlanTextError,
    SectionFound,
    find_sections,
    plan_facts,
    read_plan_text,
    sections_of_tasks,
)
from tests.ledger_builders import (
    PLANS,
    add_table,
    as_read,
    docx_bytes,
    ledger,
    plan_data,
    plan_text,
)

BOTH = pytest.mark.parametrize("plan", list(PLANS))
FACTS = ("title", "doc_number", "issuer", "issued_on", "period_start", "period_end", "period_label")


def as_dicts(sections: list[SectionFound]) -> list[dict]:
    return [
        {"number": s.number, "numeral": s.numeral, "title": s.title, "units_text": s.units_text}
        for s in sections
    ]


@BOTH
def test_it_finds_the_sections_of_the_key_tasks_as_the_plan_data_gives_them(plan):
    assert as_dicts(find_sections(plan_text(plan))) == plan_data(plan)["sections"]


def test_a_half_width_numeral_in_the_text_is_given_full_width():
    text = plan_text("innovation-2022")
    assert "(一) 加强科技攻关" in text  # as the plan writes its first section
    assert find_sections(text)[0].numeral == "（一）"


@BOTH
def test_each_task_is_placed_in_the_section_whose_text_mentions_it(plan):
    text, rows = plan_text(plan), ledger(plan)
    titles = {row["number"]: row["title"] for row in rows}
    found = sections_of_tasks(text, find_sections(text), titles)
    assert found == {row["number"]: row["section"] for row in rows}


def test_a_task_the_text_does_not_mention_takes_the_section_of_the_task_before_it():
    text = plan_text("innovation-2022")
    # The 台账 rewords 三（二）'s title (the 附件 holds the 台账)
    assert "实施创新型引领企业标杆行动" not in text.split("附件：")[0]
    titles = {5: "实施科技型中小企业“春笋”计划", 6: "实施创新型引领企业标杆行动",
              7: "加快高能级创新平台建设"}  # fmt: skip
    assert sections_of_tasks(text, find_sections(text), titles) == {5: 2, 6: 2, 7: 3}


def test_a_first_task_no_section_mentions_goes_to_the_first_section():
    text = plan_text("digital-2026")
    titles = {1: "无此任务", 2: "发展智慧农业"}
    assert sections_of_tasks(text, find_sections(text), titles) == {1: 1, 2: 3}


def test_a_title_broken_by_a_page_break_in_the_text_is_still_found():
    text = "三、重点任务\n\n（一）第一部分\n\n开展甲乙\n\n丙丁工作。（责任单位：市科技局）\n\n（二）第二部分\n\n其他。\n\n四、保障措施"
    sections = find_sections(text)
    assert [(s.title, s.units_text) for s in sections] == [
        ("第一部分", "市科技局"),
        ("第二部分", ""),
    ]
    assert sections_of_tasks(text, sections, {1: "其他", 2: "甲乙丙丁"}) == {1: 2, 2: 1}


def test_sections_stop_at_the_next_part_and_a_heading_running_into_its_paragraph_is_cut():
    text = (
        "三、主要任务\n（一）加强组织。成立小组。（牵头单位：市数据局）\n"
        "（三）不是下一节\n（二）完善政策\n四、保障措施\n（三）加强考核。"
    )
    assert as_dicts(find_sections(text)) == [
        {"number": 1, "numeral": "（一）", "title": "加强组织", "units_text": "市数据局"},
        {"number": 2, "numeral": "（二）", "title": "完善政策", "units_text": ""},
    ]


@BOTH
def test_the_facts_for_the_onboarding_form_are_those_of_the_plan_data(plan):
    facts = plan_facts(plan_text(plan))
    data = plan_data(plan)
    expected = {
        name: dt.date.fromisoformat(data[name])
        if name in ("issued_on", "period_start", "period_end")
        else data[name]
        for name in FACTS
    }
    assert {name: getattr(facts, name) for name in FACTS} == expected


def test_the_title_is_the_plans_own_not_the_notices():
    text = plan_text("innovation-2022")
    assert "关于印发《南阳市实施产业强市行动工作方案》" in text
    assert plan_facts(text).title == "南阳市实施创新创业行动工作方案"


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("关于加快发展的实施方案（2026—2030年）\n到2028年，完成。", "2026-01-01", "2030-12-31", ""),
        ("某某行动方案\n二、主要目标\n到2030年，“十五五”期间。", "2026-01-01", "2030-12-31",
         "“十五五”期间"),
        ("某某行动方案\n“十四五”期间成效显著。\n二、主要目标\n到2030年，“十五五”末。",
         "2026-01-01", "2030-12-31", "“十五五”期间"),
        ("某某行动方案\n“十四五”期间要完成。", "2021-01-01", "2025-12-31", "“十四五”期间"),
        ("某某行动方案\n二、主要目标\n到2027年底完成。", None, "2027-12-31", ""),
        ("某某行动方案\n“十四五”期间成效显著。\n二、主要目标\n到2027年底完成。", None,
         "2027-12-31", ""),
    ],
)  # fmt: skip
def test_the_period_is_read_from_the_title_the_five_year_plan_and_its_end_year(
    text, start, end, label
):
    facts = plan_facts(text)
    assert (facts.period_start, facts.period_end, facts.period_label) == (
        start and dt.date.fromisoformat(start), dt.date.fromisoformat(end), label
    )  # fmt: skip


def test_a_date_in_chinese_numerals_and_a_header_without_a_notice_title():
    facts = plan_facts(
        "南阳市数据局文件\n宛数〔2025〕3号\n某某工作方案\n正文。\n二〇二五年十一月三日"
    )
    assert (facts.issuer, facts.doc_number, facts.issued_on, facts.title) == (
        "南阳市数据局", "宛数〔2025〕3号", dt.date(2025, 11, 3), "某某工作方案"
    )  # fmt: skip


def test_a_text_with_nothing_to_go_on_gives_empty_facts():
    facts = plan_facts("正文。")
    assert facts.title == facts.doc_number == facts.issuer == facts.period_label == ""
    assert facts.issued_on is facts.period_start is facts.period_end is None


# The text of a plan as offices send it.


def plan_docx(plan: str) -> bytes:
    """The plan as a Word document: each paragraph of its text, and its 台账 as Word tables
    (each page's header line starting a new table), as offices receive it."""
    document, table = docx.Document(), None
    for block in re.split(r"\n\s*\n", plan_text(plan)):
        lines = [line.split("\t") for line in block.split("\n") if line.strip()]
        if lines and len(lines[0]) > 1:
            table = add_table(document, lines)
        elif lines:
            document.add_paragraph(block.strip())
    assert table is not None
    return docx_bytes(document)


@BOTH
def test_a_word_plan_reads_as_its_text_with_the_ledger_tables_as_tab_lines(plan):
    text = read_plan_text("方案.docx", plan_docx(plan))
    assert as_dicts(find_sections(text)) == plan_data(plan)["sections"]
    assert plan_facts(text) == plan_facts(plan_text(plan))
    assert as_read(read_ledger("方案.txt", text.encode())) == as_read(ledger(plan))
    assert "\n\n序号\t重点任务\t责任单位\t" in text


def test_a_word_table_cell_of_several_paragraphs_reads_on_one_line():
    document = docx.Document()
    table = add_table(document, [["序号", "推进措施"], ["1", ""]])
    table.cell(1, 1).text = "第一段\n第二段"
    text = read_plan_text("方案.docx", docx_bytes(document))
    assert text.splitlines()[-1] == "1\t第一段 第二段"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_a_text_plan_is_read_in_the_encodings_offices_save(encoding):
    text = plan_text("innovation-2022")
    assert read_plan_text("方案.txt", text.encode(encoding)) == text
    assert text.encode("gb18030") != text.encode("utf-8")  # the test would see a wrong guess


def test_windows_line_endings_are_read_as_lines():
    assert read_plan_text("方案.TXT", "一\r\n二\r\n".encode("gb18030")) == "一\n二\n"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("方案.docx", os.urandom(1000), "无法打开Word文件"),
        ("方案.pdf", b"%PDF-1.4", "不支持的文件类型“方案.pdf”"),
        ("方案.doc", b"\xd0\xcf\x11\xe0", "另存为.docx"),
        ("方案.txt", "正文".encode("utf-16"), "无法识别文本文件的编码"),
    ],
)
def test_a_file_it_cannot_read_is_refused_with_a_message_for_the_admin(name, data, says):
    with pytest.raises(PlanTextError) as raised:
        read_plan_text(name, data)
    assert says in str(raised.value)
