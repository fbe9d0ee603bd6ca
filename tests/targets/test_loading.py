import datetime as dt
import json
import shutil

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from targets.loading import FIXTURES_DIR, load_plan
from targets.models import Target, TargetQuote
from tasks.models import Plan, Section, Task, TaskUnit, Unit, UnitAlias
from tasks.units import UnknownUnitError, split_unit_text
from tests.plan_text import FIXTURE_TEXT, SHARED_SEED, ledger_rows

pytestmark = pytest.mark.django_db

COUNTY_LEVEL = [
    "宛城区", "卧龙区", "南召县", "方城县", "西峡县", "镇平县", "内乡县", "淅川县", "社旗县",
    "唐河县", "新野县", "桐柏县", "邓州市",
    "高新区管委会", "城乡一体化示范区管委会", "经开区管委会", "鸭河工区管委会", "官庄工区管委会",
]  # fmt: skip


def snapshot() -> dict:
    """Every row the loader writes, as plain values."""
    return {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in (Plan, Unit, UnitAlias, Section, Task, TaskUnit, Target, TargetQuote)
    } | {
        "members": sorted(Unit.members.through.objects.values_list("from_unit", "to_unit")),
        "section_units": sorted(Section.units.through.objects.values_list("section", "unit")),
        "target_units": sorted(Target.units.through.objects.values_list("target", "unit")),
        "target_tasks": sorted(Target.tasks.through.objects.values_list("target", "task")),
    }


def test_the_plan_loads_with_its_document_number_dates_and_period(plan):
    assert plan.title == "南阳市实施创新创业行动工作方案"
    assert plan.doc_number == "宛办〔2022〕16号"
    assert plan.issued_on == dt.date(2022, 5, 13)
    assert (plan.period_start, plan.period_end) == (dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    assert plan.text == FIXTURE_TEXT.read_text(encoding="utf-8")


def test_the_fixture_copy_of_the_plan_is_the_shared_seed_byte_for_byte():
    if not SHARED_SEED.exists():
        pytest.skip(f"the shared seed is not beside this checkout ({SHARED_SEED})")
    assert FIXTURE_TEXT.read_bytes() == SHARED_SEED.read_bytes()


def test_there_are_exactly_22_tasks_equal_to_the_ledger_character_for_character(plan):
    rows = ledger_rows()
    assert len(rows) == 22
    tasks = list(Task.objects.in_plan(plan).order_by("number"))
    assert [(str(t.number), t.title, t.units_text, t.deadline_text) for t in tasks] == [
        (number, title, units, deadline) for number, title, units, _measures, deadline in rows
    ]


def test_measures_equal_the_ledger_with_only_the_paragraph_markup_removed(plan):
    for number, _title, _units, measures, _deadline in ledger_rows():
        task = Task.objects.get(plan=plan, number=int(number))
        if measures.startswith("<p>"):
            assert measures == f"<p>{task.measures}</p>"
            assert "段落标记" in task.note
        else:
            assert task.measures == measures


def test_tasks_belong_to_the_sections_of_part_three_in_order(plan):
    numerals = {t.number: t.section.numeral for t in Task.objects.in_plan(plan)}
    assert [numerals[n] for n in (1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19, 22)] == [
        "（一）", "（一）", "（二）", "（二）", "（三）", "（三）", "（四）", "（四）",
        "（五）", "（五）", "（六）", "（六）", "（七）", "（七）",
    ]  # fmt: skip


def test_every_unit_string_in_the_ledger_and_the_sections_resolves_to_a_known_unit(plan):
    known = set(Unit.objects.values_list("name", flat=True)) | set(
        UnitAlias.objects.values_list("alias", flat=True)
    )
    strings = {s for row in ledger_rows() for s in split_unit_text(row[2])}
    strings |= {s for sec in Section.objects.all() for s in split_unit_text(sec.units_text)}
    assert strings - known == set()
    assert {"发展改革委", "市工业和信息化部", "各县市区委（管委會）"} <= strings


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("发展改革委", "市发展改革委"),
        ("市工业和信息化部", "市工业和信息化局"),
        ("各县市区委（管委會）", "各县市区政府（管委会）"),
        ("各县市区政府(管委会)", "各县市区政府（管委会）"),
        ("市卫生健康委", "市卫生健康体育委"),
    ],
)
def test_aliases_resolve_to_the_canonical_unit(alias, canonical):
    assert UnitAlias.objects.get(alias=alias).unit.name == canonical


