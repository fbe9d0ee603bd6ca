"""Proposing a plan's numeric targets from its text: every clause that commits to a number.

Pure functions over the plan's text, no queries: what they return is a draft for a person to
check before any Target is saved. The rules follow the targets drawn by hand from the 2022 plan
(fixtures/innovation-2022/targets.json), read clause by clause:

- A commitment is a number with a unit of measure (家 项 个 名 % 亿元 万元) and a word of
  comparison (以上, 左右, 超过, 突破, 不低于, 达到, 至少, a range 10—15), or a bare number after a
  verb of doing (新培育…70家, 设立 300 万元…专项) in a sentence tied to a period or to 每年;
  also 不低于全省平均水平 (no number) and …全覆盖 (100 %).
- Money given as support is not a target: 给予100万元经费支持, 最高给予100万元补助, 每月5000元
  补助, 给予最高 50 万元、30 万元奖励. Money the city budgets is one: 每年市财政安排 1000 万元
  (附件 台账第1项), 设立 300 万元…专项 (三、（一）) are both targets in the fixture.
- Numbers that are not commitments: years (2025年, 3年内), ordinals and ranks (第6项, 前10名),
  a count that only describes the plan (中医药等 20 个优势产业链: a bare number after 聚焦/等).
- Upper bounds (不超过, 以内, 控制在) are left out: a Target has no "at most".
- The same commitment stated again (二、主要目标, a section, the 台账 appendix) is one proposal,
  stated first where the plan first says it; the later statements are its duplicates.
"""

import re
import sys
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from targets.numbers import parse_number


@dataclass
class Proposal:
    key: str
    label: str
    measure: str
    comparator: str
    value: str | None
    value_high: str | None
    tolerance: str | None
    accumulation: str
    benchmark_label: str
    scope: str
    source_text: str
    source_location: str
    section_number: int | None
    cadence: str
    duplicates: list[tuple[str, str]] = field(default_factory=list)


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_CN_DIGITS |= {"九": 9, "十": 10}
_NUMERALS = "一二三四五六七八九十"
_TOP = re.compile(rf"^\s*([{_NUMERALS}]+)、\s*(\S[^\n]*)$", re.M)
_SUB = re.compile(rf"^\s*[（(]([{_NUMERALS}]+)[）)]\s*")
_ROW = re.compile(r"^(\d+)\t")

_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
_UNIT = r"(?P<unit>亿元|万元|元|[%％]|家|项|个(?!百分点|月|工作日|季度)|名|人(?!次)|所|座|处)"
_AMOUNT = re.compile(
    rf"(?<![0-9０-９.．A-Za-zＡ-Ｚａ-ｚ])(?P<low>{_NUM})"
    rf"(?:\s*(?:—+|–|-|－|～|~|至|到)\s*(?P<high>{_NUM}))?"
    rf"\s*(?P<wan>万(?=[家项个名人]))?\s*{_UNIT}"
    r"(?P<suffix>\s*(?:以上|左右|上下|以内|以下))?"
)
# 一家, 一个: a Chinese numeral is read only after 至少/不少于 (每个县市区…至少建立一家双创载体);
# elsewhere 一个 is prose (以每个产业链布局一个创新链为目标).
_CN_AMOUNT = re.compile(rf"(?P<low>[{_NUMERALS}两])\s*{_UNIT}(?P<suffix>\s*以上)?")
_BENCHMARK = re.compile(r"(?P<cmp>不低于|高于|超过|达到)(?P<label>(?:全省|全国|全市)?平均水平)")
_COVERAGE = re.compile(r"全覆盖")

_MEASURES = {"人": "名", "所": "个", "座": "个", "处": "个", "％": "%", "元": "万元"}
_COUNTS = {"家", "项", "个", "名"}
_MONEY = {"亿元", "万元"}

