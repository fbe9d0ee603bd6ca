"""A Word document in the layout of a Chinese official document (GB/T 9704—2012 党政机关公文格式):
A4, 版心 156 × 225 mm (top 37, bottom 35, left 28, right 26 mm), title in 2号 小标宋, body in 3号
仿宋 at 22 lines a page, 一、 in 黑体, （一） in 楷体, page numbers "— N —" in 4号 宋体 below the
版心 (odd pages right, even pages left, one character in). Landscape pages for wide tables turn
the 版心 with the page. The 通报 (dashboards/briefing_docx.py) is written on it.

Fonts are named as government offices install them (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312,
黑体); the font table gives each an alternative that ships with Windows and WPS (宋体, 仿宋, 楷体),
with its GB2312 charset and family, which Word uses when the named font is missing. LibreOffice
ignores the alternative and takes a CJK font of its own (Noto Sans CJK on a Debian machine).
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
TABLE_LINE = Pt(14)  # 4 pt between the lines of 5号 text
INDENT = Pt(32)  # two characters of 3号

PORTRAIT = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# The 版心 turned with the page: the binding edge (left on a portrait page) is at the top.
LANDSCAPE = {"top": 28, "bottom": 26, "left": 37, "right": 35}
# The footer's page number 7 mm below the 版心 (GB/T 9704 7.5), its line about 6 mm high.
FOOTER_GAP = 13

# The styles, named as a Word user sees them in the style gallery.
BODY, TITLE, SUBTITLE, NOTICE = "公文正文", "公文标题", "公文副标题", "演示数据提示"
HEADING_1, HEADING_2, ANNEX_MARK = "一级标题", "二级标题", "附件标识"
TABLE_TEXT, TABLE_HEAD = "表格文字", "表头文字"


def new_document(*, title: str, subject: str, demo: bool):
    """An empty document with the page, styles, fonts, header and footer of a 公文; `demo`
    puts 演示数据 in the header of every page."""
    document = Document()
    properties = document.core_properties
    properties.title, properties.subject = title, subject
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
    return document


def landscape_pages(document) -> None:
    """What follows starts a new page, on landscape A4 (its header and footer the same)."""
    _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)


def add_text(document, text: str = "", style: str = BODY):
    """A paragraph in one of the styles above (the body's, unless told)."""
    return document.add_paragraph(text, style=style)


# Page, styles, fonts, header and footer ----------------------------------------------------


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a thumbnail of its own blank page; file managers would
    show it for the document."""
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
    """Add the document's fonts to word/fontTable.xml with their alternatives. python-docx keeps
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


# Tables ------------------------------------------------------------------------------------


def bordered_table(document, header: list[str], widths_mm: list[float]):
    """A table of fixed column widths, centred, its header row in 黑体 and repeated."""
    table = document.add_table(rows=1, cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    row = table.rows[0]
    _repeat(row)
    for cell, text, width in zip(row.cells, header, widths_mm, strict=True):
        fill_cell(cell, text, width, TABLE_HEAD)
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


def fill_cell(cell, text: str, width_mm: float, style: str = TABLE_TEXT, align=None) -> None:
    cell.width = Mm(width_mm)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.text = text
    if align is not None:
        paragraph.alignment = align


def add_row(table, values: list[str], widths_mm: list[float], centred: set[int]) -> None:
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for index, (cell, text, width) in enumerate(zip(row.cells, values, widths_mm, strict=True)):
        fill_cell(cell, text, width, align=WD_ALIGN_PARAGRAPH.CENTER if index in centred else None)
