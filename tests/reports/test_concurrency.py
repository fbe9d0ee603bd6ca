"""Two people save the same report at the same moment, in two real PostgreSQL transactions."""

import threading

import pytest
from django.db import connection, transaction

from reports.models import Profile, ProgressReport
from reports.workflow import StaleVersionError, save_record
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(target):
    """Run `target` in a thread with its own database connection; keep what it returned."""
    outcome = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as error:  # handed to the test to assert on
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_the_second_of_two_concurrent_saves_waits_then_is_refused_and_nothing_is_lost(
    plan, staff_kjj
):
    colleague = type(staff_kjj).objects.create_user("kjj-colleague", first_name="李科员")
    Profile.objects.create(user=colleague, role="reporter", unit=f.unit("市科技局"))
    report = f.make_report(staff_kjj, plan)
    first_saved, let_first_commit = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            saved = save_record(record=report, user=colleague, version=1,
                                content={"progress": "李科员的进展"})  # fmt: skip
            first_saved.set()
            let_first_commit.wait(10)  # hold the transaction (and the row lock) open
        return saved

    def second():
        first_saved.wait(10)
        return save_record(record=report, user=staff_kjj, version=1,
                           content={"progress": "我的进展"})  # fmt: skip

    thread_a, outcome_a = in_thread(first)
    thread_b, outcome_b = in_thread(second)
    assert first_saved.wait(10)
    thread_b.join(1.0)
    assert thread_b.is_alive(), "the second save must wait for the first transaction"
    let_first_commit.set()
    thread_a.join(10)
    thread_b.join(10)

    assert "error" not in outcome_a, outcome_a
    assert isinstance(outcome_b.get("error"), StaleVersionError), outcome_b
    assert outcome_b["error"].current.progress == "李科员的进展"
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.progress, stored.version) == ("李科员的进展", 2)
    assert stored.revisions.count() == 2
