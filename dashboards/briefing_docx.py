"""The 季度通报 as a Word document in the layout of a Chinese official document (GB/T 9704—2012
党政机关公文格式): A4, 版心 156 × 225 mm (top 37, bottom 35, left 28, right 26 mm), title in 2号
小标宋, body in 3号 仿宋 at 22 lines a page, 一、 in 黑体, （一） in 楷体, page numbers "— N —" in
4号 宋体 below the 版心 (odd pages right, even pages left, one character in), 附件 after the body.
The 附件 tables are on landscape pages, the 版心 turned with the page.

Layout only: what it says comes computed from dashboards/briefing.py.

Fonts are named as government offices install them (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312,
黑体); the font table gives each an alternative that ships with Windows and WPS (宋体, 仿宋, 楷体),
with its GB2312 charset and family, which Word uses when the named font is missing. LibreOffice
ignores the alternative and takes a CJK font of its own (Noto Serif CJK here).
"""

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from dashboards.briefing import Briefing, TargetLine
from targets.templatetags.figures import in_measure

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"  # digits and Latin letters, as offices set them
# Where the named font is missing (fontTable.xml: altName, charset 86 = GB2312, family).
FALLBACKS = {
    TITLE_FONT: ("宋体", "roman", "02010600030101010101"),
    BODY_FONT: ("仿宋", "modern", "02010609030101010101"),
    KAI_FONT: ("楷体", "modern", "02010609030101010101"),
    HEI_FONT: ("SimHei", "modern", "02010609060101010101"),
    PAGE_NUMBER_FONT: ("SimSun", "auto", "02010600030101010101"),
}

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(10.5)  # 5号, the smallest a printed table may use here
# 22 lines in the 225 mm 版心 (637.8 pt): 28.9 pt a line.
LINE = Pt(28.9)
TABLE_LINE = Pt(15)
INDENT = Pt(32)  # two characters of 3号

PORTRAIT = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# The 版心 turned with the page: the binding edge (left on a portrait page) is at the top.
LANDSCAPE = {"top": 28, "bottom": 26, "left": 37, "right": 35}
# The footer's page number 7 mm below the 版心 (GB/T 9704 7.5), its line about 6 mm high.
FOOTER_GAP = 13


def write_briefing(stream, briefing: Briefing, *, demo: bool) -> None:
    """Write the 通报 as .docx to `stream`; `demo` marks every page and the first as 演示数据."""
    document = Document()
    _set_up(document, briefing, demo)
    _front(document, briefing, demo)
    _targets(document, briefing)
    _tasks(document, briefing)
    _reporting(document, briefing)
    _scoreboard(document, briefing)
    _annex_list(document, briefing)
    _target_annex(document, briefing)
    _scoreboard_annex(document, briefing)
    document.save(stream)


# The document: page, styles, fonts, header and footer ---------------------------------------


def _set_up(document, briefing: Briefing, demo: bool) -> None:
    properties = document.core_properties
    properties.title = f"{briefing.title}（{briefing.period.label}）"
    properties.subject = briefing.plan_title
    properties.author = properties.last_modified_by = ""
    properties.comments = "演示数据" if demo else ""
    _drop_thumbnail(document)
    _defaults(document)
    _styles(document)
    _font_table(document)
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    _page(section, landscape=False)
    _header_and_footer(section, demo)


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a thumbnail of its own blank page; file managers would
    show it for the 通报."""
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(r_id)


def _fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of an rPr (or a style's): the theme fonts of the template would win over
    any name given beside them, so they go."""
    rpr = element if element.tag == qn("w:rPr") else element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for name in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(name), None)
    for name, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin),
                        ("w:eastAsia", east_asia)):  # fmt: skip
        fonts.set(qn(name), value)


