"""Loading a plan from fixtures/ into the database.

A plan directory holds plan.json (the plan and its sections), ledger.json (the 台账 rows,
verbatim), targets.json (every quantified commitment with its 原文) and the plan text.
fixtures/units.json holds the units shared by all plans.

Loading is idempotent: rows are matched on natural keys (unit name, plan code, task 序号,
target key) and only fields that differ are written, so a second run reports no change.
Collective membership (which counties make up 各县市区政府（管委会）) is seeded only when the
collective is first created: afterwards it is data that admins edit, and a reload keeps it.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models, transaction

from targets.models import Target, TargetQuote
from tasks.models import Plan, ReportingPeriod, Section, Task, TaskUnit, Unit, UnitAlias
from tasks.periods import default_due_date, quarter_of, quarters_between
from tasks.units import UnknownUnitError, resolve_unit_names, split_unit_text

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, label: str) -> None:
        if outcome in ("created", "updated"):
            bucket = getattr(self, outcome)
            bucket[label] = bucket.get(label, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "无变化（数据已是最新）"
        parts = [f"新增{label} {n}" for label, n in self.created.items()]
        parts += [f"更新{label} {n}" for label, n in self.updated.items()]
        return "，".join(parts)


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def _read_json(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _sync(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, str]:
    """Create the row or bring its fields to `values`; say which happened."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save(update_fields=changed)
    return obj, "updated"


def _sync_m2m(manager, wanted: list, result: LoadResult, label: str) -> None:
    current = set(manager.all())
    if current != set(wanted):
        manager.set(wanted)
        result.count("updated" if current else "created", label)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_units(*, path: Path, result: LoadResult) -> dict[str, Unit]:
    """Create the units and aliases; return a lookup from every spelling to its unit."""
    data = _read_json(path)["units"]
    for position, item in enumerate(data, start=1):
        unit = Unit.objects.filter(name=item["name"]).first()
        if unit is None:
            unit = Unit(name=item["name"], kind=item["kind"], sort_order=position * 10)
            unit.full_clean()
            unit.save()
            result.count("created", "单位")
            if item.get("members"):
                unit.members.set(Unit.objects.filter(name__in=item["members"]))
        for alias in item.get("aliases", []):
            _alias, outcome = _sync(UnitAlias, {"alias": alias}, {"unit": unit})
            result.count(outcome, "单位别名")
    lookup: dict[str, Unit] = {unit.name: unit for unit in Unit.objects.all()}
    for alias in UnitAlias.objects.select_related("unit"):
        lookup[alias.alias] = alias.unit
    return lookup


def _units(names: list[str], lookup: dict[str, Unit], where: str) -> list[Unit]:
    try:
        return resolve_unit_names(names, lookup)
    except UnknownUnitError as error:
        raise UnknownUnitError(f"{error.name}（{where}）") from error


def load_plan_directory(*, directory: Path, lookup: dict[str, Unit], result: LoadResult) -> Plan:
    meta = _read_json(directory / "plan.json")
    text = (directory / meta["text_file"]).read_text(encoding="utf-8")
    plan, outcome = _sync(
        Plan,
        {"code": meta["code"]},
        {
            "title": meta["title"],
            "doc_number": meta["doc_number"],
            "issuer": meta.get("issuer", ""),
            "issued_on": dt.date.fromisoformat(meta["issued_on"]),
            "period_start": dt.date.fromisoformat(meta["period_start"]),
            "period_end": dt.date.fromisoformat(meta["period_end"]),
            "period_label": meta.get("period_label", ""),
            "text": text,
        },
    )
    result.count(outcome, "行动方案")

    sections: dict[int, Section] = {}
    for item in meta["sections"]:
        section, outcome = _sync(
            Section,
            {"plan": plan, "number": item["number"]},
            {"numeral": item["numeral"], "title": item["title"], "units_text": item["units_text"]},
        )
        result.count(outcome, "任务板块")
        wanted = _units(split_unit_text(item["units_text"]), lookup, f"板块{item['numeral']}")
        _sync_m2m(section.units, wanted, result, "板块责任单位")
        sections[item["number"]] = section

    tasks: dict[int, Task] = {}
    for row in _read_json(directory / "ledger.json"):
        task, outcome = _sync(
            Task,
            {"plan": plan, "number": row["number"]},
            {
                "section": sections[row["section"]],
                "title": row["title"],
                "measures": row["measures"],
                "deadline_text": row["deadline_text"],
                "units_text": row["units_text"],
                "note": row.get("note", ""),
            },
        )
        result.count(outcome, "重点任务")
        units = _units(split_unit_text(row["units_text"]), lookup, f"台账第{row['number']}项")
        _sync_assignments(task, units, result)
        tasks[row["number"]] = task

    for item in _read_json(directory / "targets.json")["targets"]:
        _load_target(plan, item, sections, tasks, lookup, result)
    sync_periods(plan=plan, result=result)
    return plan


