"""Small builders for test data on top of the loaded plan."""

from decimal import Decimal

from reports.workflow import create_report, create_value
from targets.models import Target
from tasks.models import ReportingPeriod, Task, Unit

REPORT_CONTENT = {
    "progress": "已组织实施重大科技专项12项，下达市财政资金1000万元。",
    "completion": "in_progress",
    "percent": 60,
    "problems": "部分项目配套资金到位慢。",
    "next_steps": "督促项目单位落实配套资金。",
}
VALUE_CONTENT = {
    "value": Decimal("402"),
    "data_source": "省科技厅高企认定名单",
    "quality": "preliminary",
}


def period(plan, year=2024, quarter=2) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan=plan, year=year, quarter=quarter)


def task(plan, number) -> Task:
    return Task.objects.get(plan=plan, number=number)


def unit(name) -> Unit:
    return Unit.objects.get(name=name)


def target(plan, key) -> Target:
    return Target.objects.get(plan=plan, key=key)


def make_report(user, plan, *, number=1, unit_name="市科技局", year=2024, quarter=2, **content):
    return create_report(
        task=task(plan, number), unit=unit(unit_name), period=period(plan, year, quarter),
        user=user, content={**REPORT_CONTENT, **content},
    )  # fmt: skip


def make_value(user, plan, *, key="high-tech-enterprises", unit_name="市科技局", year=2024,
               quarter=2, series="actual", **content):  # fmt: skip
    return create_value(
        target=target(plan, key), unit=unit(unit_name), period=period(plan, year, quarter),
        user=user, content={**VALUE_CONTENT, **content}, series=series,
    )  # fmt: skip
