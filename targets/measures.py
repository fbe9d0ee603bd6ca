"""Whether a reported value fits its unit of measure.

A percentage lies from 0 to 100; a count (家/项/个/名) is a non-negative whole number; money
(亿元/万元) is non-negative with at most two decimals; a growth rate (同比增长) is a percentage
that may be negative, from −100 up. Pure functions: no queries.
Decimals are counted without a decimal context (targets/numbers.decimal_places): normalize()
overflows on a value such as 1E+1000000 and would turn a wrong figure into a server error.
"""

from decimal import Decimal

from targets.numbers import decimal_places

COUNT_MEASURES = {"家", "项", "个", "名"}
MONEY_MEASURES = {"亿元", "万元"}


def value_error(measure: str, value: Decimal, *, form: str = "level") -> str | None:
    """A Chinese message saying what is wrong with `value`, or None when it fits."""
    if not value.is_finite():
        return "请输入一个数字。"
    if form == "growth":
        if value <= -100 or value > 1000:
            return "同比增速应大于 -100%，且不超过 1000%。"
        if decimal_places(value) > 2:
            return "增速最多保留两位小数。"
        return None
    if value < 0:
        return "数值不能为负数。"
    if measure == "%":
        if value > 100:
            return "百分比应在 0 到 100 之间。"
        if decimal_places(value) > 2:
            return "百分比最多保留两位小数。"
    elif measure in COUNT_MEASURES:
        if decimal_places(value) > 0:
            return f"以“{measure}”计的数量应为整数。"
    elif measure in MONEY_MEASURES:
        if decimal_places(value) > 2:
            return f"金额以{measure}计，最多保留两位小数。"
    return None
