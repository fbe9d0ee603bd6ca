"""Signals of the plan's data. `plan_data_changed` (sender: the writing code, plan=the Plan) is
sent by code that writes a plan's reports or targets in bulk, without saving each row, so
that what is computed from them (the read side's stored verdicts) is computed again."""

from django.dispatch import Signal

plan_data_changed = Signal()