def _defaults(document) -> None:
    """The document's defaults: 仿宋 3号, Chinese as the East Asian language, no space after
    a paragraph."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, BODY_FONT)
    for name in ("w:sz", "w:szCs"):
        rpr.find(qn(name)).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")


def _style(document, name: str, *, font: str, size, bold=False, line=LINE, indent=INDENT,
           align=WD_ALIGN_PARAGRAPH.JUSTIFY, outline: int | None = None):  # fmt: skip
    style = document.styles.add_style(name, 1)  # WD_STYLE_TYPE.PARAGRAPH
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = size
    style.font.bold = bold
    _fonts(style.element, font)
    paragraph = style.paragraph_format
    paragraph.alignment = align
    paragraph.first_line_indent = indent
    paragraph.space_before = paragraph.space_after = Pt(0)
    paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.line_spacing = line
    paragraph.widow_control = False  # a 公文 fills its 22 lines
    if outline is not None:  # the navigation pane and a table of contents find it
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)
        paragraph.keep_with_next = True
    return style


# The styles, named as a Word user sees them in the style gallery.
BODY, TITLE, SUBTITLE, NOTICE = "公文正文", "公文标题", "公文副标题", "演示数据提示"
HEADING_1, HEADING_2, ANNEX_MARK = "一级标题", "二级标题", "附件标识"
TABLE_TEXT, TABLE_HEAD = "表格文字", "表头文字"


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _fonts(normal.element, BODY_FONT)
    _style(document, BODY, font=BODY_FONT, size=BODY_SIZE)
    # The title's lines are wider than the body's: a 2号 line needs more than 28.9 pt.
    _style(document, TITLE, font=TITLE_FONT, size=TITLE_SIZE, line=Pt(36), indent=Pt(0),
           align=WD_ALIGN_PARAGRAPH.CENTER, outline=0)  # fmt: skip
    _style(document, SUBTITLE, font=KAI_FONT, size=BODY_SIZE, indent=Pt(0),
           align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    _style(document, HEADING_1, font=HEI_FONT, size=BODY_SIZE, outline=1)
    _style(document, HEADING_2, font=KAI_FONT, size=BODY_SIZE, outline=2)
    _style(document, NOTICE, font=HEI_FONT, size=BODY_SIZE)
    _style(document, ANNEX_MARK, font=HEI_FONT, size=BODY_SIZE, indent=Pt(0),
           align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    _style(document, TABLE_TEXT, font=BODY_FONT, size=TABLE_SIZE, line=TABLE_LINE, indent=Pt(0),
           align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    _style(document, TABLE_HEAD, font=HEI_FONT, size=TABLE_SIZE, line=TABLE_LINE, indent=Pt(0),
           align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _font_table(document) -> None:
    """Add the 通报's fonts to word/fontTable.xml with their alternatives. python-docx keeps
    the font table as a plain part (no API), so its XML is rewritten here."""
    part = next(p for p in document.part.package.iter_parts()
                if p.partname == "/word/fontTable.xml")  # fmt: skip
    table = etree.fromstring(part.blob)
    for name, (alternative, family, panose) in FALLBACKS.items():
        font = etree.SubElement(table, f"{{{W}}}font", {f"{{{W}}}name": name})
        for tag, value in (("altName", alternative), ("panose1", panose), ("charset", "86"),
                           ("family", family), ("pitch", "variable")):  # fmt: skip
            etree.SubElement(font, f"{{{W}}}{tag}", {f"{{{W}}}val": value})
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(section, *, landscape: bool) -> None:
    margins = LANDSCAPE if landscape else PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(margins["bottom"] - FOOTER_GAP - 7)


def _header_and_footer(section, demo: bool) -> None:
    for header in (section.header, section.even_page_header):
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if demo:
            run = paragraph.add_run("演示数据")
            run.font.size = Pt(12)
            run.font.bold = True
            _fonts(run._r, HEI_FONT)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):  # fmt: skip
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        # 单页码居右空一字，双页码居左空一字 (GB/T 9704 7.5).
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        _page_number(paragraph)


def _page_number(paragraph) -> None:
    """— N —: the number is a PAGE field, between two 一字线."""

    def run(text: str | None = None):
        r = paragraph.add_run(text)
        r.font.size = PAGE_NUMBER_SIZE
        _fonts(r._r, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):  # fmt: skip
        r = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            r._r.append(instruction)
        else:
            r.text = text
    run(" —")


# Writing ---------------------------------------------------------------------------------


def _p(document, text: str = "", style: str = BODY):
    return document.add_paragraph(text, style=style)


def _day(day) -> str:
    return f"{day:%Y年%-m月%-d日}"


def _list(names: list[str]) -> str:
    return "、".join(names)


def _tight(figure: str) -> str:
    """1313 家 as prose writes it, 1313家: the tables keep the pages' space before a measure."""
    return figure.replace(" ", "")


