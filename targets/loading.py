"""Loading a plan from fixtures/: its ledger (tasks/loading.py), then its targets.json (every
quantified commitment with its 原文), all in one transaction, idempotent like the ledger.

`load_plan` lives here, in the lowest app that knows both the ledger and the targets.
"""

from decimal import Decimal
from pathlib import Path

from django.db import transaction

from targets.models import Target, TargetQuote
from tasks.loading import (
    FIXTURES_DIR,
    DryRunRollback,
    LoadResult,
    load_plan_directory,
    load_units,
    plan_directories,
    read_json,
    resolve_units,
    sync,
    sync_m2m,
)


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_target(plan, item, sections, tasks, lookup, result) -> None:
    """One target of targets.json, with its units, tasks and the other places it is quoted."""
    section = sections[item["section"]] if item.get("section") else None
    target, outcome = sync(
        Target,
        {"plan": plan, "key": item["key"]},
        {
            "number": item["number"],
            "section": section,
            "label": item["label"],
            "measure": item["measure"],
            "comparator": item["comparator"],
            "value": as_decimal(item.get("value")),
            "value_high": as_decimal(item.get("value_high")),
            "tolerance": as_decimal(item.get("tolerance")),
            "accumulation": item["accumulation"],
            "benchmark_label": item.get("benchmark_label", ""),
            "scope": item["scope"],
            # A city-wide target is reported by the first unit the fixture names for it.
            "reporting_unit": lookup[item["units"][0]] if item["scope"] == "city" else None,
            "input_measure": item.get("input_measure", ""),
            "cadence": item.get("cadence", "quarterly"),
            "due_months": item.get("due_months", 6),
            "entry_forms": item.get("entry_forms", "level"),
            "start_stock": as_decimal(item.get("start_stock")),
            "source_text": item["source_text"],
            "source_location": item["source_location"],
            "note": item.get("note", ""),
        },
    )
    result.count(outcome, "目标指标")
    sync_m2m(
        target.units,
        resolve_units(item["units"], lookup, f"指标 {item['key']}"),
        result,
        "指标责任单位",
    )
    sync_m2m(target.tasks, [tasks[n] for n in item["tasks"]], result, "指标关联任务")
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
    """Load units and every plan directory under fixtures/ (or only `plan_codes`): the ledger
    (tasks/loading.py) and the targets, in one transaction."""
    result = LoadResult()
    directories = plan_directories(fixtures_dir, plan_codes)
    try:
        with transaction.atomic():
            lookup = load_units(path=fixtures_dir / "units.json", result=result)
            for directory in directories:
                loaded = load_plan_directory(directory=directory, lookup=lookup, result=result)
                for item in read_json(directory / "targets.json")["targets"]:
                    load_target(loaded.plan, item, loaded.sections, loaded.tasks, lookup, result)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return result
