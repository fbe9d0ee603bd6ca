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

from dashboards.verdicts import stored_compliance
from reports.models import TargetValue, WorkflowRecord
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
    today = timezone.localdate()  # the view has brought the stored verdicts up to date
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


def scoreboard_workbook(rows: list[CountyScore], year: int) -> bytes:
    """The scoreboard as an .xlsx: numbers as numbers, rates as percentages, A4 landscape."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度考核评比"
    targets = [t.target for t in rows[0].targets] if rows else []
    header = ["名次", "县市区", "应报项数", "按时报送", "逾期报送", "按时报送率"]
    for target in targets:
        header += [f"{target.label}（{target.value_measure}）", "是否达标"]
    header.append("综合得分")
    sheet.append([f"南阳市创新创业行动{year}年度县市区考核评比"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        values = [row.rank, row.unit.name, row.owed, row.on_time, row.late, float(row.on_time_rate)]
        for score in row.targets:
            values += [
                float(score.value) if score.value is not None else None,
                "是" if score.met else "否",
            ]
        values.append(float(row.score))
        sheet.append(values)
    for cell in sheet["F"][2:]:
        cell.number_format = "0.0%"
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "C3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
