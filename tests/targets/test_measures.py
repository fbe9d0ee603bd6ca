from decimal import Decimal

import pytest

from targets.measures import value_error


@pytest.mark.parametrize(
    ("measure", "value", "error"),
    [
        ("%", "0", None),
        ("%", "100", None),
        ("%", "55.25", None),
        ("%", "100.01", "百分比应在 0 到 100 之间。"),
        ("%", "-1", "数值不能为负数。"),
        ("%", "12.345", "百分比最多保留两位小数。"),
        ("家", "500", None),
        ("家", "500.00", None),
        ("家", "500.5", "以“家”计的数量应为整数。"),
        ("名", "-3", "数值不能为负数。"),
        ("亿元", "3.5", None),
        ("亿元", "40.25", None),
        ("亿元", "3.500", None),
        ("亿元", "3.505", "金额以亿元计，最多保留两位小数。"),
        ("万元", "1000", None),
        ("家", "NaN", "请输入一个数字。"),
    ],
)
def test_a_value_is_checked_against_its_unit_of_measure(measure, value, error):
    assert value_error(measure, Decimal(value)) == error
