import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from targets.models import Target
from tests.plan_text import plan_text

pytestmark = pytest.mark.django_db

# Numbers the plan writes in words rather than digits.
WORDED = {"rd-intensity": None, "county-incubators": "一家"}
WORDED |= {key: "全覆盖" for key in ("coverage-key-industries", "coverage-high-tech-enterprises",
                                     "coverage-tech-smes")}  # fmt: skip


def test_the_plan_has_thirty_quantified_targets_with_unique_keys(plan):
    keys = list(Target.objects.in_plan(plan).values_list("key", flat=True))
    assert len(keys) == 30 == len(set(keys))


def test_every_target_quote_is_found_verbatim_in_the_plan_text(plan):
    text = plan_text()
    for target in Target.objects.in_plan(plan).prefetch_related("quotes"):
        assert target.source_text in text, target.key
        for quote in target.quotes.all():
            assert quote.text in text, (target.key, quote.text)


def test_every_target_value_is_the_number_its_quote_states(plan):
    for target in Target.objects.in_plan(plan):
        if target.key in WORDED:
            if WORDED[target.key]:
                assert WORDED[target.key] in target.source_text
            continue
        numbers = {Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", target.source_text)}
        assert target.value in numbers, target.key
        if target.value_high is not None:
            assert target.value_high in numbers, target.key


def test_every_target_has_responsible_units_and_those_with_a_task_link_their_task(plan):
    for target in Target.objects.in_plan(plan).prefetch_related("units", "tasks"):
        assert target.units.exists(), target.key
        if target.section_id:
            assert target.tasks.exists(), target.key
            assert {t.section_id for t in target.tasks.all()} == {target.section_id}, target.key


def test_the_seven_main_goals_of_part_two_are_all_targets(plan):
    main = dict(
        Target.objects.in_plan(plan).filter(section__isnull=True).values_list("key", "accumulation")
    )
    assert main == {
        "rd-intensity": "benchmark",
        "rd-growth": "growth",
        "high-tech-enterprises": "level",
        "innovation-leaders": "level",
        "gazelle-eaglet-enterprises": "level",
        "tech-smes": "level",
        "high-tech-industry-share": "share",
    }


@pytest.mark.parametrize(
    ("key", "measure", "comparator", "value", "value_high", "tolerance", "accumulation", "scope"),
    [
        ("high-tech-enterprises", "家", "at_least", "500", None, None, "level", "city"),
        ("innovation-leaders", "家", "about", "10", None, "1", "level", "city"),
        ("rd-growth", "%", "at_least", "19", None, None, "growth", "city"),
        ("rd-intensity", "%", "at_least", None, None, None, "benchmark", "city"),
        ("high-tech-industry-share", "%", "at_least", "55", None, None, "share", "city"),
        ("major-specials-per-year", "个", "at_least", "10", None, None, "annual", "city"),
        ("provincial-key-projects", "项", "at_least", "200", None, None, "cumulative", "city"),
        ("platforms-total", "家", "more_than", "1000", None, None, "level", "city"),
        ("tech-transfer-institutions", "家", "range", "10", "15", None, "cumulative", "city"),
        ("tech-contract-turnover", "亿元", "at_least", "40", None, None, "annual", "city"),
        ("county-tech-contract-turnover", "亿元", "at_least", "3.5", None, None, "annual",
         "each_county"),
        ("county-incubators", "家", "at_least", "1", None, None, "level", "each_county"),
        ("graduate-recruits-per-year", "名", "about", "100", None, "10", "annual", "city"),
        ("academician-workstations", "家", "at_least", "5", None, None, "cumulative", "city"),
        ("high-level-teams", "个", "about", "50", None, "5", "cumulative", "city"),
    ],
)  # fmt: skip
def test_each_kind_of_commitment_is_recorded_as_the_plan_words_it(
    plan, key, measure, comparator, value, value_high, tolerance, accumulation, scope
):
    target = Target.objects.get(plan=plan, key=key)
    as_decimal = lambda v: None if v is None else Decimal(v)  # noqa: E731
    assert (
        target.measure, target.comparator, target.value, target.value_high, target.tolerance,
        target.accumulation, target.scope,
    ) == (
        measure, comparator, as_decimal(value), as_decimal(value_high), as_decimal(tolerance),
        accumulation, scope,
    )  # fmt: skip


def test_county_targets_are_owned_by_the_collective_of_counties(plan):
    for target in Target.objects.in_plan(plan).filter(scope="each_county"):
        assert list(target.units.values_list("name", flat=True)) == ["各县市区政府（管委会）"]


def test_benchmark_targets_name_their_benchmark(plan):
    target = Target.objects.get(plan=plan, key="rd-intensity")
    assert target.benchmark_label == "全省平均水平"
    assert target.goal_display == "不低于全省平均水平"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"comparator": "at_least", "value": Decimal("500.00"), "measure": "家"}, "500 家以上"),
        ({"comparator": "more_than", "value": Decimal("1000"), "measure": "家"}, "超过 1000 家"),
        ({"comparator": "range", "value": Decimal("10"), "value_high": Decimal("15"),
          "measure": "家"}, "10—15 家"),
        ({"comparator": "about", "value": Decimal("10"), "tolerance": Decimal("1"),
          "measure": "家"}, "10 家左右（±1）"),
        ({"comparator": "at_least", "value": Decimal("3.50"), "measure": "亿元"}, "3.5 亿元以上"),
        ({"comparator": "at_least", "value": Decimal("55"), "measure": "%"}, "55%以上"),
    ],
)  # fmt: skip
def test_a_goal_reads_in_the_plans_own_words(fields, expected):
    assert Target(accumulation="level", **fields).goal_display == expected


@pytest.mark.parametrize(
    "changes",
    [
        {"comparator": "range", "value_high": None},
        {"comparator": "range", "value_high": Decimal("5")},
        {"comparator": "about", "tolerance": None},
        {"value": None},
        {"accumulation": "benchmark", "benchmark_label": ""},
    ],
)
def test_the_database_refuses_a_target_that_contradicts_itself(plan, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(plan=plan, key="high-tech-enterprises").update(**changes)
