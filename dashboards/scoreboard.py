"""考核评比: the yearly ranking of the counties that 四、（四） of the plan asks for.

Each county-level unit is scored on two things the system knows: how punctually it reported
(按时报送率, the share of the year's reports and values it owed that arrived on time) and its
county targets (each 每个县市区 target of the plan, as the share of the year's requirement it
reached, at most 100%). The score is 40 × the on-time rate + 60 × the average target share,
out of 100; the page says so beside the table.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dashboards.excel import DEMO_MARK
from dashboards.ledger_pages import (
    PAGE_SAFETY,
    TITLE_POINTS,
    header_height,
    height_of,
    text_room,
)
from dashboards.verdicts import stored_compliance
from reports.models import TargetValue, WorkflowRecord
from reports.xlsx_cells import (
    BODY_FONT,
    BOLD_FONT,
    BORDER,
    CENTER,
    HEAD_FILL,
    display_width,
    wrapped_lines,
)
from targets import progress
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Unit

ON_TIME_WEIGHT, TARGET_WEIGHT = Decimal(40), Decimal(60)


@dataclass
class TargetScore:
    target: Target
    value: Decimal | None
    required: Decimal
    met: bool

    @property
    def share(self) -> Decimal:
        if self.value is None or not self.required:
            return Decimal(0)
        return min(self.value / self.required, Decimal(1))


@dataclass
class CountyScore:
    unit: Unit
    owed: int = 0
    on_time: int = 0
    late: int = 0
    targets: list[TargetScore] = field(default_factory=list)
    rank: int = 0

    @property
    def on_time_rate(self) -> Decimal:
        return Decimal(self.on_time) / Decimal(self.owed) if self.owed else Decimal(0)

    @property
    def score(self) -> Decimal:
        share = (
            sum((t.share for t in self.targets), Decimal(0)) / len(self.targets)
            if self.targets
            else Decimal(0)
        )
        return (ON_TIME_WEIGHT * self.on_time_rate + TARGET_WEIGHT * share).quantize(Decimal("0.1"))

    @property
    def turnover(self) -> Decimal | None:
        return self.targets[0].value if self.targets else None


def scoreboard_years(plan: Plan, today: dt.date) -> list[int]:
    """Years with at least one reporting period that has ended."""
    return sorted({p.year for p in ReportingPeriod.objects.in_plan(plan) if p.ends_on < today})


def county_scoreboard(plan: Plan, year: int) -> list[CountyScore]:
    periods = list(ReportingPeriod.objects.in_plan(plan).filter(year=year).select_related("plan"))
    county_targets = list(
        Target.objects.in_plan(plan)
        .filter(scope=Target.Scope.EACH_COUNTY)
        .prefetch_related("units__members")
        .order_by("number")
    )
    counties = sorted(
        {m for t in county_targets for u in t.units.all() for m in u.members.all()},
        key=lambda u: (u.sort_order, u.name),
    )
    scores = {u.pk: CountyScore(u) for u in counties}
    # the view has brought the stored verdicts up to date
    today = plan.judged_on(timezone.localdate())
    for rows in stored_compliance(plan, periods, today).values():
        for row in rows:
            if row.unit.pk in scores:
                score = scores[row.unit.pk]
                score.owed += row.owed
                score.on_time += row.on_time
                score.late += row.late
    figures: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = {}
    for target_id, unit_id, covers_to, value in (
        TargetValue.objects.filter(
            target__in=county_targets,
            period__in=periods,
            series="actual",
            status=WorkflowRecord.Status.APPROVED,
        )
        .order_by("covers_to", "pk")
        .values_list("target_id", "unit_id", "covers_to", "value")
    ):
        figures.setdefault((target_id, unit_id), []).append((covers_to, value))
    # The year's latest figure: for a flow its year-to-date total (1—N月累计), judged against
    # the share of the year it covers, as on the target's page (targets/progress.py).
    for target in county_targets:
        for unit_id, score in scores.items():
            found = figures.get((target.pk, unit_id), [])
            covers_to, value = found[-1] if found else (None, None)
            required = target.value
            if target.is_flow and covers_to is not None:
                required = target.value * progress.year_fraction(covers_to)
            required = required.quantize(Decimal("0.01"))
            score.targets.append(
                TargetScore(target, value, required, value is not None and value >= required)
            )
    ranked = sorted(scores.values(), key=lambda s: (-s.score, -s.on_time_rate, s.unit.sort_order))
    for rank, score in enumerate(ranked, start=1):
        score.rank = rank
    return ranked


# The printed table (A4 landscape, 10.5-pt 宋体, at 100 % when its columns fit). Excel draws a
# column w characters wide in 7w + 5 pixels at 96 dpi; A4 is 297 mm wide, less the margins.
# Top and bottom margins of 0.5 in (the page header and footer 0.2 in from the edge) let the
# 18 counties, the table's head and the notes under it go on one page.
SIDE_MARGIN_IN, END_MARGIN_IN, EDGE_IN = 0.3, 0.5, 0.2
PRINTABLE_PX = (297 / 25.4 - 2 * SIDE_MARGIN_IN) * 96
FIT_SHARE = 0.97  # Excel, WPS and LibreOffice differ a little in how wide a column prints
PAGE_ROOM = 595.3 - 2 * 72 * END_MARGIN_IN  # points between the top and bottom margins
MIN_SCALE = 90  # a whole table is printed down to 90 % (9.5-pt text) to keep it on one page
TITLE_FONT = Font(name="宋体", size=16, bold=True)
SCORE_FORMAT, RATE_FORMAT, COUNT_FORMAT = "0.0", "0.0%", "0"
_MEASURE_FORMATS = {"亿元": "#,##0.00", "万元": "#,##0.00", "%": "0.0"}
_NUMBER = Alignment(vertical="center")
_NAME = Alignment(wrap_text=True, vertical="center")
_NOTE = Alignment(wrap_text=True, vertical="top")
_FIXED_HEAD = ["名次", "县市区", "应报项数", "按时报送", "逾期报送", "按时报送率"]
_FIXED_WIDTHS = [6, None, 9, 9, 9, 11]  # None: as wide as the longest county name
MET_WIDTH, SCORE_WIDTH = 8, 8
MIN_VALUE_WIDTH, MAX_VALUE_WIDTH = 12, 24
NOTE_GAP_POINTS = 8  # the blank row between the table and the notes under it
# How `CountyScore.score` is reckoned, a line a rule, so that no formula is cut across lines
SCORE_RULE = "\n".join(
    (
        "综合得分 = 40 × 按时报送率 + 60 × 各项指标完成程度的平均，满分100分，保留一位小数；"
        "同分的按时报送率高者在前。",
        "按时报送率 = 按时报送项数 ÷ 应报项数；指标完成程度 = 当年最新审核通过的数值 ÷ 当年要求，"
        "最高计100%，未报计0。",
        "每年的流量指标（1—N月累计）按数值截至日期占全年的比例折算当年要求；是否达标：数值不低于"
        "当年要求。",
    )
)


def _column_pixels(widths) -> float:
    """The columns' printed width at 100 %, in pixels at 96 dpi."""
    return sum(7 * w + 5 for w in widths)


