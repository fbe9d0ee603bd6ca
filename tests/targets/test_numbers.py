"""Reading a number as people write it (targets/numbers.py), and the same rule behind every value
field: the web form (reports/forms.py ValueForm) and the rows of the Excel import
(reports/importing.check_rows)."""

import datetime as dt
import re
from decimal import (
    Context,
    Decimal,
    Inexact,
    Overflow,
    Rounded,
    Underflow,
    localcontext,
)

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reports import importing, template_format, template_reading
from reports.duties import Duty
from reports.forms import ValueForm
from reports.models import TargetValue
from targets.measures import value_error
from targets.models import Target
from targets.numbers import decimal_places, parse_number
from tasks.models import ReportingPeriod, Task

FIELD = TargetValue._meta.get_field("value")
LIMITS = {"max_digits": FIELD.max_digits, "decimal_places": FIELD.decimal_places}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def parse(raw, **options):
    return parse_number(raw, **LIMITS, **options)


def test_the_value_field_holds_twelve_whole_digits_and_two_decimals():
    """The messages below quote these sizes; a migration that changes them changes the rule."""
    assert (FIELD.max_digits, FIELD.decimal_places) == (14, 2)


@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("12", {}, "12.00"),
        (" 12 ", {}, "12.00"),
        ("\u3000１２\u00a0", {}, "12.00"),  # ideographic and no-break spaces
        ("９９．５", {}, "99.50"),
        ("1,234.5", {}, "1234.50"),
        ("１，２３４", {}, "1234.00"),
        ("1,234,567.89", {}, "1234567.89"),
        ("+3", {}, "3.00"),
        ("−12", {}, "-12.00"),  # the mathematical minus; whether negative is allowed is measures'
        ("-0", {}, "0.00"),  # -0 is read as 0
        ("-0.00", {}, "0.00"),
        ("0E-999999", {}, "0.00"),
        ("1.500", {}, "1.50"),  # trailing zeros are not decimals
        ("1.5E3", {}, "1500.00"),
        (".5", {}, "0.50"),
        ("5.", {}, "5.00"),
        ("999999999999.99", {}, "999999999999.99"),
        (0.1 + 0.2, {}, "0.30"),  # Excel's 15 significant digits
        (-0.0, {}, "0.00"),
        (12, {}, "12.00"),
        (Decimal("2.3500"), {}, "2.35"),
        (Decimal("-0"), {}, "0.00"),
        ("55%", {"percent": True}, "55.00"),
        ("５５％", {"percent": True}, "55.00"),
        ("2.35 %", {"percent": True}, "2.35"),
        ("55", {"percent": True}, "55.00"),
        (0.0235, {"percent": True, "from_fraction": True}, "2.35"),  # 2.35% typed in Excel
        (0.6, {"percent": True, "from_fraction": True}, "60.00"),
    ],
)
def test_numbers_written_in_any_usual_way_are_read_exactly(raw, options, expected):
    value = parse(raw, **options)
    assert str(value) == expected
    FIELD.clean(value, None)  # fits the model field as it is


@pytest.mark.parametrize(
    ("raw", "options", "message"),
    [
        ("1e1000000", {}, "数值过大：整数部分最多 12 位（不超过 999999999999.99）"),
        ("1E-999999", {}, "最多保留两位小数。"),
        ("9" * 300, {}, "数值过大"),
        ("1" + "0" * 12, {}, "数值过大"),  # thirteen digits
        ("0." + "0" * 300 + "1", {}, "最多保留两位小数。"),
        ("1.234", {}, "最多保留两位小数。"),
        ("1e99999999999999999999", {}, "数值过大"),
        ("1e-99999999999999999999", {}, "最多保留两位小数。"),
        pytest.param(10**5000, {}, "数值过大", id="an-int-too-long-for-python-to-print"),
        (1e300, {}, "数值过大"),
        (Decimal("1E+1000000"), {}, "数值过大"),
        ("NaN", {}, "无穷大或非数字"),
        ("sNaN", {}, "无穷大或非数字"),
        ("-Infinity", {}, "无穷大或非数字"),
        ("inf", {}, "无穷大或非数字"),
        ("∞", {}, "无穷大或非数字"),
        (float("nan"), {}, "无穷大或非数字"),
        (float("-inf"), {}, "无穷大或非数字"),
        (Decimal("sNaN"), {}, "无穷大或非数字"),
        (Decimal("Infinity"), {}, "无穷大或非数字"),
        ("55%", {}, "不要带百分号"),
        (0.6, {"from_fraction": True}, "不要带百分号"),
        ("1,5", {}, "逗号只能用作千位分隔符"),  # 1.5 or 15? not guessed
        ("1,23", {}, "逗号只能用作千位分隔符"),
        ("1 234", {}, "请输入一个数字。"),
        ("12家", {}, "请输入一个数字。"),
        ("很多", {}, "请输入一个数字。"),
        ("١٢٣", {}, "请输入一个数字。"),  # Arabic-Indic digits, which Decimal() would take
        ("1_000", {}, "请输入一个数字。"),  # which Decimal() would take too
        ("²", {}, "请输入一个数字。"),
        ("1.2.3", {}, "请输入一个数字。"),
        ("--1", {}, "请输入一个数字。"),
        ("0x1A", {}, "请输入一个数字。"),
        ("1e", {}, "请输入一个数字。"),
        ("x" * 1000, {}, "内容过长"),
        ("", {}, "请填写数值。"),
        ("   ", {}, "请填写数值。"),
        (None, {}, "请填写数值。"),
        (True, {}, "请输入一个数字。"),
        (dt.date(2024, 6, 30), {}, "请输入一个数字。"),
    ],
)
def test_what_is_not_a_number_that_fits_gets_a_chinese_message(raw, options, message):
    with pytest.raises(ValidationError) as refused:
        parse(raw, **options)
    assert message in refused.value.messages[0]


