"""The 季度通报 written as a Word document: its title, period and data date, the body in
sections 一、 to 四、 with （一） under them, and the 附件 tables, on the pages of an official
document (dashboards/official_docx.py). Layout only: every figure comes computed from
dashboards/briefing.py."""

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from dashboards.briefing import Briefing, TargetLine, on_time_pct
from dashboards.official_docx import (
    ANNEX_MARK,
    BODY_SIZE,
    HEADING_1,
    HEADING_2,
    INDENT,
    NOTICE,
    SUBTITLE,
    TABLE_HEAD,
    TABLE_TEXT,
    TITLE,
    add_row,
    add_text,
    bordered_table,
    fill_cell,
    landscape_pages,
    new_document,
)
from dashboards.scoreboard import SCORE_RULE
from targets.templatetags.figures import in_measure


def write_briefing(stream, briefing: Briefing, *, demo: bool) -> None:
    """Write the 通报 as .docx to `stream`; `demo` marks every page and the first as 演示数据."""
    document = new_document(
        title=f"{briefing.title}（{briefing.period.label}）",
        subject=briefing.plan_title,
        demo=demo,
    )
    _front(document, briefing, demo)
    _targets(document, briefing)
    _tasks(document, briefing)
    _reporting(document, briefing)
    _scoreboard(document, briefing)
    _annex_list(document, briefing)
    _target_annex(document, briefing)
    _scoreboard_annex(document, briefing)
    document.save(stream)


# Writing ---------------------------------------------------------------------------------


def _day(day) -> str:
    return f"{day:%Y年%-m月%-d日}"


def _list(names: list[str]) -> str:
    return "、".join(names)


def _tight(figure: str) -> str:
    """1313 家 as prose writes it, 1313家: the tables keep the pages' space before a measure."""
    return figure.replace(" ", "")


def _front(document, briefing: Briefing, demo: bool) -> None:
    add_text(document, briefing.title, TITLE)
    add_text(document, f"（{briefing.period.label}）", SUBTITLE)
    add_text(document, f"数据截至{_day(briefing.day)}", SUBTITLE)
    add_text(document)
    if demo:
        add_text(document, "本通报由演示数据生成，数字不反映真实工作情况，不得印发。", NOTICE)
    add_text(
        document,
        f"按照《{briefing.plan_title}》“强化考核奖惩”的要求，现将{briefing.period.label}"
        "全市创新创业行动推进情况通报如下。",
    )
    basis = "、".join(f"{n}项依据{label}数" for label, n in briefing.qualities)
    stale = f"，其中{len(briefing.stale)}项数据晚于应报时间未更新" if briefing.stale else ""
    add_text(
        document,
        f"本通报的数字与系统“总览”页{_day(briefing.day)}的数字一致：目标指标只计审核通过的数据"
        f"{'（' + basis + stale + '）' if basis else ''}，各项依据的数据截止日期和所缺数据见附件1；"
        "重点任务和报送情况依据各单位报送的记录。",
    )


def _targets(document, briefing: Briefing) -> None:
    add_text(document, "一、目标指标完成情况", HEADING_1)
    counts = "，".join(f"{label}{n}项" for _, label, n in briefing.target_counts)
    final = "实施期已结束，以下为最终结论。" if briefing.final else ""
    add_text(
        document,
        f"方案确定的{len(briefing.targets)}项目标指标，截至{_day(briefing.day)}：{counts}。{final}",
    )
    off_track = briefing.off_track
    present = {t.status: t.status_label for t in off_track}
    labels = _list(list(present.values()))
    if off_track:
        add_text(document, f"（一）{labels}的指标", HEADING_2)
        for index, line in enumerate(off_track, start=1):
            add_text(document, f"{index}．{_target_sentence(line)}")
    else:
        add_text(document, "（一）预警、滞后和未达成的指标", HEADING_2)
        add_text(document, "各项指标均无预警、滞后或未达成。")
    rest = [
        (code, label, [t for t in briefing.targets if t.status == code])
        for code, label, _n in briefing.target_counts
        if code in ("pending", "no_data", "likely")
    ]
    if any(lines for *_, lines in rest):
        add_text(document, "（二）尚不能作出结论的指标", HEADING_2)
        for code, label, lines in rest:
            if lines:
                tail = {
                    "pending": "所缺数据见附件1“依据”栏",
                    "no_data": "尚无审核通过的数据",
                    "likely": "达到目标的只是预计数，待正式数据确认",
                }[code]
                names = _list([t.label for t in lines])
                add_text(document, f"{label}{len(lines)}项：{names}。{tail}。")


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
    add_text(document, "二、重点任务推进情况", HEADING_1)
    counts = "，".join(f"{label}{n}项" for _, label, n in briefing.task_counts)
    add_text(document, f"方案{briefing.task_total}项重点任务，{period}：{counts}。")
    add_text(document, "（一）滞后任务及原因", HEADING_2)
    if not briefing.lagging_tasks:
        add_text(document, "本期无滞后任务。")
    for index, task in enumerate(briefing.lagging_tasks, start=1):
        why = []
        if task.reported_lagging:
            why.append(f"{_list(task.reported_lagging)}报告滞后")
        if task.not_reported:
            why.append(f"{_list(task.not_reported)}逾期未报送")
        add_text(document, f"{index}．任务{task.number}　{task.title}：{'；'.join(why)}。")