def _widths(rows: list[CountyScore], targets: list[Target]) -> list[int]:
    """Each column's width in characters: the fixed columns, then each target's value and
    是否达标, then 综合得分. The targets' value columns are as narrow as lets their labels wrap
    in the fewest lines the page's width allows; when not even the narrowest fit, the table
    is printed fitted to the width."""
    names = max((display_width(r.unit.name) for r in rows), default=6)
    name_width = next((w for w in range(10, 31) if text_room(w) >= names), 30)
    fixed = [w if w is not None else name_width for w in _FIXED_WIDTHS]
    labels = [_target_head(t) for t in targets]

    def widths_for(value_width: int) -> list[int]:
        return [*fixed, *[value_width, MET_WIDTH] * len(targets), SCORE_WIDTH]

    def lines(value_width: int) -> int:
        return max((wrapped_lines(h, text_room(value_width)) for h in labels), default=1)

    fitting = [
        w
        for w in range(MIN_VALUE_WIDTH, MAX_VALUE_WIDTH + 1)
        if _column_pixels(widths_for(w)) <= PRINTABLE_PX * FIT_SHARE
    ]
    if not fitting:
        return widths_for(MIN_VALUE_WIDTH)
    fewest = lines(fitting[-1])
    return widths_for(next(w for w in fitting if lines(w) == fewest))


def _target_head(target: Target) -> str:
    # the unit on a line of its own: LibreOffice would break a line after its opening bracket
    return f"{target.label}\n（{target.value_measure}）"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _cell(sheet, row: int, column: int, value, *, number_format="General", alignment=_NUMBER):
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font, cell.border = BODY_FONT, BORDER
    cell.number_format, cell.alignment = number_format, alignment
    return cell