def test_a_field_without_decimals_says_whole_numbers_only():
    assert parse_number("60", max_digits=3, decimal_places=0) == 60
    with pytest.raises(ValidationError, match="应为整数"):
        parse_number("12.5", max_digits=3, decimal_places=0)
    with pytest.raises(ValidationError, match="整数部分最多 3 位（不超过 999）"):
        parse_number("1000", max_digits=3, decimal_places=0)


def test_no_decimal_context_can_round_or_raise_in_the_parsing():
    hostile = Context(prec=2, Emax=10, Emin=-10, traps=[Inexact, Rounded, Overflow, Underflow])
    with localcontext(hostile):
        assert str(parse("123456789012.34")) == "123456789012.34"
        with pytest.raises(ValidationError):
            parse("1e1000000")


@pytest.mark.parametrize(
    ("value", "places"),
    [("2.350", 2), ("1E+3", 0), ("0E-5", 0), ("1E-999999", 999999), ("1E+1000000", 0),
     ("-0.10", 1), ("500.00", 0)],
)  # fmt: skip
def test_decimal_places_are_counted_without_a_context(value, places):
    assert decimal_places(Decimal(value)) == places


@pytest.mark.parametrize(
    ("measure", "value", "error"),
    [
        ("亿元", "1E+1000000", None),  # normalize() overflowed here: the size is parsing's rule
        ("%", "1E-999999", "百分比最多保留两位小数。"),
        ("家", "1E-999999", "以“家”计的数量应为整数。"),
        ("万元", "1E-999999", "金额以万元计，最多保留两位小数。"),
    ],
)
def test_the_measure_checks_never_raise_on_extreme_decimals(measure, value, error):
    assert value_error(measure, Decimal(value)) == error


@pytest.mark.django_db
def test_the_model_refuses_a_huge_value_with_a_message_not_an_overflow(plan):
    value = TargetValue(
        target=Target.objects.get(plan=plan, key="tech-contract-turnover"),
        value=Decimal("1E+1000000"),
    )
    with pytest.raises(ValidationError) as refused:
        value.full_clean(exclude=["unit", "period", "created_by", "updated_by"])
    assert "value" in refused.value.message_dict


FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


@given(
    value=st.decimals(
        min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2
    ),
    zeros=st.integers(0, 3),
)
def test_every_number_that_fits_is_read_as_itself_however_it_is_written(value, zeros):
    plain = f"{value:f}" + ("0" * zeros if "." in f"{value:f}" else "")
    grouped = f"{value:,.2f}"
    for written in (value, plain, grouped, grouped.translate(FULL_WIDTH), f" {plain} "):
        assert parse(written) == value, written
    assert parse(f"{plain}%", percent=True) == value
    assert parse(f"{value:E}") == value  # 1.234500E+3


# --- every value field: only a value that fits, or a Chinese message ---------------------------