def _reporting(document, briefing: Briefing) -> None:
    period = briefing.reporting
    add_text(document, "三、各单位报送情况", HEADING_1)
    if period is None:
        add_text(document, "尚无开始的填报期。")
        return
    totals = briefing.compliance_totals
    add_text(
        document,
        f"{period.label}报送截止{_day(period.due_on)}。{totals['units']}个单位应报送"
        f"{totals['owed']}项，按时报送{totals['on_time']}项，逾期报送{totals['late']}项，"
        f"尚未报送{totals['missing']}项。",
    )
    add_text(document, "（一）逾期报送的单位", HEADING_2)
    late = briefing.late_units
    add_text(document, f"{_list([f'{r.unit.name}{r.late}项' for r in late])}。" if late else "无。")
    add_text(document, "（二）尚未报送的单位", HEADING_2)
    missing = briefing.missing_units
    text = _list([f"{r.unit.name}{r.missing}项" for r in missing])
    add_text(document, f"{text}。" if missing else "各单位均已报送。")


def _scoreboard(document, briefing: Briefing) -> None:
    add_text(document, "四、县市区考核评比", HEADING_1)
    if not briefing.year:
        add_text(document, f"{briefing.period.year}年尚无结束的填报期，暂不评比。")
        return
    rows = briefing.scoreboard
    add_text(
        document,
        f"按照方案四、（四）“每年结合年度绩效目标考评，对各县（市、区）实施创新创业行动工作情况进行"
        f"考核评比”的要求，对{len(rows)}个县市区{briefing.year}年度的工作评分：综合得分＝40×按时"
        "报送率＋60×各县市区指标完成程度的平均（每项按当年要求的完成比例计，最高100%），满分100分；"
        f"按{_day(briefing.made_on)}审核通过的数据评比。",
    )
    if rows:
        top = _list([f"{r.unit.name}（{r.score}分）" for r in briefing.best])
        bottom = _list([f"{r.unit.name}（{r.score}分）" for r in briefing.worst])
        add_text(document, f"综合得分前三名：{top}；后三名：{bottom}。各县市区得分见附件2。")


def _annex_list(document, briefing: Briefing) -> None:
    add_text(document)  # 正文下空一行; left at the foot of the page when the list turns it
    names = ["目标指标完成情况表"]
    if briefing.year:
        names.append(f"{briefing.year}年度县市区考核评比表")
    for index, name in enumerate(names, start=1):
        paragraph = add_text(document, f"{'附件：' if index == 1 else ''}{index}．{name}")
        # 附件：1．… with the next name under the 1 (GB/T 9704 7.3.4).
        paragraph.paragraph_format.left_indent = INDENT + BODY_SIZE * 3
        paragraph.paragraph_format.first_line_indent = -BODY_SIZE * 3 if index == 1 else Pt(0)
        paragraph.paragraph_format.keep_with_next = True  # the list and its date on one page
    add_text(document).paragraph_format.keep_with_next = True
    made = add_text(document, _day(briefing.made_on))
    made.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    made.paragraph_format.right_indent = BODY_SIZE * 4  # 右空四字


# 附件 --------------------------------------------------------------------------------------


def _annex_page(document, number: int, title: str) -> None:
    landscape_pages(document)
    add_text(document, f"附件{number}", ANNEX_MARK)
    add_text(document, title, TITLE).paragraph_format.space_after = Pt(12)


TARGET_COLUMNS = [("序号", 10), ("指标", 42), ("目标", 24), ("当前值", 21), ("按进度应达", 21),
                  ("完成率", 15), ("状态", 32), ("依据", 60)]  # fmt: skip  # 225 mm


def _target_annex(document, briefing: Briefing) -> None:
    _annex_page(document, 1, f"目标指标完成情况表（数据截至{_day(briefing.day)}）")
    header, widths = zip(*TARGET_COLUMNS, strict=True)
    table = bordered_table(document, list(header), list(widths))
    section = None
    for line in briefing.targets:
        if line.section != section:
            section = line.section
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            fill_cell(merged, section, sum(widths), TABLE_HEAD, WD_ALIGN_PARAGRAPH.LEFT)
            merged.paragraphs[0].paragraph_format.keep_with_next = True  # with its first row
        values = [str(line.number), line.label, line.goal, line.current, line.expected, line.done,
                  line.status_label, line.basis]  # fmt: skip
        add_row(table, values, list(widths), centred={0, 5, 6})


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
    table = bordered_table(document, list(header), list(widths))
    for row in rows:
        values = [str(row.rank), row.unit.name, f"{on_time_pct(row)}%（{row.on_time}/{row.owed}）"]
        for score in row.targets:
            value = (
                "—" if score.value is None else in_measure(score.value, score.target.value_measure)
            )
            values.append(f"{value}　{'达标' if score.met else '未达标'}")
        values.append(str(row.score))
        add_row(table, values, list(widths), centred=set(range(len(values))) - {1})
    # The rule as the scoreboard's own export states it, one line a rule.
    note = f"注：按{_day(briefing.made_on)}审核通过的数据评比。{SCORE_RULE}"
    note = add_text(document, note, TABLE_TEXT)
    note.paragraph_format.space_before = Pt(6)