def test_the_first_unit_listed_leads_and_the_rest_are_co_units(plan):
    task = Task.objects.get(plan=plan, number=10)
    assert [(a.unit.name, a.role) for a in task.assignments.order_by("position")] == [
        ("市发展改革委", "lead"),
        ("市科技局", "co"),
        ("市工业和信息化局", "co"),
    ]
    for task in Task.objects.in_plan(plan):
        assert task.assignments.filter(role="lead").count() == 1


def test_a_unit_listed_twice_in_row_8_counts_once(plan):
    task = Task.objects.get(plan=plan, number=8)
    assert task.units_text.count("市工业和信息化局") == 2
    assert list(task.units.order_by("assignments__position").values_list("name", flat=True)) == [
        "市发展改革委",
        "市科技局",
        "市工业和信息化局",
    ]


def test_the_collective_expands_to_every_county_level_unit_of_nanyang():
    collective = Unit.objects.get(name="各县市区政府（管委会）")
    assert collective.kind == Unit.Kind.COLLECTIVE
    assert sorted(collective.members.values_list("name", flat=True)) == sorted(COUNTY_LEVEL)
    kinds = set(collective.members.values_list("kind", flat=True))
    assert kinds == {Unit.Kind.COUNTY, Unit.Kind.ZONE}


def test_a_county_owns_the_tasks_of_its_collective(plan):
    wolong = Unit.objects.get(name="卧龙区")
    numbers = Task.objects.in_plan(plan).owned_by(wolong).values_list("number", flat=True)
    assert sorted(numbers) == [11, 12, 15]


def test_tasks_whose_ledger_units_differ_from_the_body_text_carry_a_note_naming_the_difference(
    plan,
):
    differing = {}
    for task in Task.objects.in_plan(plan).select_related("section"):
        extra = set(task.units.all()) - set(task.section.units.all())
        if extra:
            differing[task.number] = extra
            for unit in extra:
                assert unit.name in task.note, (task.number, unit.name)
    # 三（三） does not name 市教育局 (row 7); 三（七） does not name 市教育局 either (row 21).
    assert {n: {u.name for u in units} for n, units in differing.items()} == {
        7: {"市教育局"},
        21: {"市教育局"},
    }


def test_loading_twice_changes_nothing():
    before = snapshot()
    result = load_plan()
    assert not result.changed, result.summary()
    assert snapshot() == before


def test_a_dry_run_on_an_empty_database_reports_the_work_and_writes_nothing():
    Target.objects.all().delete()
    Task.objects.all().delete()
    Section.objects.all().delete()
    Plan.objects.all().delete()
    result = load_plan(dry_run=True)
    assert result.created["重点任务"] == 22
    assert result.created["目标指标"] == 30
    assert not Plan.objects.exists()


def test_a_reload_brings_an_edited_task_back_to_the_plan_text(plan):
    Task.objects.filter(plan=plan, number=1).update(title="改过的名称")
    result = load_plan()
    assert result.updated == {"重点任务": 1}
    assert Task.objects.get(plan=plan, number=1).title == "实施重大科技专项"


def test_a_reload_keeps_the_county_list_that_admins_edited():
    collective = Unit.objects.get(name="各县市区政府（管委会）")
    collective.members.remove(Unit.objects.get(name="官庄工区管委会"))
    load_plan()
    assert not collective.members.filter(name="官庄工区管委会").exists()
    assert collective.members.count() == len(COUNTY_LEVEL) - 1


@pytest.fixture
def broken_fixtures(tmp_path):
    shutil.copytree(FIXTURES_DIR, tmp_path / "fixtures")
    ledger = tmp_path / "fixtures" / "innovation-2022" / "ledger.json"
    rows = json.loads(ledger.read_text(encoding="utf-8"))
    rows[0]["title"] = "不应保存的新标题"
    rows[4]["units_text"] = "市科技局、市不存在局"
    ledger.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return tmp_path / "fixtures"


def test_an_unknown_unit_is_refused_by_name_and_nothing_is_saved(plan, broken_fixtures):
    with pytest.raises(UnknownUnitError, match=r"市不存在局.*台账第5项"):
        load_plan(fixtures_dir=broken_fixtures)
    assert Task.objects.get(plan=plan, number=1).title == "实施重大科技专项"


def test_the_command_reports_what_it_did_and_that_a_second_run_changed_nothing(capsys):
    call_command("load_plan")
    assert "无变化" in capsys.readouterr().out
    call_command("load_plan", "--dry-run")
    assert "试运行" in capsys.readouterr().out


def test_the_command_refuses_a_plan_that_is_not_in_the_fixtures():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有这些方案"):
        call_command("load_plan", "--plan", "no-such-plan")


def test_the_database_allows_only_one_lead_unit_per_task(plan):
    task = Task.objects.get(plan=plan, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskUnit.objects.filter(task=task).update(role="lead")
