"""The 台账 export of a plan, imported as a new plan, reproduces its ledger exactly."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from dashboards.exporting import write_export
from dashboards.models import ExportJob
from demo.seeding import seed_demo
from targets.models import PlanDraft
from targets.onboarding import confirm_draft, spellings, start_draft
from tasks.models import Plan
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def ledger_of(plan: Plan) -> list[tuple]:
    return [
        (t.number, t.title, t.units_text, t.measures, t.deadline_text, t.note,
         t.section.numeral, t.section.title, t.section.units_text,
         [(a.unit_id, a.role, a.position) for a in t.assignments.all()])
        for t in plan.tasks.order_by("number").select_related("section")
        .prefetch_related("assignments")
    ]  # fmt: skip


@pytest.mark.parametrize("layout", ["a4", "a3", "screen"])
def test_a_plans_exported_ledger_imported_as_a_new_plan_reproduces_it(plan, admin_user, layout):
    # With a quarter's reports, so that each task spans one row per unit and long ones are
    # cut into （续） parts on A4.
    seed_demo(plan=plan, seed=3, today=dt.date(2026, 3, 1))
    job = ExportJob(
        plan=plan, period=f.period(plan, 2025, 4), unit=None, layout=layout, kind="ledger"
    )
    stream = io.BytesIO()
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False):
        write_export(job, stream)
    draft = start_draft(
        user=admin_user, ledger_name="台账导出.xlsx", ledger_data=stream.getvalue(),
        text_name="plan.txt", text_data=plan.text.encode(),
    )  # fmt: skip
    assert [s.text for s in spellings(draft.data) if not s.unit] == []
    draft.data["plan"]["code"] = "round-trip"
    draft.data["targets"] = []
    draft.save()
    again = confirm_draft(draft=PlanDraft.objects.get(pk=draft.pk), user=admin_user)
    assert again.code == "round-trip"
    assert ledger_of(again) == [
        (*row[:5], "", *row[6:]) for row in ledger_of(plan)
    ]  # the ledger's notes are the fixture's commentary, not the 台账's
    assert [(s.numeral, s.title, s.units_text) for s in again.sections.all()] == [
        (s.numeral, s.title, s.units_text) for s in plan.sections.all()
    ]
    assert get_user_model().objects.count() >= 1
