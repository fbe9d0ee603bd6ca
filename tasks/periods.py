"""Quarterly reporting periods: which quarters exist, when each is due, which one is open.

Reporting starts with the quarter in which the plan was issued (宛办〔2022〕16号 was issued on
2022-05-13, so 2022 Q2) and ends with the quarter holding the end of the plan period
(2025-12-31, so 2025 Q4): fifteen quarters. These are plain functions over dates and unsaved
values; they run no queries.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.utils.translation import gettext

# 季度结束后第10天: the report on a quarter is due ten days after it ends.
DEFAULT_DUE_DAYS = 10
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if self.number not in QUARTER_NAMES:
            raise ValueError(f"a quarter is numbered 1 to 4, not {self.number}")

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        following = self.next()
        return following.start - dt.timedelta(days=1)

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @property
    def label(self) -> str:
        """The quarter as documents, exports, e-mails and stored verdicts write it (Chinese)."""
        return f"{self.year}年第{QUARTER_NAMES[self.number]}季度"

    @classmethod
    def from_label(cls, label: str) -> "Quarter":
        """The quarter `label` names (2024年第二季度)."""
        year, name = label[:4], label[6:7]
        numbers = {v: k for k, v in QUARTER_NAMES.items()}
        if (
            not year.isdigit()
            or name not in numbers
            or cls(int(year), numbers[name]).label != label
        ):
            raise ValueError(f"not a quarter: {label!r}")
        return cls(int(year), numbers[name])

    @property
    def display_label(self) -> str:
        """The quarter in the page's language: 2024年第二季度, or Q2 2024."""
        # xgettext:no-python-format (English drops the Chinese numeral: "Q%(n)s %(year)s")
        return gettext("%(year)s年第%(cn)s季度") % {
            "year": self.year, "cn": QUARTER_NAMES[self.number], "n": self.number,
        }  # fmt: skip


# The quarters a period ends with, by the plan's reporting cadence (Plan.Cadence), and how many
# quarters each period spans.
CADENCE_QUARTERS = {"quarterly": (1, 2, 3, 4), "half_yearly": (2, 4), "yearly": (4,)}
CADENCE_SPAN = {"quarterly": 1, "half_yearly": 2, "yearly": 4}
HALVES = {2: "上半年", 4: "下半年"}


@dataclass(frozen=True)
class Span:
    """A reporting period before it is saved: the quarter it ends with and its first day."""

    year: int
    quarter: int
    starts_on: dt.date
    ends_on: dt.date


def periods_between(first_day: dt.date, last_day: dt.date, cadence: str) -> list[Span]:
    """The reporting periods from the one holding first_day to the one holding last_day: a
    quarter each (每季度), a half-year (每半年: 1—6月, 7—12月) or a year (每年)."""
    span = CADENCE_SPAN[cadence]
    ends = CADENCE_QUARTERS[cadence]
    found = []
    for quarter in quarters_between(first_day, last_day):
        if quarter.number not in ends:
            continue
        first = Quarter(quarter.year, quarter.number - span + 1)
        found.append(Span(quarter.year, quarter.number, first.start, quarter.end))
    last = quarter_of(last_day)
    if last.number not in ends:  # the plan ends inside a period: that period still counts
        number = min(n for n in ends if n > last.number)
        end = Quarter(last.year, number)
        first = Quarter(last.year, number - span + 1)
        found.append(Span(last.year, number, first.start, end.end))
    return [s for s in found if s.ends_on >= first_day]


def period_label(year: int, quarter: int, starts_on: dt.date) -> str:
    """A period as documents write it: 2024年第二季度, 2026年上半年, 2027年度."""
    months = quarter * 3 - starts_on.month + 1
    if months == 6:
        return f"{year}年{HALVES[quarter]}"
    if months == 12:
        return f"{year}年度"
    return Quarter(year, quarter).label


def display_label(label: str) -> str:
    """A period's label (period_label) in the page's language."""
    if label.endswith("季度"):
        return Quarter.from_label(label).display_label
    year = label[:4]
    if label.endswith("年度"):
        # xgettext:no-python-format
        return gettext("%(year)s年度") % {"year": year}
    half = {"上半年": 1, "下半年": 2}[label[5:]]
    # xgettext:no-python-format (English: "H1 2026")
    return gettext("%(year)s年%(half)s") % {"year": year, "half": label[5:], "n": half}


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_between(first_day: dt.date, last_day: dt.date) -> list[Quarter]:
    """Every quarter that holds a day from first_day to last_day, in order; [] if reversed."""
    if last_day < first_day:
        return []
    quarters = [quarter_of(first_day)]
    while quarters[-1] < quarter_of(last_day):
        quarters.append(quarters[-1].next())
    return quarters


def default_due_date(quarter: Quarter) -> dt.date:
    """The 10th day after the quarter ends: 2022 Q2 (ends 30 June) is due on 10 July."""
    return quarter.end + dt.timedelta(days=DEFAULT_DUE_DAYS)


class PeriodLike(Protocol):
    starts_on: dt.date
    due_on: dt.date
    is_closed: bool


P = TypeVar("P", bound=PeriodLike)


def open_period(periods: list[P], today: dt.date) -> P | None:
    """The period a unit reports on today.

    A period opens on its first day and stays open until its due date, so in the first days
    of a quarter two periods overlap (1–10 July: 2022 Q2 is still due, 2022 Q3 has begun); the
    earlier one is the open one until its due date has passed. Closed periods never open.
    Before the first period starts, or once every period is past due or closed, none is open.
    """
    candidates = [p for p in periods if not p.is_closed and p.starts_on <= today <= p.due_on]
    return min(candidates, key=lambda p: p.starts_on, default=None)
