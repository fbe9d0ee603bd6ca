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


def default_due_date(quarter: Quarter, days: int = DEFAULT_DUE_DAYS) -> dt.date:
    """The `days`-th day after the quarter ends: 2022 Q2 (ends 30 June) is due on 10 July."""
    return quarter.end + dt.timedelta(days=days)


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