def sync_periods(*, plan: Plan, result: LoadResult) -> None:
    """Create the quarters from the one the plan was issued in to the end of its period.

    Existing periods are left alone: admins may have moved a due date or closed a quarter.
    """
    existing = set(ReportingPeriod.objects.filter(plan=plan).values_list("year", "quarter"))
    first = max(plan.issued_on, plan.period_start)
    for quarter in quarters_between(quarter_of(first).start, plan.period_end):
        if (quarter.year, quarter.number) in existing:
            continue
        period = ReportingPeriod(
            plan=plan,
            year=quarter.year,
            quarter=quarter.number,
            starts_on=quarter.start,
            ends_on=quarter.end,
            due_on=default_due_date(quarter),
        )
        period.full_clean()
        period.save()
        result.count("created", "填报期")


def _sync_assignments(task: Task, units: list[Unit], result: LoadResult) -> None:
    """The first unit the ledger lists leads the task; the others are co-units."""
    wanted = [
        (unit.pk, TaskUnit.Role.LEAD if position == 0 else TaskUnit.Role.CO, position + 1)
        for position, unit in enumerate(units)
    ]
    current = list(task.assignments.order_by("position").values_list("unit", "role", "position"))
    if current == wanted:
        return
    task.assignments.all().delete()
    for unit_pk, role, position in wanted:
        assignment = TaskUnit(task=task, unit_id=unit_pk, role=role, position=position)
        assignment.full_clean(validate_constraints=False)
        assignment.save()
    result.count("updated" if current else "created", "任务责任单位")


def _load_target(plan, item, sections, tasks, lookup, result) -> None:
    section = sections[item["section"]] if item.get("section") else None
    target, outcome = _sync(
        Target,
        {"plan": plan, "key": item["key"]},
        {
            "number": item["number"],
            "section": section,
            "label": item["label"],
            "measure": item["measure"],
            "comparator": item["comparator"],
            "value": _decimal(item.get("value")),
            "value_high": _decimal(item.get("value_high")),
            "tolerance": _decimal(item.get("tolerance")),
            "accumulation": item["accumulation"],
            "benchmark_label": item.get("benchmark_label", ""),
            "scope": item["scope"],
            # A city-wide target is reported by the first unit the fixture names for it.
            "reporting_unit": lookup[item["units"][0]] if item["scope"] == "city" else None,
            "input_measure": item.get("input_measure", ""),
            "source_text": item["source_text"],
            "source_location": item["source_location"],
            "note": item.get("note", ""),
        },
    )
    result.count(outcome, "目标指标")
    _sync_m2m(
        target.units, _units(item["units"], lookup, f"指标 {item['key']}"), result, "指标责任单位"
    )
    _sync_m2m(target.tasks, [tasks[n] for n in item["tasks"]], result, "指标关联任务")
    wanted = [(q["text"], q["location"], i) for i, q in enumerate(item.get("quotes", []))]
    current = list(target.quotes.values_list("text", "location", "position"))
    if current != wanted:
        target.quotes.all().delete()
        TargetQuote.objects.bulk_create(
            TargetQuote(target=target, text=text, location=location, position=position)
            for text, location, position in wanted
        )
        result.count("updated" if current else "created", "指标另见原文")


def load_plan(
    *, plan_codes: list[str] | None = None, dry_run: bool = False, fixtures_dir: Path = FIXTURES_DIR
) -> LoadResult:
    """Load units and every plan directory under fixtures/ (or only `plan_codes`)."""
    result = LoadResult()
    directories = sorted(p.parent for p in fixtures_dir.glob("*/plan.json"))
    if plan_codes:
        directories = [d for d in directories if d.name in plan_codes]
        missing = set(plan_codes) - {d.name for d in directories}
        if missing:
            raise ValueError(f"fixtures 中没有这些方案：{'、'.join(sorted(missing))}")
    try:
        with transaction.atomic():
            lookup = load_units(path=fixtures_dir / "units.json", result=result)
            for directory in directories:
                load_plan_directory(directory=directory, lookup=lookup, result=result)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return result