# 给予 100 万元 经费支持: money handed out, an input, not what the plan promises to achieve.
_SUPPORT = re.compile(r"给予|奖励|补助|补贴|资助|奖补|每月")
_ENUMERATION = re.compile(r"(等|聚焦(?:我市)?|第|前)\s*$")
_MORE_THAN = re.compile(r"(超过|突破|高于|多于|大于)\s*$")
_AT_LEAST = re.compile(r"(达到|不低于|不少于|至少|保持在|力争)\s*$")
_UPPER_BOUND = re.compile(r"(不超过|不高于|控制在|(?<!不)低于)\s*$")
# Verbs of doing: a bare number after them is a commitment (新培育…70家, 设立 300 万元…专项),
# and under a period they count what is done in it (新建, 建成 → “十四五”累计).
_DOING = re.compile(
    r"新建|新增|新培育|新认定|新引进|培育|引进|建成|争取|实施|完成|打造|创建|登记|遴选|累计|"
    r"培养|安排|设立|建立"
)
_BUILDING = re.compile(
    r"新建|新增|新培育|新认定|新引进|培育|引进|建成|争取|打造|创建|登记|遴选|累计|培养"
)
_PERIOD = re.compile(
    r"“十[四五]五”\s*(?:期间|末|时期)|期间|期内|累计|到\s*20\d\d\s*年|20\d\d\s*年\s*(?:底|末)"
)
_EACH_COUNTY = re.compile(r"每个县(?:市区|（市、区）|\(市、区\))|各县市区(?:分别|均)")
_GROWTH = re.compile(r"年均增长|年均增速|增长|增速|增幅")

# The label: what is counted, without the words around it.
_LEADING = re.compile(
    r"^(?:到\s*)?(?:“十[四五]五”\s*(?:期间|末|时期)?|20\d\d\s*年\s*(?:底|末)?前?)|"
    r"^(?:全市|力争|每年|累计|新增培育|新培育|新建|新增|新认定|新引进|培育引进|培养引进|培育|"
    r"引进|建成(?!区)|争取|组织实施|实施|完成|定向|推动|遴选|登记|打造|安排|设立|建立|实现|"
    r"每个县市区|各县市区|要|至少|市财政|围绕主导产业|的|和|及|从)"
)
_LABEL_END = re.compile(
    r"(?:动态)?保持在?|(?:要|力争)?(?:达到|超过|突破|不低于|不少于|至少)|到我市|用于|并"
)
_GENERIC = {"总数", "总量", "年均增长", "年均增速", "增速", "规模", "数量"}
_SUBJECT_END = re.compile(r"建设|实现|达到|保持|不低于|提升|增长")
_BRACKETS = {"（": "）", "(": ")", "“": "”", "《": "》", "〔": "〕", "[": "]", "‘": "’"}


def propose_targets(text: str) -> list[Proposal]:
    """The numeric commitments of a plan, in the order the text first states them.

    Edge cases: a clause with two numbers gives two proposals (每年市财政安排 1000 万元组织实施
    10 个以上重大科技专项); a clause with no subject of its own takes the one before it
    (每个县市区要达到 3.5 亿元以上 → 技术合同成交额; 总数超过1000家 → 科技创新平台总数).
    """
    proposals: list[Proposal] = []
    for start, end, location, section_number in _blocks(text):
        for s_start, s_end in _split(text, start, end, "。；;！？!?\t"):
            for found in _sentence_commitments(text, s_start, s_end):
                found.source_location = location
                found.section_number = section_number
                _add(proposals, found)
    for number, proposal in enumerate(proposals, start=1):
        proposal.key = f"t{number:02d}"
    return proposals