def _front(document, briefing: Briefing, demo: bool) -> None:
    _p(document, briefing.title, TITLE)
    _p(document, f"（{briefing.period.label}）", SUBTITLE)
    _p(document, f"数据截至{_day(briefing.day)}", SUBTITLE)
    _p(document)
    if demo:
        _p(document, "本通报由演示数据生成，数字不反映真实工作情况，不得印发。", NOTICE)
    _p(
        document,
        f"按照《{briefing.plan_title}》“强化考核奖惩”的要求，现将{briefing.period.label}"
        "全市创新创业行动推进情况通报如下。",
    )
    basis = "、".join(f"{n}项依据{label}数" for label, n in briefing.qualities)
    stale = f"，其中{len(briefing.stale)}项数据晚于应报时间未更新" if briefing.stale else ""
    _p(
        document,
        f"本通报的数字与系统“总览”页{_day(briefing.day)}的数字一致：目标指标只计审核通过的数据"
        f"{'（' + basis + stale + '）' if basis else ''}，各项依据的数据截止日期和所缺数据见附件1；"
        "重点任务和报送情况依据各单位报送的记录。",
    )


def _targets(document, briefing: Briefing) -> None:
    _p(document, "一、目标指标完成情况", HEADING_1)
    counts = "，".join(f"{label}{n}项" for _, label, n in briefing.target_counts)
    final = "实施期已结束，以下为最终结论。" if briefing.final else ""
    _p(
        document,
        f"方案确定的{len(briefing.targets)}项目标指标，截至{_day(briefing.day)}：{counts}。{final}",
    )
    off_track = briefing.off_track
    present = {t.status: t.status_label for t in off_track}
    labels = _list(list(present.values()))
    if off_track:
        _p(document, f"（一）{labels}的指标", HEADING_2)
        for index, line in enumerate(off_track, start=1):
            _p(document, f"{index}．{_target_sentence(line)}")
    else:
        _p(document, "（一）预警、滞后和未达成的指标", HEADING_2)
        _p(document, "各项指标均无预警、滞后或未达成。")
    rest = [
        (code, label, [t for t in briefing.targets if t.status == code])
        for code, label, _n in briefing.target_counts
        if code in ("pending", "no_data", "likely")
    ]
    if any(lines for *_, lines in rest):
        _p(document, "（二）尚不能作出结论的指标", HEADING_2)
        for code, label, lines in rest:
            if lines:
                tail = {
                    "pending": "所缺数据见附件1“依据”栏",
                    "no_data": "尚无审核通过的数据",
                    "likely": "达到目标的只是预计数，待正式数据确认",
                }[code]
                names = _list([t.label for t in lines])
                _p(document, f"{label}{len(lines)}项：{names}。{tail}。")


def _target_sentence(line: TargetLine) -> str:
    if line.counties_behind:
        counties = "、".join(f"{c.name}{_tight(c.current)}" for c in line.counties_behind)
        return (
            f"{line.label}：目标{_tight(line.goal)}，{_tight(line.current)}，{line.status_label}。"
            f"未达标的县市区（最新数值）：{counties}。依据：{line.basis}。"
        )
    parts = [f"目标{_tight(line.goal)}", f"当前{_tight(line.current)}"]
    if line.expected != "—":
        parts.append(f"按进度应达{_tight(line.expected)}")
    if line.done != "—":
        parts.append(f"完成率{line.done}")
    return f"{line.label}：{'，'.join(parts)}，{line.status_label}。依据：{line.basis}。"


def _tasks(document, briefing: Briefing) -> None:
    period = briefing.reporting.label if briefing.reporting else briefing.period.label
    _p(document, "二、重点任务推进情况", HEADING_1)
    counts = "，".join(f"{label}{n}项" for _, label, n in briefing.task_counts)
    _p(document, f"方案{briefing.task_total}项重点任务，{period}：{counts}。")
    _p(document, "（一）滞后任务及原因", HEADING_2)
    if not briefing.lagging_tasks:
        _p(document, "本期无滞后任务。")
    for index, task in enumerate(briefing.lagging_tasks, start=1):
        why = []
        if task.reported_lagging:
            why.append(f"{_list(task.reported_lagging)}报告滞后")
        if task.not_reported:
            why.append(f"{_list(task.not_reported)}逾期未报送")
        _p(document, f"{index}．任务{task.number}　{task.title}：{'；'.join(why)}。")


