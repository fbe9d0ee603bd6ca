"""A ledger task's status in a period, from its units' reports: a plain function, no queries.

- 滞后 (lagging): any unit reports 滞后, or a unit has not reported once the period is past due;
- 已完成 (done): every unit reports 已完成;
- 推进中 (in progress): some unit reports work under way or done;
- 未启动 (not started): otherwise.
Only submitted or approved reports count; a draft is not yet a report.
"""

from django.utils.translation import gettext_lazy as _

LAGGING, DONE, IN_PROGRESS, NOT_STARTED = "lagging", "done", "in_progress", "not_started"
LABELS = {LAGGING: _("滞后"), DONE: _("已完成"), IN_PROGRESS: _("推进中"), NOT_STARTED: _("未启动")}


def task_status(completions: list[str | None], *, overdue: bool) -> str:
    """`completions`: one entry per unit that owes a report, its reported 完成情况 or None when
    it has not reported; `overdue`: the period's due date has passed."""
    if LAGGING in completions or (overdue and None in completions):
        return LAGGING
    if completions and all(c == DONE for c in completions):
        return DONE
    if any(c in (IN_PROGRESS, DONE) for c in completions):
        return IN_PROGRESS
    return NOT_STARTED
