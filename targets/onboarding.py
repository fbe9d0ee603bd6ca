"""Bringing in a plan the way it arrives: its 台账 as a file (.xlsx, .docx) and its text.

`start_draft` reads both (tasks/ledger_files.py, tasks/plan_text.py), finds the sections and
proposes targets from the text's sentences with numbers (targets/proposals.py); the result is
kept in a PlanDraft for the admin to check on the preview page: every 责任单位 spelling
resolved through the unit registry and its aliases (`spellings`), the unresolved ones mapped
to a unit or created, targets accepted, edited or dropped. Nothing of the plan exists until
`confirm_draft`, which creates units and aliases the admin asked for, the plan, its sections,
tasks, reporting periods and the accepted targets in one transaction, with the same loaders
as the fixtures (tasks/loading.py, targets/loading.py).
"""

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from targets.loading import load_target
from targets.models import PlanDraft, Target
from targets.proposals import propose_targets
from tasks.ledger_files import read_ledger
from tasks.loading import LoadResult, load_plan_data
from tasks.models import Plan, Unit, UnitAlias
from tasks.periods import DEFAULT_DUE_DAYS
from tasks.plan_text import (
    SectionFound,
    find_sections,
    plan_facts,
    read_plan_text,
    sections_of_tasks,
)
from tasks.units import split_unit_text

NEW_UNIT = "__new__"
# How the figures of a target are entered, by how it accumulates (as fixtures/ does).
ENTRY_FORMS = {"annual": "ytd", "cumulative": "ytd,to_date", "growth": "growth,ytd"}


def unit_lookup() -> dict[str, str]:
    """Every spelling the registry knows (names and aliases) → the unit's name."""
    lookup = {name: name for name in Unit.objects.values_list("name", flat=True)}
    lookup.update(UnitAlias.objects.values_list("alias", "unit__name"))
    return lookup


@transaction.atomic
def start_draft(
    *, user, ledger_name: str, ledger_data: bytes, text_name: str, text_data: bytes
) -> PlanDraft:
    """Read the 台账 and the plan text into a new draft (LedgerFileError / PlanTextError on a
    file that cannot be read: nothing is kept then)."""
    rows = read_ledger(ledger_name, ledger_data)
    text = read_plan_text(text_name, text_data)
    sections = find_sections(text)
    if not sections:
        sections = [SectionFound(1, "（一）", _("重点任务"), "")]
    of_task = sections_of_tasks(text, sections, {r.number: r.title for r in rows})
    facts = plan_facts(text)
    ledger = [
        {
            "number": r.number,
            "section": of_task.get(r.number, sections[0].number),
            "title": r.title,
            "units_text": r.units_text,
            "measures": r.measures,
            "deadline_text": r.deadline_text,
            "where": r.where,
        }
        for r in rows
    ]
    data = {
        "plan": {
            "code": suggest_code(facts),
            "title": facts.title,
            "doc_number": facts.doc_number,
            "issuer": facts.issuer,
            "issued_on": _iso(facts.issued_on),
            "period_start": _iso(facts.period_start),
            "period_end": _iso(facts.period_end),
            "period_label": facts.period_label,
            "cadence": Plan.Cadence.QUARTERLY,
            "due_days": DEFAULT_DUE_DAYS,
        },
        "sections": [dataclasses.asdict(s) for s in sections],
        "ledger": ledger,
        "spellings": {},
        "targets": [],
    }
    defaults = _UnitDefaults.of(data)
    data["targets"] = [
        {**dataclasses.asdict(p), "accepted": True, "unit": defaults.unit_for(p)}
        for p in propose_targets(text)
    ]
    draft = PlanDraft(
        created_by=user, ledger_name=ledger_name[:200], text_name=text_name[:200], text=text,
        data=data,
    )  # fmt: skip
    draft.full_clean()
    draft.save()
    return draft


def _iso(day) -> str:
    return day.isoformat() if day else ""