def _reporting(document, briefing: Briefing) -> None:
    period = briefing.reporting
    heading = "三、各单位报送情况"
    _p(document, heading, HEADING_1)
    if period is None:
        _p(document, "尚无开始的填报期。")
        return
    totals = briefing.compliance_totals
    _p(
        document,
        f"{period.label}报送截止{_day(period.due_on)}。{totals['units']}个单位应报送"
        f"{totals['owed']}项，按时报送{totals['on_time']}项，逾期报送{totals['late']}项，"
        f"尚未报送{totals['missing']}项。",
    )
    _p(document, "（一）逾期报送的单位", HEADING_2)
    late = briefing.late_units
    _p(document, f"{_list([f'{r.unit.name}{r.late}项' for r in late])}。" if late else "无。")
    _p(document, "（二）尚未报送的单位", HEADING_2)
    missing = briefing.missing_units
    text = _list([f"{r.unit.name}{r.missing}项" for r in missing])
    _p(document, f"{text}。" if missing else "各单位均已报送。")


def _scoreboard(document, briefing: Briefing) -> None:
    _p(document, "四、县市区考核评比", HEADING_1)
    if not briefing.year:
        _p(document, f"{briefing.period.year}年尚无结束的填报期，暂不评比。")
        return
    rows = briefing.scoreboard
    _p(
        document,
        f"按照方案四、（四）“每年结合年度绩效目标考评，对各县（市、区）实施创新创业行动工作情况进行"
        f"考核评比”的要求，对{len(rows)}个县市区{briefing.year}年度的工作评分：综合得分＝40×按时"
        "报送率＋60×各县市区指标完成程度的平均（每项按当年要求的完成比例计，最高100%），满分100分。",
    )
    if rows:
        top = _list([f"{r.unit.name}（{r.score}分）" for r in rows[:3]])
        bottom = _list([f"{r.unit.name}（{r.score}分）" for r in rows[-3:]])
        _p(document, f"综合得分前三名：{top}；后三名：{bottom}。各县市区得分见附件2。")


def _annex_list(document, briefing: Briefing) -> None:
    _p(document).paragraph_format.keep_with_next = True
    names = ["目标指标完成情况表"]
    if briefing.year:
        names.append(f"{briefing.year}年度县市区考核评比表")
    for index, name in enumerate(names, start=1):
        paragraph = _p(document, f"{'附件：' if index == 1 else ''}{index}．{name}")
        # 附件：1．… with the next name under the 1 (GB/T 9704 7.3.4).
        paragraph.paragraph_format.left_indent = INDENT + BODY_SIZE * 3
        paragraph.paragraph_format.first_line_indent = -BODY_SIZE * 3 if index == 1 else Pt(0)
        paragraph.paragraph_format.keep_with_next = True  # the list and its date on one page
    _p(document).paragraph_format.keep_with_next = True
    made = _p(document, _day(briefing.made_on))
    made.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    made.paragraph_format.right_indent = BODY_SIZE * 4  # 右空四字


# 附件 --------------------------------------------------------------------------------------


def _annex_page(document, number: int, title: str) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    _p(document, f"附件{number}", ANNEX_MARK)
    _p(document, title, TITLE).paragraph_format.space_after = Pt(12)


def _table(document, header: list[str], widths_mm: list[float]):
    table = document.add_table(rows=1, cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    row = table.rows[0]
    _repeat(row)
    for cell, text, width in zip(row.cells, header, widths_mm, strict=True):
        _cell(cell, text, width, TABLE_HEAD)
    return table


def _borders(table) -> None:
    """Single 0.5 pt lines around and between every cell, 1 mm of room inside them (Word's
    1.9 mm wraps 待定（数据不全） in its column)."""
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(Mm(1).twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    _insert(properties, margins, TBL_PR_AFTER["w:tblCellMar"])
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for name, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"),
                            ("w:color", "000000")):  # fmt: skip
            line.set(qn(name), value)
        borders.append(line)
    _insert(properties, borders, TBL_PR_AFTER["w:tblBorders"])


# What follows each element in a table's properties (CT_TblPr's sequence): Word refuses a
# file whose elements are out of order.
TBL_PR_AFTER = {
    "w:tblBorders": ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"),
    "w:tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription"),
}