def _blocks(text: str):
    """(start, end, location, section number) of each part of the plan that may state targets:
    each top section or its （一）…, and each row of the 台账 appendix. The preamble (the notice
    and the title) states none."""
    blocks = []
    top = heading = None
    tasks_section = False
    rows = []  # (start, end, row number, task name)
    sections = []  # (section number, start, end) of the 三、 subsections, to place 台账 rows
    offset = 0
    in_appendix = False
    current = None  # [start, location, section_number]

    def close(at):
        if current is not None:
            blocks.append((current[0], at, current[1], current[2]))
            if current[2] is not None and not in_appendix:
                sections.append((current[2], current[0], at))

    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        line_end = offset + len(line)
        if in_appendix:
            row = _ROW.match(line)
            if row:
                close(offset)
                current = None
                cells = line.rstrip("\n").split("\t")
                measures_at = offset + len("\t".join(cells[:3])) + 1 if len(cells) >= 4 else None
                start = measures_at if measures_at is not None else offset + row.end()
                rows.append((start, offset + len(line.rstrip("\n")), row[1], cells[1]))
        elif stripped in ("附件", "附件：") or re.fullmatch(r"附件\s*\d+", stripped):
            close(offset)
            current = None
            in_appendix = True
        elif m := _TOP.match(line):
            close(offset)
            top, heading = m[1], m[2].strip()
            tasks_section = "任务" in heading
            current = [line_end, f"{top}、{heading}", None]
        elif top and (m := _SUB.match(line)):
            close(offset)
            number = _chinese_number(m[1])
            # A heading that is only a title ends at its line; （一）加强组织领导。成立… goes on.
            start = offset + m.end() if "。" in line else line_end
            current = [start, f"{top}、（{m[1]}）", number if tasks_section else None]
        offset = line_end
    close(len(text))
    for start, end, row_number, task in rows:
        blocks.append((start, end, f"附件 台账第{row_number}项", _section_of(text, task, sections)))
    return blocks


def _section_of(text: str, task: str, sections) -> int | None:
    """The 三、 subsection a 台账 row belongs to: the one that names its task (实施重大科技专项),
    or whose words are most like it (实施创新型引领企业标杆行动 ~ 实施创新型企业树标引领行动)."""
    task = re.sub(r"\s", "", task)
    best, best_score = None, 0.0
    for number, start, end in sections:
        body = re.sub(r"\s", "", text[start:end])
        score = 1.0 if task and task in body else _similarity_in(task, body)
        if score > best_score:
            best, best_score = number, score
    return best if best_score >= 0.5 else None


def _similarity_in(short: str, body: str) -> float:
    pairs = _bigrams(short)
    return len(pairs & _bigrams(body)) / len(pairs) if pairs else 0.0


