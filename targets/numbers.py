"""Reading a number as people write it, in the web form or in a cell of the Excel template.

One function for both routes (reports/forms.py ValueForm, reports/importing.py), so that a figure
accepted on one is accepted on the other, with the same message when it is not. Pure: no
queries, no settings.

Accepted:
- ASCII or full-width digits, point, comma, signs and percent sign (１２３４．５, ５５％: what a
  Chinese input method types), and spaces around the number (the ideographic one too);
- thousands separators in groups of three: 1,234.5 and １，２３４. "1,5" is refused rather than
  guessed: it is 1.5 in half of Europe and 15 to someone who mistyped;
- a sign, the mathematical minus (−) too, and an exponent (1.5E3, as Excel shows large numbers);
- a trailing % only where the value is itself a percentage (`percent=True`): 55% is 55;
- ints, Decimals, and floats. A float is read to 15 significant digits, the precision of an
  Excel cell: 0.1 + 0.2 is stored as 0.30000000000000004 but Excel shows, and the user meant, 0.3.

Refused with a Chinese message (ValidationError): NaN, sNaN, Infinity, ∞; more integer digits or
more decimals than the field holds (trailing zeros do not count: 1.500 is 1.5); anything else.

-0 (and -0.00, 0E-999999) is read as 0, not refused: zero is a meaningful figure (nothing added
this quarter) and the sign of a zero carries nothing. A negative number stays negative; whether
it may be reported is the target's rule (targets/measures.py).

No decimal arithmetic is done: digits are counted on the text or on Decimal.as_tuple() and the
result is built from its digits, so no context (precision, Emax, traps: 1e1000000 overflows the
default one) can round or raise. The size is checked before anything is built.
"""

import math
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMPTY = gettext_lazy("请填写数值。")
NOT_A_NUMBER = gettext_lazy("请输入一个数字。")
NOT_FINITE = gettext_lazy("请填写具体的数值，不能是无穷大或非数字（NaN）。")
PERCENT_SIGN = gettext_lazy("本项不以百分比计，请只填写数字，不要带百分号。")
GROUPING = gettext_lazy("逗号只能用作千位分隔符（每三位一个，如 1,234.5）；小数请用小数点。")
TOO_LONG = gettext_lazy("内容过长，请只填写一个数字。")

# Full-width ASCII (U+FF01–U+FF5E) to ASCII, the ideographic and no-break spaces to a space, the
# mathematical minus to a hyphen. Not NFKC: it would read ² as 2 and ½ as 1⁄2.
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    0x00A0: 0x20,
    0x202F: 0x20,
    0x2212: 0x2D,
}
# ASCII digits only: Python's \d and Decimal() also take Arabic-Indic or Devanagari digits.
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?:(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<part>[0-9]*))?|\.(?P<only>[0-9]+))"
    r"(?:[eE](?P<exponent>[+-]?[0-9]+))?",
    re.ASCII,
)
_NOT_FINITE_WORDS = {"nan", "snan", "qnan", "inf", "infinity", "∞", "无穷", "无穷大"}
_MAX_TEXT = 400  # characters; far more than any number a field here holds
_MAX_EXPONENT_DIGITS = 9  # beyond this the exponent alone decides: too large, or too small


def parse_number(
    raw,
    *,
    max_digits: int,
    decimal_places: int,
    percent: bool = False,
    from_fraction: bool = False,
) -> Decimal:
    """`raw` (text, int, float or Decimal) as a Decimal with exactly `decimal_places` places
    that fits a DecimalField(max_digits, decimal_places); else ValidationError in Chinese.

    `percent`: the value is a percentage, so a trailing % is allowed (and ignored).
    `from_fraction`: `raw` is a fraction of one shown as a percentage (Excel stores 0.6 in a
    cell formatted 0% when one types 60%): the result is raw × 100; refused unless `percent`.
    Edge cases (see the module's docstring): -0 is 0; 1.500 fits two places; NaN, ∞, bools
    and dates are refused.
    """
    sign, digits, exponent = _parts(raw, percent=percent)
    if from_fraction:
        if not percent:
            raise ValidationError(PERCENT_SIGN)
        exponent += 2
    return _fit(sign, digits, exponent, max_digits=max_digits, decimal_places=decimal_places)


