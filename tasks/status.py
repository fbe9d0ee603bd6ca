"""A ledger task's status in a period, from its units' reports: a plain function, no queries.

- 滞后 (lagging): any unit's approved report says 滞后, or a unit has not reported once the
  period is past due;
- 已完成 (done): every unit's approved report says 已完成;
- 推进中 (in progress): some unit's approved report says work is under way or done;
- 待审核 (awaiting review): none of that yet, but some unit has reported and the report awaits
  the plan office's review;
- 未启动 (not started): otherwise.
A draft is not yet a report. A submitted report counts as reported (its unit is not missing),
but what it says counts only once it is approved: until then its content is a matter between
the unit, its lead unit and the plan office (reports/access.py), and a status everyone reads must
not rest on it.
"""

from django.utils.translation import gettext_lazy as _

LAGGING, DONE, IN_PROGRESS, NOT_STARTED = "lagging", "done", "in_progress", "not_started"
AWAITING = "awaiting"
LABELS = {
    LAGGING: _("滞后"),
    DONE: _("已完成"),
    IN_PROGRESS: _("推进中"),
    AWAITING: _("待审核"),
    NOT_STARTED: _("未启动"),
}


def task_status(completions: list[str | None], *, overdue: bool) -> str:
    """`completions`: one entry per unit that owes a report: the 完成情况 of its approved report,
    AWAITING when its report is submitted and not yet reviewed, or None when it has not
    reported; `overdue`: the period's due date has passed."""
    if LAGGING in completions or (overdue and None in completions):
        return LAGGING
    if completions and all(c == DONE for c in completions):
        return DONE
    if any(c in (IN_PROGRESS, DONE) for c in completions):
        return IN_PROGRESS
    if AWAITING in completions:
        return AWAITING
    return NOT_STARTED