def _split(text: str, start: int, end: int, separators: str) -> list[tuple[int, int]]:
    """Spans of text[start:end] between separators outside brackets and quotes: 各县（市、区）
    and “瞪羚”企业 hold together. Also splits at <p> and </p> (the 台账's cells). 。 and a tab
    split even inside brackets, so that a bracket left open does not swallow the paragraph."""
    spans, closing, begin, i = [], [], start, start
    while i < end:
        char = text[i]
        if char in separators and (not closing or char in "。\t"):
            spans.append((begin, i))
            begin = i + 1
            closing = []
        elif char in _BRACKETS:
            closing.append(_BRACKETS[char])
        elif closing and char == closing[-1]:
            closing.pop()
        elif not closing and text.startswith(("<p>", "</p>"), i):
            spans.append((begin, i))
            i = text.index(">", i)
            begin = i + 1
        i += 1
    spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _sentence_commitments(text: str, start: int, end: int) -> list[Proposal]:
    sentence = text[start:end]
    found: list[Proposal] = []
    previous_clause = None
    for c_start, c_end in _split(text, start, end, "，,"):
        clause = text[c_start:c_end]
        before_clause = text[start:c_start]
        for p_start, p_end in _pieces(text, c_start, c_end):
            context = _Context(
                sentence=sentence,
                clause=clause,
                annual="每年" in before_clause or "每年" in text[c_start:p_end],
                period=bool(_PERIOD.search(sentence)),
                each_county=bool(_EACH_COUNTY.search(clause)),
            )
            made = _piece_commitments(text, p_start, p_end, context)
            for proposal in made:
                _complete_label(proposal, found, text, previous_clause)
            found.extend(made)
            previous_clause = (p_start, p_end)
    return found


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A clause cut at 、 only between commitments: 实现…全覆盖、…全覆盖、…全覆盖 is three,
    “瞪羚”企业、“雏鹰”企业等达到 60 家以上 is one."""
    parts = _split(text, start, end, "、")
    pieces, pending = [], None
    for s, e in parts:
        if pending is not None:
            s = pending
        if _states_commitment(text[s:e], text[start:end]):
            pieces.append([s, e])
            pending = None
        else:
            pending = s
    if pending is not None:
        if pieces:
            pieces[-1][1] = end
        else:
            pieces.append([start, end])
    return [(s, e) for s, e in pieces]


def _states_commitment(piece: str, clause: str) -> bool:
    return bool(
        _AMOUNT.search(piece)
        or _BENCHMARK.search(piece)
        or _COVERAGE.search(piece)
        or (re.search("至少|不少于", clause) and _CN_AMOUNT.search(piece))
    )


@dataclass
class _Context:
    sentence: str
    clause: str
    annual: bool
    period: bool
    each_county: bool


def _piece_commitments(text: str, start: int, end: int, context: _Context) -> list[Proposal]:
    piece = text[start:end]
    if m := _BENCHMARK.search(piece):
        label = _clean_label(piece[: m.start()])
        return [
            _proposal(
                label=label,
                measure="%",
                comparator="more_than" if m["cmp"] in ("高于", "超过") else "at_least",
                value=None,
                accumulation="benchmark",
                benchmark_label=m["label"],
                scope="each_county" if context.each_county else "city",
                source_text=_exact(text, start, end),
            )
        ]
    if (m := _COVERAGE.search(piece)) and not _AMOUNT.search(piece):
        # 实现重点产业高能级创新平台全覆盖: a coverage rate of 100 %.
        return [
            _proposal(
                label=_clean_label(piece[: m.start()]),
                measure="%",
                comparator="at_least",
                value="100",
                accumulation="share",
                scope="each_county" if context.each_county else "city",
                source_text=_exact(text, start, end),
            )
        ]
    matches = list(_AMOUNT.finditer(piece))
    if not matches and re.search("至少|不少于", context.clause):
        matches = list(_CN_AMOUNT.finditer(piece))
    proposals = []
    for i, m in enumerate(matches):
        before_start = matches[i - 1].end() if i else 0
        next_start = matches[i + 1].start() if i + 1 < len(matches) else len(piece)
        before = piece[before_start : m.start()]
        found = _amount_proposal(m, before, piece[m.end() :], context)
        if found is None:
            continue
        proposal, label_after = found
        # The source reaches to the counted thing when it follows the number.
        source_end = next_start if label_after else m.end()
        proposal.source_text = _exact(text, start + before_start, start + source_end)
        proposals.append(proposal)
    return proposals


def _amount_proposal(
    m: re.Match, before: str, after: str, context: _Context
) -> tuple[Proposal, bool] | None:
    """The proposal for one number, and whether its label follows the number; None when the
    number commits to nothing."""
    unit = m["unit"]
    measure = _MEASURES.get(unit, unit)
    suffix = (m["suffix"] or "").strip()
    if _ENUMERATION.search(before) or _UPPER_BOUND.search(before) or suffix in ("以内", "以下"):
        return None
    if measure in _MONEY and _SUPPORT.search(context.clause):
        return None
    groups = m.groupdict()  # _CN_AMOUNT has no range and no 万
    compared = groups.get("high") or suffix or _AT_LEAST.search(before)
    compared = compared or _MORE_THAN.search(before) or re.search("至少|不少于", before)
    if not compared and not (
        _DOING.search(before) and (context.period or "每年" in context.sentence)
    ):
        return None  # a bare number in prose: 聚焦我市 20 个优势产业链
    scale = {"wan": bool(groups.get("wan")), "yuan": unit == "元"}
    low = _value(m["low"], **scale)
    high = _value(groups["high"], **scale) if groups.get("high") else None
    if low is None or (high is not None and Decimal(high) <= Decimal(low)):
        return None
    if high is not None:
        comparator = "range"
    elif suffix in ("左右", "上下") or before.rstrip().endswith("约"):
        comparator = "about"
    elif suffix == "以上":
        comparator = "at_least"
    elif _MORE_THAN.search(before):
        comparator = "more_than"
    else:
        comparator = "at_least"
    # The counted thing comes after the number when a verb governs it (组织实施 10 个以上重大科技
    # 专项, 引进100名左右全日制博士研究生), else before it (高新技术企业达到 500 家以上).
    label_after = _clean_label(_AMOUNT.sub("", after), trailing=True)
    label = label_after or _clean_label(before)
    if label_after and measure in _MONEY and not re.search("资金|经费|投入|额|收入", label):
        label += "资金"
    proposal = _proposal(
        label=label,
        measure=measure,
        comparator=comparator,
        value=low,
        value_high=high,
        accumulation=_accumulation(measure, before, context),
        scope="each_county" if context.each_county else "city",
    )
    return proposal, bool(label_after)


def _accumulation(measure: str, before: str, context: _Context) -> str:
    """level, annual, cumulative, share or growth (benchmark is found before any number).

    A per-county minimum (每个县市区至少建成 1 个) is what each county has: a level, even in a
    sentence about the period. Under a period, 项 counts what is done (科技成果落地转化达到 500 项
    以上 is “十四五”累计); 家 and 个 are a stock unless a verb of doing says they are new."""
    if measure == "%":
        return "growth" if _GROWTH.search(before) else "share"
    if context.annual or "年均新增" in before:
        return "annual"
    if context.each_county or not context.period:
        return "level"
    if _BUILDING.search(before) or measure == "项":
        return "cumulative"
    return "level"


def _complete_label(proposal: Proposal, found: list[Proposal], text: str, previous) -> None:
    """A clause that names no subject takes it from the clause before: 每个县市区要达到 3.5 亿元
    以上 (技术合同成交额); 总数超过1000家 (科技创新平台); 年均增长不低于 19% (全社会R&D经费投入)."""
    if proposal.label and proposal.label not in _GENERIC:
        return
    if found:
        subject = found[-1].label
    elif previous is not None:
        words = re.sub(r"\s", "", text[previous[0] : previous[1]])
        subject = _clean_label(_SUBJECT_END.split(words, maxsplit=1)[0])
    else:
        return
    if proposal.label in _GENERIC:
        if proposal.accumulation == "growth":
            subject = re.sub(r"(强度|比重|占比)$", "", subject)
        if previous is not None:
            source = _exact(text, previous[0], previous[1])
            at = text.find(proposal.source_text, previous[1])
            if at >= 0:
                proposal.source_text = source + text[previous[1] : at] + proposal.source_text
    proposal.label = subject + proposal.label


def _clean_label(words: str, *, trailing: bool = False) -> str:
    words = re.sub(r"\s", "", words)
    if trailing:
        words = re.split(r"到我市|用于|并|，", words, maxsplit=1)[0]
    else:
        words = _LABEL_END.split(words, maxsplit=1)[0]
    previous = None
    while previous != words:
        previous = words
        words = _LEADING.sub("", words)
    words = re.sub(r"^(?:的|是|为|在)|的$", "", words)
    return words[:40]


def _proposal(**fields) -> Proposal:
    fields.setdefault("value_high", None)
    fields.setdefault("benchmark_label", "")
    fields.setdefault("source_text", "")
    value, measure = fields["value"], fields["measure"]
    tolerance = _tolerance(value, measure) if fields["comparator"] == "about" else None
    return Proposal(
        key="",
        tolerance=tolerance,
        source_location="",
        section_number=None,
        cadence=_cadence(measure, fields["accumulation"]),
        **fields,
    )


def _tolerance(value: str, measure: str) -> str:
    """10 % of the value, as the fixture's 左右 (10 家 ±1, 100 名 ±10): whole units for counts,
    never less than one; two decimals otherwise."""
    tenth = Decimal(value) / 10
    if measure in _COUNTS:
        return str(max(tenth.quantize(Decimal(1), rounding=ROUND_HALF_UP), Decimal(1)))
    return _plain(tenth.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _cadence(measure: str, accumulation: str) -> str:
    """annual for what is published once a year (rates, shares, benchmarks, counts of enterprises,
    yearly programmes, the size of a sector); quarterly for what is registered as it happens: a
    year's turnover in 亿元 (每年完成技术合同成交额) and projects counted over the period (项,
    “十四五”累计)."""
    if (measure == "亿元" and accumulation == "annual") or (
        measure == "项" and accumulation == "cumulative"
    ):
        return "quarterly"
    return "annual"


def _value(raw: str, *, wan: bool = False, yuan: bool = False) -> str | None:
    if raw in _CN_DIGITS:
        return str(_CN_DIGITS[raw])
    try:
        value = parse_number(raw, max_digits=16, decimal_places=6)
    except ValidationError:
        return None
    if wan:
        value *= 10000
    if yuan:
        value /= 10000  # a Target counts money in 万元 or 亿元
    return _plain(value)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _chinese_number(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + _CN_DIGITS[numeral[1]]
    if numeral.endswith("十"):
        return _CN_DIGITS[numeral[0]] * 10
    if len(numeral) == 3:
        return _CN_DIGITS[numeral[0]] * 10 + _CN_DIGITS[numeral[2]]
    return _CN_DIGITS[numeral]


def _exact(text: str, start: int, end: int) -> str:
    """text[start:end] without the spaces around it: always a substring of the plan."""
    return text[start:end].strip()


def _add(proposals: list[Proposal], new: Proposal) -> None:
    """Add `new`, or record it as a duplicate of the proposal stating the same commitment: the
    same value(s), measure and scope, and a label of mostly the same words (高新技术企业突破500家
    repeats 高新技术企业达到 500 家以上; 每年组织实施市级项目 30 项以上 repeats …市级基础与前沿
    研究项目 30 项以上)."""
    for old in proposals:
        if (old.value, old.value_high, old.measure, old.scope, old.benchmark_label) == (
            new.value,
            new.value_high,
            new.measure,
            new.scope,
            new.benchmark_label,
        ) and _label_similarity(old.label, new.label) >= 0.6:
            old.duplicates.append((new.source_text, new.source_location))
            return
    proposals.append(new)


def _bigrams(words: str) -> set[str]:
    words = re.sub(r"[\s“”\"（）()]", "", words)
    return {words[i : i + 2] for i in range(len(words) - 1)} or ({words} if words else set())


def _label_similarity(a: str, b: str) -> float:
    """Shared pairs of characters over the shorter label's: 1 when one contains the other."""
    first, second = _bigrams(a), _bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def goal_display(proposal: Proposal) -> str:
    if proposal.accumulation == "benchmark":
        return f"不低于{proposal.benchmark_label}"
    if proposal.comparator == "range":
        return f"{proposal.value}—{proposal.value_high}{proposal.measure}"
    words = {"at_least": "以上", "about": f"左右（±{proposal.tolerance}）", "more_than": ""}
    prefix = "超过" if proposal.comparator == "more_than" else ""
    return f"{prefix}{proposal.value}{proposal.measure}{words[proposal.comparator]}"


def main(argv: list[str]) -> None:
    """python -m targets.proposals plan.txt: the proposals as a table, one a line."""
    with open(argv[0], encoding="utf-8") as plan:
        proposals = propose_targets(plan.read())
    for p in proposals:
        print(
            f"{p.key}\t{p.source_location}\t{p.label}\t{goal_display(p)}\t{p.accumulation}\t"
            f"{p.scope}\t{p.cadence}\t{p.source_text}\t{len(p.duplicates)} 处另见"
        )
    print(f"{len(proposals)} proposals")


if __name__ == "__main__":
    main(sys.argv[1:])
