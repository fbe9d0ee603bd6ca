"""Loading a plan's ledger from fixtures/ into the database (its targets: targets/loading.py).

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
from pathlib import Path

from django.conf import settings
from django.db import models

from tasks.models import Plan, ReportingPeriod, Section, Task, TaskUnit, Unit, UnitAlias
from tasks.periods import DEFAULT_DUE_DAYS, periods_between
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


def read_json(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def sync(model: type[models.Model], lookup: dict, values: dict) -> tuple[models.Model, str]:
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


def sync_m2m(manager, wanted: list, result: LoadResult, label: str) -> None:
    current = set(manager.all())
    if current != set(wanted):
        manager.set(wanted)
        result.count("updated" if current else "created", label)


def load_units(*, path: Path, result: LoadResult) -> dict[str, Unit]:
    """Create the units and aliases; return a lookup from every spelling to its unit."""
    data = read_json(path)["units"]
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
            _alias, outcome = sync(UnitAlias, {"alias": alias}, {"unit": unit})
            result.count(outcome, "单位别名")
    lookup: dict[str, Unit] = {unit.name: unit for unit in Unit.objects.all()}
    for alias in UnitAlias.objects.select_related("unit"):
        lookup[alias.alias] = alias.unit
    return lookup


def resolve_units(names: list[str], lookup: dict[str, Unit], where: str) -> list[Unit]:
    try:
        return resolve_unit_names(names, lookup)
    except UnknownUnitError as error:
        raise UnknownUnitError(f"{error.name}（{where}）") from error


@dataclass
class LoadedPlan:
    """A plan as loaded, with its sections and tasks by number (for the targets to refer to)."""

    plan: Plan
    sections: dict[int, Section]
    tasks: dict[int, Task]


def load_plan_directory(
    *, directory: Path, lookup: dict[str, Unit], result: LoadResult
) -> LoadedPlan:
    """The plan, its sections, the 台账 rows and the reporting periods of one directory."""
    meta = read_json(directory / "plan.json")
    text = (directory / meta["text_file"]).read_text(encoding="utf-8")
    return load_plan_data(
        meta=meta, text=text, ledger=read_json(directory / "ledger.json"), lookup=lookup,
        result=result,
    )  # fmt: skip


def load_plan_data(
    *, meta: dict, text: str, ledger: list[dict], lookup: dict[str, Unit], result: LoadResult
) -> LoadedPlan:
    """The plan `meta` describes (plan.json's keys), its sections, the 台账 rows (ledger.json's)
    and the reporting periods: from fixtures, or from a 台账 file an admin brought in."""
    plan, outcome = sync(
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
            "due_days": meta.get("due_days", DEFAULT_DUE_DAYS),
            "cadence": meta.get("cadence", Plan.Cadence.QUARTERLY),
            "text": text,
        },
    )
    result.count(outcome, "行动方案")

    sections: dict[int, Section] = {}
    for item in meta["sections"]:
        section, outcome = sync(
            Section,
            {"plan": plan, "number": item["number"]},
            {"numeral": item["numeral"], "title": item["title"], "units_text": item["units_text"]},
        )
        result.count(outcome, "任务板块")
        wanted = resolve_units(
            split_unit_text(item["units_text"]), lookup, f"板块{item['numeral']}"
        )
        sync_m2m(section.units, wanted, result, "板块责任单位")
        sections[item["number"]] = section

    tasks: dict[int, Task] = {}
    for row in ledger:
        task, outcome = sync(
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
        units = resolve_units(
            split_unit_text(row["units_text"]), lookup, f"台账第{row['number']}项"
        )
        _sync_assignments(task, units, result)
        tasks[row["number"]] = task

    sync_periods(plan=plan, result=result)
    return LoadedPlan(plan, sections, tasks)


def sync_periods(*, plan: Plan, result: LoadResult) -> None:
    """Create the periods (quarters, half-years or years, as the plan's cadence says) from the
    one the plan was issued in to the end of its period; each is due `due_days` after it ends.

    Existing periods are left alone: admins may have moved a due date or closed a quarter.
    """
    existing = set(ReportingPeriod.objects.filter(plan=plan).values_list("year", "quarter"))
    first = max(plan.issued_on, plan.period_start)
    for span in periods_between(first, plan.period_end, plan.cadence):
        if (span.year, span.quarter) in existing:
            continue
        period = ReportingPeriod(
            plan=plan,
            year=span.year,
            quarter=span.quarter,
            starts_on=span.starts_on,
            ends_on=span.ends_on,
            due_on=span.ends_on + dt.timedelta(days=plan.due_days),
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


def plan_directories(fixtures_dir: Path, plan_codes: list[str] | None = None) -> list[Path]:
    """The plan directories under fixtures/ (or only those of `plan_codes`)."""
    directories = sorted(p.parent for p in fixtures_dir.glob("*/plan.json"))
    if plan_codes:
        directories = [d for d in directories if d.name in plan_codes]
        missing = set(plan_codes) - {d.name for d in directories}
        if missing:
            raise ValueError(f"fixtures 中没有这些方案：{'、'.join(sorted(missing))}")
    return directories
