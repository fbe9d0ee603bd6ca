"""Reading a plan's text: the file an office sends, the sections of its 重点任务, which section
each task of the 台账 belongs to, and the facts the onboarding form is prefilled with.

Plans come as a 文件: a red header (中共南阳市委办公室文件), the document number, the notice
(…办公室 关于印发《…》的通知) signed and dated, then the plan itself under its own title, and
the 台账 as its 附件. Text taken from a PDF keeps the page breaks inside paragraphs (a blank
line mid-sentence), so paragraphs are read with their lines joined.
"""

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext

from tasks.ledger_files import decode_text

NUMERALS = "一二三四五六七八九十"


class PlanTextError(ValueError):
    """A file whose text cannot be read; str(error) says why, in words for the admin."""


def read_plan_text(name: str, data: bytes) -> str:
    """The text of a plan sent as .txt (UTF-8, with or without its mark, else GB18030) or as
    .docx: its paragraphs, blank-line separated, and each table's rows as tab-separated lines,
    so that a 台账 inside the document reads as the plan's text gives it."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "txt":
        return decode_text(data, PlanTextError)
    if suffix == "doc":
        raise PlanTextError(
            gettext("不能读取旧版Word文件（.doc）：请在Word或WPS中另存为.docx后再上传")
        )
    if suffix != "docx":
        raise PlanTextError(
            gettext("不支持的文件类型“%(name)s”：方案正文须为Word（.docx）或文本（.txt）文件")
            % {"name": name}
        )
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                if block.text.strip():
                    blocks.append(block.text.strip())
            elif isinstance(block, Table):
                lines = [
                    "\t".join(_cell_line(cell.text) for cell in row.cells) for row in block.rows
                ]
                if lines:
                    blocks.append("\n".join(lines))
    except Exception as error:  # python-docx raises whatever the broken part makes it raise
        raise PlanTextError(
            gettext("无法打开Word文件：文件已损坏或不是.docx格式（%(error)s）")
            % {"error": type(error).__name__}
        ) from error
    return "\n\n".join(blocks)


def _cell_line(text: str) -> str:
    """A table cell on one line of a tab-separated row: its paragraphs joined by a space."""
    return " ".join(part.strip() for part in text.replace("\t", " ").splitlines() if part.strip())


@dataclass(frozen=True)
class SectionFound:
    number: int
    numeral: str  # "（一）", full-width whatever the text writes
    title: str
    units_text: str  # inside the section's "（责任单位：…）", verbatim


_PART = re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")
_SECTION = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.+)$")
# "（责任单位：…）", its units allowed one level of brackets of their own: 各县市区政府（管委会）
_UNITS = re.compile(
    r"[（(]\s*(?:责任单位|牵头单位|责任部门)\s*[:：]\s*((?:[^（）()]|[（(][^（）()]*[）)])*?)\s*[）)]"
)
_KEY_TASKS = ("重点任务", "主要任务", "重点工作", "重点工作任务")


def _number(numeral: str) -> int:
    """一 … 九十九 as a number."""
    if numeral == "十":
        return 10
    tens, ten, ones = numeral.partition("十")
    if not ten:
        return NUMERALS.index(numeral) + 1
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
        NUMERALS.index(ones) + 1 if ones else 0
    )


def _numeral(number: int) -> str:
    if number <= 10:
        return NUMERALS[number - 1]
    tens, ones = divmod(number, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n")]


def _section_blocks(text: str) -> list[tuple[SectionFound, str]]:
    """Each section under 三、重点任务 with its body, its lines joined as one (a page break
    inside a paragraph leaves a blank line mid-sentence). The sections end at the next 四、
    heading or the 附件."""
    found, heading, body = [], None, []
    inside = False

    def close():
        if heading is not None:
            joined = "".join(body)
            units = _UNITS.findall(joined)
            number, title = heading
            found.append(
                (
                    SectionFound(
                        number, f"（{_numeral(number)}）", title, units[-1] if units else ""
                    ),
                    joined,
                )
            )

    for line in _lines(text):
        part = _PART.match(line)
        if not inside:
            inside = part is not None and part[2].replace(" ", "") in _KEY_TASKS
            continue
        if part is not None or line.startswith("附件"):
            break
        section = _SECTION.match(line)
        expected = len(found) + (heading is not None) + 1
        if section is not None and _number(section[1]) == expected:
            close()
            title = section[2].strip()
            # "（一）加强组织领导。成立…": a heading that runs into its paragraph
            title, stop, rest = title.partition("。")
            heading, body = (_number(section[1]), title.strip()), [rest] if stop else []
            continue
        if heading is not None:
            body.append(line)
    close()
    return found


def find_sections(text: str) -> list[SectionFound]:
    """The sections under 三、重点任务, in order: each （N） heading, its title, and the units
    of the "（责任单位：…）" that closes it (the last one in the section, verbatim inside)."""
    return [section for section, _ in _section_blocks(text)]


def _plain(text: str) -> str:
    """Text to compare: compatibility forms folded (（ and ( alike), whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def sections_of_tasks(
    text: str, sections: list[SectionFound], titles: dict[int, str]
) -> dict[int, int]:
    """Task number → section number: the section whose body mentions the task's title.

    The 台账 lists tasks in the plan's order, so the sections from the previous task's on are
    searched first, then the others (the first in order that mentions it). A title no section
    mentions (the 台账 rewords a few: 实施创新型引领企业标杆行动 is 正文 三（二）'s
    实施创新型企业树标引领行动) takes the previous task's section; the first task, the first
    section."""
    wanted = {section.number for section in sections}
    bodies = [
        (found.number, _plain(body))
        for found, body in _section_blocks(text)
        if found.number in wanted
    ]
    if not bodies:
        bodies = [(section.number, "") for section in sections]
    result: dict[int, int] = {}
    previous = None
    for number in sorted(titles):
        title = _plain(titles[number])
        start = next((i for i, (n, _) in enumerate(bodies) if n == previous), 0)
        ordered = bodies[start:] + bodies[:start]
        match = next((n for n, body in ordered if title and title in body), None)
        if match is None:
            match = previous if previous is not None else (bodies[0][0] if bodies else None)
        if match is not None:
            result[number] = previous = match
    return result


@dataclass(frozen=True)
class PlanFacts:
    title: str
    doc_number: str
    issuer: str
    issued_on: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    period_label: str


# The five-year plans a plan's period is named after.
FIVE_YEAR_PLANS = {"十四五": (2021, 2025), "十五五": (2026, 2030), "十六五": (2031, 2035)}
_TITLE_END = re.compile(r"(方案|计划|规划|意见|办法|纲要|细则)(\s*[（(][^（）()]*[）)])?$")
_RANGE = re.compile(r"[（(]\s*(\d{4})\s*[—–\-－~～至到]+\s*(\d{4})\s*年?\s*[）)]")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[〔［\[【]\s*\d{4}\s*[〕］\]】]\s*\d+\s*号")
_DATE = re.compile(r"([0-9〇○零一二三四五六七八九]{4})\s*年\s*([0-9一二三四五六七八九十]{1,3})\s*月"
                   r"\s*([0-9一二三四五六七八九十]{1,3})\s*日")  # fmt: skip
_BY = re.compile(r"(?:到|至|截至)\s*(\d{4})\s*年")
_SPACE = re.compile(r"\s+")
_ISSUER = re.compile(r"^(.+?)\s*关于(?:印发|转发)")


def _digits(text: str) -> int:
    """2022, 二〇二二, 十三 as numbers."""
    if text.isdigit():
        return int(text)
    if len(text) == 4 and "十" not in text:
        return int(
            "".join(
                str("〇一二三四五六七八九".index(c.replace("○", "〇").replace("零", "〇")))
                for c in text
            )
        )
    return _number(text)


def _date(match: re.Match) -> dt.date | None:
    try:
        return dt.date(*(_digits(group) for group in match.groups()))
    except ValueError:
        return None


def plan_facts(text: str) -> PlanFacts:
    """Best guesses at the plan's title, 文号, issuer, date and period, for the onboarding form
    to prefill and the admin to check.

    - title: the plan's own title line (not the notice's 关于印发《…》的通知), else the name
      inside the notice's 《》.
    - issuer: the notice's title before 关于印发 (joint notices name every office, space
      separated), else the red header without its 文件.
    - issued_on: the first line that is a date (the notice's signature), else a …印发 line.
    - period: a (2026—2030年) in the title; else the five-year plan the text speaks of
      (“十四五”: 2021—2025) with 到2025年 as its end; the label “十四五”期间."""
    lines = [line for line in _lines(text) if line]
    title = _plan_title(lines)
    # The 文号 on a line of its own under the header; else the first one the text gives.
    numbers = [m for line in lines if (m := _DOC_NUMBER.fullmatch(line))]
    numbers = numbers or [m for m in [_DOC_NUMBER.search(text)] if m]
    doc_number = _SPACE.sub("", numbers[0][0]) if numbers else ""
    issuer = _issuer(lines)
    issued_on = None
    for line in lines:
        bare = re.sub(r"[\s★☆—\-－_]+", "", line)
        match = _DATE.fullmatch(bare) or _DATE.fullmatch(bare.removesuffix("印发"))
        if match is not None and (issued_on := _date(match)) is not None:
            break
    start_year = end_year = None
    span = _RANGE.search(title)
    if span is not None:
        start_year, end_year = int(span[1]), int(span[2])
    by = _BY.search(_plan_body(text))
    if end_year is None and by is not None:
        end_year = int(by[1])
    label_key = _five_year_plan(text, end_year)
    if label_key is not None:
        first, last = FIVE_YEAR_PLANS[label_key]
        start_year = start_year or first
        end_year = end_year or last
    return PlanFacts(
        title=title,
        doc_number=doc_number,
        issuer=issuer,
        issued_on=issued_on,
        period_start=dt.date(start_year, 1, 1) if start_year else None,
        period_end=dt.date(end_year, 12, 31) if end_year else None,
        period_label=f"“{label_key}”期间" if label_key else "",
    )


def _plan_title(lines: list[str]) -> str:
    for line in lines:
        if len(line) > 60 or line.startswith(("《", "附件")) or re.search("关于(印发|转发)", line):
            continue
        if _TITLE_END.search(line) and not re.search(r"[，。；：]", line):
            return line
    for line in lines:
        if "关于" in line and (inside := re.search(r"《([^》]+)》", line)):
            return inside[1]
    return ""


def _issuer(lines: list[str]) -> str:
    for line in lines:
        match = _ISSUER.match(line)
        if match is not None and len(match[1]) <= 60:
            return _SPACE.sub(" ", match[1]).strip()
    for line in lines:
        if line.endswith("文件") and 2 < len(line) <= 40:
            return line.removesuffix("文件").strip()
    return ""


def _plan_body(text: str) -> str:
    """The text from 二、主要目标 (or the start) to the 附件, where "到2025年" is the plan's
    end and not a date in its notice."""
    lines = _lines(text)
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"^二、\s*(主要|总体|工作)?目标", line)), 0
    )
    end = next(
        (i for i, line in enumerate(lines) if line.startswith("附件") and i > start), len(lines)
    )
    return "".join(lines[start:end])


def _five_year_plan(text: str, end_year: int | None) -> str | None:
    """The five-year plan the period is named after: when the plan's last year is known, the
    one holding it if the text names it (a plan for 2026—2030 may look back on “十四五”);
    else the one the text names first."""
    named = [key for key in FIVE_YEAR_PLANS if f"“{key}”" in text or f'"{key}"' in text]
    if end_year is not None:
        held = [
            key for key in named if FIVE_YEAR_PLANS[key][0] <= end_year <= FIVE_YEAR_PLANS[key][1]
        ]
        return held[0] if held else None
    if not named:
        return None
    return min(named, key=lambda key: _first_mention(text, key))


def _first_mention(text: str, key: str) -> int:
    found = [at for at in (text.find(f"“{key}”"), text.find(f'"{key}"')) if at >= 0]
    return min(found, default=len(text))