def _body_row(sheet, row: int, score: CountyScore, formats: list[str]) -> None:
    values = [score.rank, score.unit.name, score.owed, score.on_time, score.late]
    for column, value in enumerate(values, start=1):
        alignment = _NAME if column == 2 else CENTER if column == 1 else _NUMBER
        _cell(sheet, row, column, value, number_format=COUNT_FORMAT, alignment=alignment)
    _cell(sheet, row, 6, float(score.on_time_rate), number_format=RATE_FORMAT)
    column = 7
    for target, number_format in zip(score.targets, formats, strict=True):
        if target.value is None:  # nothing approved this year: a dash, as on the page
            _cell(sheet, row, column, "—", number_format=number_format, alignment=CENTER)
        else:
            _cell(sheet, row, column, float(target.value), number_format=number_format)
        _cell(sheet, row, column + 1, "是" if target.met else "否", alignment=CENTER)
        column += 2
    _cell(sheet, row, column, float(score.score), number_format=SCORE_FORMAT)


def _print_setup(sheet, widths: list[int], height: float, *, header: str, demo: bool) -> None:
    """A4 landscape, the title and header rows on every page, the year and data date (and
    演示数据) in the page header, 第 N 页 共 M 页 in the footer. Printed at 100 % (10.5-pt
    text), or smaller down to MIN_SCALE when that keeps the table and its notes (`height`
    points in all) on one page, so that no page holds the notes alone; fitted to the page's
    width when the columns do not fit."""
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    if _column_pixels(widths) <= PRINTABLE_PX:
        # LibreOffice sets the page header and footer inside the margins: PAGE_SAFETY
        one_page = int(100 * PAGE_ROOM * PAGE_SAFETY / height)
        setup.scale = one_page if MIN_SCALE <= one_page < 100 else 100
    else:
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = SIDE_MARGIN_IN
    margins.top = margins.bottom = END_MARGIN_IN
    margins.header = margins.footer = EDGE_IN
    hf = sheet.HeaderFooter
    hf.oddHeader.left.text, hf.oddHeader.left.size = header, 10
    if demo:
        hf.oddHeader.right.text, hf.oddHeader.right.size = DEMO_MARK, 10
    hf.oddFooter.center.text, hf.oddFooter.center.size = "第 &P 页 共 &N 页", 10


def scoreboard_workbook(
    rows: list[CountyScore], year: int, *, as_of: dt.date | None = None, demo: bool = False
) -> bytes:
    """The scoreboard as an .xlsx a 考核 meeting prints: a bordered table with every row as
    tall as its wrapped text, numbers as numbers in one format a column (scores 0.0, rates
    0.0%, each target in its unit's precision), and under it how the score is computed and
    the day the figures are as of (`as_of`, today when not given). `demo` marks every printed
    page, the title, the line under the table and the file's properties as 演示数据."""
    as_of = as_of or timezone.localdate()
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度考核评比"
    targets = [t.target for t in rows[0].targets] if rows else []
    header = list(_FIXED_HEAD)
    for target in targets:
        header += [_target_head(target), "是否达标"]
    header.append("综合得分")
    widths = _widths(rows, targets)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = len(header)

    title = f"南阳市创新创业行动{year}年度县市区考核评比"
    if demo:  # in the title, on every printed page, under the table and in the properties
        title = f"{title}【演示数据】"
        book.properties.subject = book.properties.keywords = DEMO_MARK
    sheet.cell(row=1, column=1, value=title).font = TITLE_FONT
    sheet["A1"].alignment = CENTER
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.row_dimensions[1].height = TITLE_POINTS

    for column, name in enumerate(header, start=1):
        cell = _cell(sheet, 2, column, name, alignment=CENTER)
        cell.font, cell.fill = BOLD_FONT, HEAD_FILL
    sheet.row_dimensions[2].height = header_height(header, widths)

    formats = [_MEASURE_FORMATS.get(t.value_measure, COUNT_FORMAT) for t in targets]
    for row, score in enumerate(rows, start=3):
        _body_row(sheet, row, score, formats)
        sheet.row_dimensions[row].height = height_of(
            max(wrapped_lines(score.unit.name, text_room(widths[1])), 1)
        )

    # One blank row, then the rule and the date as wrapped text over the table's width.
    notes = [SCORE_RULE, f"数据截至{_date(as_of)}。" + (f"{DEMO_MARK}。" if demo else "")]
    room = text_room(sum(widths))
    sheet.row_dimensions[len(rows) + 3].height = NOTE_GAP_POINTS
    for row, text in enumerate(notes, start=len(rows) + 4):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font, cell.alignment = BODY_FONT, _NOTE
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        sheet.row_dimensions[row].height = height_of(wrapped_lines(text, room))

    sheet.freeze_panes = "C3"
    height = sum(sheet.row_dimensions[r].height for r in range(1, sheet.max_row + 1))
    _print_setup(
        sheet, widths, height, header=f"{year}年度县市区考核评比　数据截至{_date(as_of)}", demo=demo
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