def decimal_places(value: Decimal) -> int:
    """How many decimals a finite Decimal really has: 2.350 has two, 1E+3 none. No context is
    used (Decimal.normalize() overflows on 1E+1000000)."""
    _sign, digits, exponent = value.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant.lstrip("0"):
        return 0  # zero, whatever its exponent
    return max(0, -(exponent + len(digits) - len(significant)))


def _parts(raw, *, percent: bool) -> tuple[int, str, int]:
    """(sign, digits, exponent) of the number, raw = ±digits × 10**exponent."""
    if isinstance(raw, bool) or raw is None:
        raise ValidationError(EMPTY if raw is None else NOT_A_NUMBER)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValidationError(NOT_FINITE)
        sign, digit_tuple, exponent = raw.as_tuple()
        return sign, "".join(map(str, digit_tuple)), exponent
    if isinstance(raw, int):
        if raw.bit_length() > 4 * _MAX_TEXT:
            # Too large for any field, and str() refuses ints of more than 4,300 digits.
            return int(raw < 0), "1", 10**_MAX_EXPONENT_DIGITS
        return int(raw < 0), str(abs(raw)), 0
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValidationError(NOT_FINITE)
        raw = format(raw, ".15g")
    elif not isinstance(raw, str):
        raise ValidationError(NOT_A_NUMBER)  # a date, a list…
    return _text_parts(raw, percent=percent)


def _text_parts(text: str, *, percent: bool) -> tuple[int, str, int]:
    text = text.translate(_NARROW).strip()
    if not text:
        raise ValidationError(EMPTY)
    if len(text) > _MAX_TEXT:
        raise ValidationError(TOO_LONG)
    if text.endswith("%"):
        if not percent:
            raise ValidationError(PERCENT_SIGN)
        text = text[:-1].rstrip()
    if text.lstrip("+-").lower() in _NOT_FINITE_WORDS:
        raise ValidationError(NOT_FINITE)
    match = _NUMBER.fullmatch(text)
    if match is None:
        if "," in text and _NUMBER.fullmatch(text.replace(",", "")):
            raise ValidationError(GROUPING)
        raise ValidationError(NOT_A_NUMBER)
    whole = (match["whole"] or "").replace(",", "")
    part = match["part"] or match["only"] or ""
    exponent_text = (match["exponent"] or "0").lstrip("+")
    negative_exponent = exponent_text.startswith("-")
    exponent_digits = exponent_text.lstrip("-").lstrip("0") or "0"
    if len(exponent_digits) > _MAX_EXPONENT_DIGITS:
        # ±10**(a billion or more): what decides is only whether the number is zero.
        exponent = -(10**_MAX_EXPONENT_DIGITS) if negative_exponent else 10**_MAX_EXPONENT_DIGITS
    else:
        exponent = -int(exponent_digits) if negative_exponent else int(exponent_digits)
    return int(match["sign"] == "-"), whole + part, exponent - len(part)


def _fit(sign: int, digits: str, exponent: int, *, max_digits: int, decimal_places: int):
    significant = digits.lstrip("0")
    if not significant:
        return Decimal((0, (0,), -decimal_places))  # zero, of any sign or exponent
    stripped = significant.rstrip("0")
    exponent += len(significant) - len(stripped)
    if -exponent > decimal_places:
        if decimal_places == 0:
            raise ValidationError(_("应为整数。"))
        if decimal_places == 2:  # the places of every value field here, said as people say it
            raise ValidationError(_("最多保留两位小数。"))
        raise ValidationError(_("最多保留 %(places)s 位小数。") % {"places": decimal_places})
    whole_digits = max_digits - decimal_places
    if len(stripped) + exponent > whole_digits:
        largest = "9" * whole_digits + ("." + "9" * decimal_places if decimal_places else "")
        raise ValidationError(
            _("数值过大：整数部分最多 %(digits)s 位（不超过 %(largest)s），请核对计量单位。")
            % {"digits": whole_digits, "largest": largest}
        )
    coefficient = stripped + "0" * (exponent + decimal_places)
    return Decimal((sign, tuple(map(int, coefficient)), -decimal_places))
