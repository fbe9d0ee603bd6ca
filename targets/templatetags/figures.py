"""How a figure reads on a page: counts whole, amounts and shares to their places, with the
date and quality of its data. Formatting only: the numbers come computed."""

from decimal import Decimal

from django import template

from targets.measures import COUNT_MEASURES

register = template.Library()


@register.filter
def in_measure(value, measure: str = "") -> str:
    """1316.63 家 → 1317; 33.2877 亿元 → 33.29; 55.50 % → 55.5; None → —."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if measure in COUNT_MEASURES:
        return str(value.quantize(Decimal(1)))
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