def _insert(parent, child, successors: tuple[str, ...]) -> None:
    later = [parent.find(qn(tag)) for tag in successors]
    later = [element for element in later if element is not None]
    if later:
        later[0].addprevious(child)
    else:
        parent.append(child)


def _repeat(row) -> None:
    """The header row again at the top of every page the table runs onto; a row is never
    split across pages."""
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        properties.append(OxmlElement(tag))


def _cell(cell, text: str, width_mm: float, style: str = TABLE_TEXT, align=None) -> None:
    cell.width = Mm(width_mm)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.text = text
    if align is not None:
        paragraph.alignment = align


def _row(table, values: list[str], widths_mm: list[float], centred: set[int]) -> None:
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for index, (cell, text, width) in enumerate(zip(row.cells, values, widths_mm, strict=True)):
        _cell(cell, text, width, align=WD_ALIGN_PARAGRAPH.CENTER if index in centred else None)


TARGET_COLUMNS = [("序号", 10), ("指标", 42), ("目标", 24), ("当前值", 21), ("按进度应达", 21),
                  ("完成率", 15), ("状态", 32), ("依据", 60)]  # fmt: skip  # 225 mm


def _target_annex(document, briefing: Briefing) -> None:
    _annex_page(document, 1, f"目标指标完成情况表（数据截至{_day(briefing.day)}）")
    header, widths = zip(*TARGET_COLUMNS, strict=True)
    table = _table(document, list(header), list(widths))
    section = None
    for line in briefing.targets:
        if line.section != section:
            section = line.section
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            _cell(merged, section, sum(widths), TABLE_HEAD, WD_ALIGN_PARAGRAPH.LEFT)
            merged.paragraphs[0].paragraph_format.keep_with_next = True  # with its first row
        values = [str(line.number), line.label, line.goal, line.current, line.expected, line.done,
                  line.status_label, line.basis]  # fmt: skip
        _row(table, values, list(widths), centred={0, 5, 6})


def _scoreboard_annex(document, briefing: Briefing) -> None:
    if not briefing.year:
        return
    rows = briefing.scoreboard
    _annex_page(document, 2, f"{briefing.year}年度县市区考核评比表")
    targets = [t.target for t in rows[0].targets] if rows else []
    fixed = [("名次", 12), ("县市区", 48), ("按时报送率", 30)]
    left = 225 - sum(w for _, w in fixed) - 20
    per = left / len(targets) if targets else 0
    columns = [
        *fixed,
        *((f"{t.label}（{t.value_measure}）", per) for t in targets),
        ("综合得分", 20),
    ]
    header, widths = zip(*columns, strict=True)
    table = _table(document, list(header), list(widths))
    for row in rows:
        values = [str(row.rank), row.unit.name, f"{on_time_pct(row)}%（{row.on_time}/{row.owed}）"]
        for score in row.targets:
            value = (
                "—" if score.value is None else in_measure(score.value, score.target.value_measure)
            )
            values.append(f"{value}　{'达标' if score.met else '未达标'}")
        values.append(str(row.score))
        _row(table, values, list(widths), centred=set(range(len(values))) - {1})
    note = _p(
        document,
        "注：综合得分＝40×按时报送率＋60×各县市区指标完成程度的平均（每项按当年要求的完成比例计，"
        "最高100%）；按时报送率＝当年各季度按时报送的项数÷应报项数；只统计审核通过的指标数值。",
        TABLE_TEXT,
    )
    note.paragraph_format.space_before = Pt(6)


def on_time_pct(row) -> int:
    """按时报送率 in whole per cent, rounded as the scoreboard page's {% widthratio %} does
    (Python's round of a float: half to even)."""
    return round(row.on_time / (row.owed or 1) * 100)
