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


def second_plan():
    """The 2026–2030 test plan (tests/data/digital-2026), loaded as fixtures are, with its
    own units and the alias its 台账 needs; no targets."""
    import json
    from pathlib import Path

    from tasks.loading import LoadResult, load_plan_data
    from tasks.models import Plan, UnitAlias

    if (plan := Plan.objects.filter(code="digital-2026").first()) is not None:
        return plan
    directory = Path(__file__).resolve().parent / "data" / "digital-2026"
    units = json.loads((directory / "units.json").read_text(encoding="utf-8"))
    for position, item in enumerate(units["units"], start=1):
        Unit.objects.get_or_create(
            name=item["name"], defaults={"kind": item["kind"], "sort_order": 900 + position}
        )
    for alias, name in units["aliases"].items():
        UnitAlias.objects.get_or_create(alias=alias, unit=Unit.objects.get(name=name))
    lookup = {u.name: u for u in Unit.objects.all()}
    lookup |= {a.alias: a.unit for a in UnitAlias.objects.select_related("unit")}
    meta = json.loads((directory / "plan.json").read_text(encoding="utf-8"))
    ledger = json.loads((directory / "ledger.json").read_text(encoding="utf-8"))
    text = (directory / "plan.txt").read_text(encoding="utf-8")
    return load_plan_data(
        meta=meta, text=text, ledger=ledger, lookup=lookup, result=LoadResult()
    ).plan


def copy_of_plan(code: str):
    """Another active plan with the 2022 plan's ledger and quarters (no targets), as the other
    action plans of the notice would stand beside it."""
    import json

    from tasks.loading import FIXTURES_DIR, LoadResult, load_plan_data
    from tasks.models import UnitAlias

    directory = FIXTURES_DIR / "innovation-2022"
    meta = json.loads((directory / "plan.json").read_text(encoding="utf-8"))
    meta |= {"code": code, "title": f"{meta['title']}（{code}）"}
    ledger = json.loads((directory / "ledger.json").read_text(encoding="utf-8"))
    lookup = {u.name: u for u in Unit.objects.all()}
    lookup |= {a.alias: a.unit for a in UnitAlias.objects.select_related("unit")}
    return load_plan_data(
        meta=meta, text="", ledger=ledger, lookup=lookup, result=LoadResult()
    ).plan