def suggest_code(facts) -> str:
    """A code for the new plan's addresses: plan-<first year>, made unique."""
    year = facts.period_start.year if facts.period_start else (
        facts.issued_on.year if facts.issued_on else 0
    )  # fmt: skip
    base = f"plan-{year}" if year else "plan"
    code, n = base, 2
    while Plan.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


@dataclass(frozen=True)
class _UnitDefaults:
    """Who answers for a proposed target, read once for all of a draft's proposals: a county
    target the counties' collective named where it stands; a city target the first unit of
    its section, or for 二、主要目标 the unit that leads the most 台账 rows (the plan's lead
    unit: 市科技局 in the 2022 plan)."""

    lookup: dict[str, str]
    collectives: list[str]
    section_units: dict[int, list[str]]
    lead: str

    @classmethod
    def of(cls, data: dict) -> "_UnitDefaults":
        lookup = unit_lookup()
        collectives = sorted(
            Unit.objects.filter(kind=Unit.Kind.COLLECTIVE).values_list("name", flat=True)
        )
        leads = Counter(split_unit_text(r["units_text"])[0] for r in data["ledger"])
        return cls(
            lookup=lookup,
            collectives=collectives,
            section_units={s["number"]: split_unit_text(s["units_text"]) for s in data["sections"]},
            lead=leads.most_common(1)[0][0] if leads else "",
        )

    def unit_for(self, proposal) -> str:
        spellings = self.section_units.get(proposal.section_number) or [self.lead]
        names = [self.lookup.get(s, s) for s in spellings if s]
        if proposal.scope == Target.Scope.EACH_COUNTY:
            named = [n for n in names if n in self.collectives]
            return next(iter(named + self.collectives), "")
        return names[0] if names else ""


@dataclass(frozen=True)
class Spelling:
    text: str  # as the 台账 or the text writes it
    unit: str  # the unit's name it resolves to, "" if unresolved
    how: str  # "name", "alias", "mapped", "new" or "" (unresolved)
    where: list[str]


def spellings(data: dict, lookup: dict[str, str] | None = None) -> list[Spelling]:
    """Every 责任单位 spelling of the draft's 台账 rows and sections, in order, with what it
    resolves to: the registry's names and aliases, then the admin's decisions."""
    lookup = unit_lookup() if lookup is None else lookup
    places: dict[str, list[str]] = {}
    for row in data["ledger"]:
        for text in split_unit_text(row["units_text"]):
            places.setdefault(text, []).append(_("台账第%(n)s项") % {"n": row["number"]})
    for section in data["sections"]:
        for text in split_unit_text(section["units_text"]):
            places.setdefault(text, []).append(_("正文%(s)s") % {"s": section["numeral"]})
    found = []
    for text, where in places.items():
        decision = data["spellings"].get(text, {})
        if text in lookup:
            how = "name" if lookup[text] == text else "alias"
            found.append(Spelling(text, lookup[text], how, where))
        elif decision.get("unit"):
            found.append(Spelling(text, decision["unit"], "mapped", where))
        elif decision.get("new"):
            found.append(Spelling(text, decision["new"]["name"], "new", where))
        else:
            found.append(Spelling(text, "", "", where))
    return found


def new_units(data: dict) -> dict[str, str]:
    """The units the admin asked to create: name → kind."""
    return {d["new"]["name"]: d["new"]["kind"] for d in data["spellings"].values() if d.get("new")}


def unit_names(data: dict, found: list[Spelling]) -> list[str]:
    """Units a target can be given: the registry's, the ones the draft will create and the
    draft's spellings (`found`, as `spellings` gives them) still to be mapped (each becomes a
    unit or an alias of one)."""
    names = list(Unit.objects.values_list("name", flat=True))
    more = [*new_units(data), *(s.text for s in found if s.how != "name")]
    return names + list(dict.fromkeys(n for n in more if n not in names))


