"""The load-test client (bench/load_test.py) reads the real pages the way the server writes
them: the review queue's rows, and what a batch approval says it did, so its consistency check
compares like with like."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from reports.workflow import approve_record, return_record, submit_record
from tests import factories as f

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load_test.py"
# A script, not a package: load it by its path (dataclasses need it in sys.modules).
_spec = importlib.util.spec_from_file_location("load_test_script", SCRIPT)
load_test = sys.modules.setdefault("load_test_script", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(load_test)

QUEUE = reverse("reports:review-queue")


@pytest.fixture
def submitted(plan, staff_kjj, staff_county):
    reports = {}
    for key, user, number, unit_name in [
        ("kjj-1", staff_kjj, 1, "市科技局"),
        ("kjj-2", staff_kjj, 2, "市科技局"),
        ("county-15", staff_county, 15, "卧龙区"),
    ]:
        report = f.make_report(user, plan, number=number, unit_name=unit_name)
        reports[key] = submit_record(record=report, user=user, version=1)
    return reports


def queue_page(client, reviewer):
    client.force_login(reviewer)
    response = client.get(QUEUE)
    assert response.status_code == 200
    return load_test.queue_rows(response.content.decode())


def approve(client, ids):
    response = client.post(reverse("reports:review-approve"), {"reports": ids, "next": QUEUE})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return load_test.messages_of(page)


def test_the_client_reads_each_queue_row_as_the_name_the_server_gives_the_report(
    client, reviewer, submitted
):
    assert queue_page(client, reviewer) == {str(r.pk): str(r) for r in submitted.values()}
    assert str(submitted["county-15"]).startswith("2024年第二季度 卧龙区 · 15. ")


def test_a_whole_batch_approved_is_counted_whole(client, reviewer, submitted):
    rows = queue_page(client, reviewer)
    outcome = load_test.approve_outcome(approve(client, list(rows)), rows)
    assert outcome.kind == "approved"
    assert sorted(outcome.approved) == sorted(rows) and outcome.skipped == []


def test_reports_another_reviewer_approved_meanwhile_are_not_counted(
    client, plan, reviewer, submitted
):
    rows = queue_page(client, reviewer)  # the page as read before the other reviewer acted
    for key in ("kjj-1", "county-15"):
        approve_record(record=submitted[key], user=reviewer)
    said = approve(client, list(rows))
    assert "另有 2 份已由其他审核员审核通过" in said[0][1]
    outcome = load_test.approve_outcome(said, rows)
    assert outcome.kind == "approved"
    assert outcome.approved == [str(submitted["kjj-2"].pk)]
    assert sorted(outcome.skipped) == sorted(str(submitted[k].pk) for k in ("kjj-1", "county-15"))


def test_a_batch_with_a_report_returned_meanwhile_counts_none(client, reviewer, submitted):
    rows = queue_page(client, reviewer)
    return_record(record=submitted["kjj-2"], user=reviewer, comment="请补充。")
    said = approve(client, list(rows))
    assert load_test.approve_outcome(said, rows).kind == "refused"


def test_a_message_that_does_not_add_up_to_the_batch_is_unknown_not_guessed():
    batch = {"1": "2024年第二季度 市科技局 · 1. 甲", "2": "2024年第二季度 卧龙区 · 15. 乙"}
    unknown = [
        [("success", "已审核通过 2 份。另有 1 份已由其他审核员审核通过，未重复审核：别的报告。")],
        [("success", "已审核通过 1 份。")],  # one of two, without naming the other
        [("success", "已审核通过 3 份。")],
        [("info", "这份报告已报送，不能再修改。")],
        [],
        [("success", "已审核通过 2 份。"), ("error", "没有审核任何报告。")],
    ]
    for said in unknown:
        assert load_test.approve_outcome(said, batch).kind == "unknown", said
    named = [
        ("success", f"已审核通过 1 份。另有 1 份已由其他审核员审核通过，未重复审核：{batch['2']}。")
    ]
    outcome = load_test.approve_outcome(named, batch)
    assert (outcome.kind, outcome.approved, outcome.skipped) == ("approved", ["1"], ["2"])


def test_names_are_matched_whole_even_when_one_contains_the_separator():
    names = {"7": "甲；乙", "8": "甲", "9": "乙；丙"}
    assert load_test.split_names("甲；乙", names) == ["7"]  # not 甲 and a report "乙"
    assert load_test.split_names("乙；丙；甲", names) == ["8", "9"]
    assert load_test.split_names("甲；乙；乙；丙", names) == ["7", "9"]
    assert load_test.split_names("甲；乙；丙", {"7": "甲；乙", "9": "乙；丙"}) is None  # no fit
    assert load_test.split_names("甲；乙", names | {"10": "乙"}) is None  # 7, or 8 and 10
