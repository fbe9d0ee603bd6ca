"""The 台账 page is drawn once for each content version of the plan (tasks/pages.py,
tasks/receivers.py): served again from the cache, and drawn afresh after any change to what it
shows — a task's text, its units, a unit's name, a section's title, a bulk write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import Plan, Section, Task, TaskUnit, Unit
from tasks.signals import plan_data_changed
from tests.dashboards.test_verdicts import main_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(client, leader, plan):
    client.force_login(leader)
    url = reverse("tasks:ledger", args=[plan.code])

    def get(**params) -> str:
        response = client.get(url, params)
        assert response.status_code == 200
        return main_of(response)

    return get


def test_the_ledger_is_served_from_the_cache_until_its_data_changes(client, ledger, plan):
    first = ledger()
    with CaptureQueriesContext(connection) as queries:
        assert ledger() == first
    assert len(queries) <= 6  # session, user, profile, plan, the menu's: no task is read

    task = Task.objects.in_plan(plan).get(number=7)
    task.title = "新的任务标题"
    task.save()
    assert "新的任务标题" in ledger()

    unit = Unit.objects.get(name="卧龙区")
    unit.name = "卧龙区（新）"
    unit.save()
    assert "卧龙区（新）" in ledger()

    section = Section.objects.filter(plan=plan).first()
    section.title = "新的部分标题"
    section.save()
    assert "新的部分标题" in ledger()


def test_a_tasks_new_unit_shows_at_once(ledger, plan):
    task = Task.objects.in_plan(plan).get(number=1)
    outsider = Unit.objects.countable().exclude(assignments__task=task).order_by("pk").first()
    assert task.title not in ledger(unit=outsider.pk)  # the unit's own tasks only
    TaskUnit.objects.create(task=task, unit=outsider, role=TaskUnit.Role.CO, position=99)
    assert task.title in ledger(unit=outsider.pk)


def test_a_bulk_write_is_a_new_version(ledger, plan):
    ledger()
    before = Plan.objects.get(pk=plan.pk).content_version
    plan_data_changed.send(sender=test_a_bulk_write_is_a_new_version, plan=plan)
    assert Plan.objects.get(pk=plan.pk).content_version == before + 1


def test_each_filter_has_its_own_page(ledger, plan):
    kjj = Unit.objects.get(name="市科技局")
    everything, own = ledger(), ledger(unit=kjj.pk)
    assert everything != own
    assert ledger(unit=kjj.pk) == own