NASTY = [
    "1e1000000", "1E-999999", "-0", "NaN", "sNaN", "Infinity", "-∞", "５５％", "９９．５",
    "１，２３４", "1,234.5", "55%", " 55 % ", "0.30000000000000004", "9" * 400, "1,5", "\x00",
    "１２３４５６７８９０１２．３４", "999999999999.995", "-999999999999.99",
]  # fmt: skip
NUMBERS = st.one_of(
    st.text(),
    st.text(alphabet="0123456789０１２３４５６７８９.,．，%％+-−eE ∞\u3000", max_size=40),
    st.from_regex(r"\A[+-]?[0-9]{0,20}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,9})?%?\Z"),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.builds(
        lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=40),
        st.integers(-(10**6), 10**6),
    ),
    st.sampled_from([*NASTY, Decimal("sNaN"), Decimal("-NaN"), float("nan"), -0.0, True]),
)
MEASURES = st.sampled_from([*Target.Measure.values, ""])
PERIOD = ReportingPeriod(year=2024, quarter=2, starts_on=dt.date(2024, 4, 1),
                         ends_on=dt.date(2024, 6, 30), due_on=dt.date(2024, 7, 10))  # fmt: skip


def _fits(value) -> None:
    assert isinstance(value, Decimal) and value.as_tuple().exponent == -FIELD.decimal_places
    FIELD.clean(value, None)  # the model field's own validators


def _is_a_message(messages) -> None:
    assert messages and all(CHINESE.search(str(m)) for m in messages), messages


@settings(max_examples=400, deadline=None)
@given(raw=NUMBERS, measure=MEASURES)
@example(raw="1e1000000", measure="家")
def test_the_value_form_gives_a_value_that_fits_or_a_message(raw, measure):
    target = Target(measure=measure or "家", input_measure=measure, entry_forms="level")
    data = {"value": raw, "data_source": "区统计局", "form": "level", "quality": "final",
            "covers_to": "2024-06-30"}  # fmt: skip
    form = ValueForm(data, target=target)
    if form.is_valid():
        _fits(form.cleaned_data["value"])
        assert value_error(measure, form.cleaned_data["value"]) is None
    else:
        _is_a_message(form.errors["value"])


def _value_row(raw, number_format: str) -> template_reading.ParsedTemplate:
    data_type = "s" if isinstance(raw, str) else "n"
    cells = [template_reading.CellValue(None)] * 9
    cells[3] = template_reading.CellValue(raw, data_type, number_format)
    cells[4] = template_reading.CellValue("区统计局", "s")
    cells[8] = template_reading.CellValue("target:1:actual", "s")
    return template_reading.ParsedTemplate(
        meta={},
        tasks=template_reading.Sheet(template_format.TASK_SHEET),
        values=template_reading.Sheet(template_format.VALUE_SHEET, [(2, cells)]),
    )


@settings(max_examples=400, deadline=None)
@given(raw=NUMBERS, measure=MEASURES, number_format=st.sampled_from(["General", "0.00", "0%"]))
@example(raw="1e1000000", measure="家", number_format="General")
@example(raw=1e300, measure="%", number_format="0%")
def test_a_value_cell_of_the_import_gives_a_value_that_fits_or_a_message(
    raw, measure, number_format
):
    target = Target(pk=1, measure=measure or "家", input_measure=measure, entry_forms="level")
    duty = Duty("target", target, "", None)
    changes, problems = importing.check_rows(_value_row(raw, number_format), [duty], PERIOD)
    if changes:
        [change] = changes
        _fits(change.content["value"])
        assert value_error(target.value_measure, change.content["value"]) is None
        assert not problems
    else:
        assert [p.column for p in problems] == ["数值"]
        _is_a_message([p.message for p in problems])


@settings(max_examples=300, deadline=None)
@given(raw=NUMBERS, number_format=st.sampled_from(["General", "0%"]))
@example(raw="1e1000000", number_format="General")
def test_the_percent_done_cell_of_the_import_gives_a_whole_percent_or_a_message(raw, number_format):
    cells = [template_reading.CellValue(None)] * 8
    cells[2], cells[3] = (
        template_reading.CellValue("进展", "s"),
        template_reading.CellValue("推进中", "s"),
    )
    cells[4] = template_reading.CellValue(raw, "s" if isinstance(raw, str) else "n", number_format)
    cells[7] = template_reading.CellValue("task:1", "s")
    parsed = template_reading.ParsedTemplate(
        meta={},
        tasks=template_reading.Sheet(template_format.TASK_SHEET, [(2, cells)]),
        values=template_reading.Sheet(template_format.VALUE_SHEET),
    )
    changes, problems = importing.check_rows(parsed, [Duty("task", Task(pk=1), "", None)], PERIOD)
    if changes:
        percent = changes[0].content["percent"]
        assert isinstance(percent, int) and 0 <= percent <= 100
    else:
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        message = (
            "请填写完成进度（必填，0 到 100 的整数，如 60）。"
            if blank
            else "完成进度应为 0 到 100 的整数。"
        )
        assert [(p.column, p.message) for p in problems] == [("完成进度（%）", message)]