def target_tasks(item: dict, ledger: list[dict]) -> list[int]:
    """The 台账 rows a target is stated in: its own 原文 or a repeat of it found in the row."""
    texts = [item["source_text"], *(text for text, _where in item.get("duplicates", []))]
    numbers = {
        int(m.group(1))
        for _text, where in item.get("duplicates", [])
        if (m := re.search(r"台账第(\d+)项", where))
    }
    if m := re.search(r"台账第(\d+)项", item["source_location"]):
        numbers.add(int(m.group(1)))
    for row in ledger:
        if any(t and t in row["measures"] for t in texts):
            numbers.add(row["number"])
    known = {row["number"] for row in ledger}
    return sorted(numbers & known)


class DraftNotReady(ValidationError):
    """What keeps a draft from being confirmed, in Chinese, one message a problem."""


@transaction.atomic
def confirm_draft(*, draft: PlanDraft, user) -> Plan:
    """Create the plan of a checked draft, all of it or nothing."""
    draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.is_confirmed:
        raise DraftNotReady(_("这份草稿已导入为方案“%(plan)s”。") % {"plan": draft.plan})
    data = draft.data
    unresolved = [s.text for s in spellings(data) if not s.unit]
    if unresolved:
        raise DraftNotReady(
            _("还有责任单位未对应到单位：%(names)s。") % {"names": "、".join(unresolved)}
        )
    if not data["ledger"]:
        raise DraftNotReady(_("台账中没有任务。"))
    meta = data["plan"]
    if Plan.objects.filter(code=meta["code"]).exists():
        raise DraftNotReady(_("代码“%(code)s”已被其他方案使用。") % {"code": meta["code"]})

    for name, kind in new_units(data).items():
        if not Unit.objects.filter(name=name).exists():
            position = (Unit.objects.order_by("-sort_order").values_list("sort_order", flat=True)
                        .first() or 0) + 10  # fmt: skip
            unit = Unit(name=name, kind=kind, sort_order=position)
            unit.full_clean()
            unit.save()
    for text, decision in data["spellings"].items():
        name = decision.get("unit") or (decision.get("new") or {}).get("name")
        if name and name != text and not UnitAlias.objects.filter(alias=text).exists():
            alias = UnitAlias(alias=text, unit=Unit.objects.get(name=name))
            alias.full_clean()
            alias.save()
    units = {u.name: u for u in Unit.objects.all()}
    lookup = {**units, **{a.alias: a.unit for a in UnitAlias.objects.select_related("unit")}}

    result = LoadResult()
    meta = {**meta, "sections": data["sections"]}
    loaded = load_plan_data(
        meta=meta, text=draft.text, ledger=data["ledger"], lookup=lookup, result=result
    )
    accepted = [t for t in data["targets"] if t.get("accepted")]
    for number, item in enumerate(accepted, start=1):
        try:
            load_target(loaded.plan, _fixture_item(item, number, data), loaded.sections,
                        loaded.tasks, lookup, result)  # fmt: skip
        except ValidationError as error:
            raise DraftNotReady(
                _("目标指标“%(label)s”：%(errors)s")
                % {"label": item["label"], "errors": "；".join(error.messages)}
            ) from error
    draft.plan = loaded.plan
    draft.save(update_fields=["plan", "updated_at"])
    return loaded.plan


def _fixture_item(item: dict, number: int, data: dict) -> dict:
    """A draft's target as targets.json writes one (targets/loading.py load_target)."""
    return {
        "key": f"t{number:02d}",
        "number": number,
        "section": item.get("section_number"),
        "label": item["label"],
        "measure": item["measure"],
        "comparator": item["comparator"],
        "value": item.get("value") or None,
        "value_high": item.get("value_high") or None,
        "tolerance": item.get("tolerance") or None,
        "accumulation": item["accumulation"],
        "benchmark_label": item.get("benchmark_label", ""),
        "scope": item["scope"],
        "units": [item["unit"]],
        "tasks": target_tasks(item, data["ledger"]),
        "quotes": [{"text": text, "location": where} for text, where in item.get("duplicates", [])],
        "cadence": item.get("cadence") or "quarterly",
        "entry_forms": ENTRY_FORMS.get(item["accumulation"], "level"),
        "source_text": item["source_text"],
        "source_location": item["source_location"],
        "note": "",
    }
