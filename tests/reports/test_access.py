"""The access rules as a table: role × own or other unit × status."""

import pytest

from reports.access import Viewer, can_create, can_edit, can_read, can_review, version_states

OWN, OTHER = 1, 2
REPORTER = Viewer(10, "reporter", OWN)
REVIEWER = Viewer(11, "reviewer", OWN)
LEADER = Viewer(12, "leader", None)
ADMIN = Viewer(13, "admin", None)
NO_ROLE = Viewer(14, None, None)
STATUSES = ["draft", "submitted", "returned", "approved"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("viewer", [REVIEWER, LEADER, ADMIN])
def test_reviewers_leaders_and_admins_read_every_report(viewer, status):
    assert can_read(viewer, unit_id=OTHER, status=status, shares_subject=False,
                    leads_subject=False)  # fmt: skip


@pytest.mark.parametrize("status", STATUSES)
def test_a_user_without_a_role_reads_nothing(status):
    assert not can_read(NO_ROLE, unit_id=OTHER, status=status, shares_subject=True,
                        leads_subject=True)  # fmt: skip


@pytest.mark.parametrize("status", STATUSES)
def test_a_reporter_reads_every_report_of_their_own_unit(status):
    assert can_read(REPORTER, unit_id=OWN, status=status, shares_subject=False,
                    leads_subject=False)  # fmt: skip


@pytest.mark.parametrize(
    ("status", "shares", "leads", "expected"),
    [
        ("draft", True, True, False),  # another unit's draft: never
        ("returned", True, True, False),  # nor a returned one
        ("submitted", True, False, False),  # a co-unit waits for approval
        ("submitted", False, True, True),  # the lead unit sees its co-units' submissions
        ("approved", True, False, True),  # approved reports on a shared task
        ("approved", False, True, True),
        ("approved", False, False, False),  # nothing of tasks the unit has no part in
        ("submitted", False, False, False),
    ],
)
def test_a_reporter_reads_another_units_report_only_when_shared_and_far_enough(
    status, shares, leads, expected
):
    assert can_read(REPORTER, unit_id=OTHER, status=status, shares_subject=shares,
                    leads_subject=leads) is expected  # fmt: skip


@pytest.mark.parametrize(
    ("viewer", "unit_id", "status", "expected"),
    [
        (REPORTER, OWN, "draft", True),
        (REPORTER, OWN, "returned", True),
        (REPORTER, OWN, "submitted", False),
        (REPORTER, OWN, "approved", False),
        (REPORTER, OTHER, "draft", False),
        (REVIEWER, OWN, "draft", False),
        (LEADER, OWN, "draft", False),
        (ADMIN, OWN, "draft", False),
    ],
)
def test_only_the_units_own_reporters_edit_and_only_drafts_or_returned(
    viewer, unit_id, status, expected
):
    assert can_edit(viewer, unit_id=unit_id, status=status) is expected


def test_a_reporter_creates_only_for_their_own_unit_and_what_it_owns():
    assert can_create(REPORTER, unit_id=OWN, owns_subject=True)
    assert not can_create(REPORTER, unit_id=OWN, owns_subject=False)
    assert not can_create(REPORTER, unit_id=OTHER, owns_subject=True)
    assert not can_create(REVIEWER, unit_id=OWN, owns_subject=True)


def test_only_reviewers_review():
    assert can_review(REVIEWER)
    assert not any(can_review(v) for v in (REPORTER, LEADER, ADMIN, NO_ROLE))


@pytest.mark.parametrize(
    ("status", "expected"),
    [("draft", False), ("returned", False), ("submitted", False), ("approved", True)],
)
def test_an_approved_target_value_is_a_published_figure_any_reporter_reads(status, expected):
    assert can_read(REPORTER, unit_id=OTHER, status=status, shares_subject=False,
                    leads_subject=False, published=True) is expected  # fmt: skip


def test_a_version_has_been_in_every_state_until_the_next_version_was_kept():
    # create v1, save v2, submit v3, return v4, save v5, submit v6, approve v7
    steps = [(1, "draft"), (2, "draft"), (3, "submitted"), (4, "returned"), (5, "returned"),
             (6, "submitted"), (7, "approved")]  # fmt: skip
    assert version_states([1, 2, 5], steps) == {
        1: {"draft"},  # changed before it was ever sent: a draft's content for good
        2: {"draft", "submitted", "returned"},
        5: {"returned", "submitted", "approved"},
    }


def test_a_version_submitted_without_a_save_has_been_submitted():
    assert version_states([1], [(1, "draft"), (2, "submitted")]) == {1: {"draft", "submitted"}}


def test_a_version_with_no_recorded_step_counts_as_a_draft():
    assert version_states([3, 1], []) == {1: {"draft"}, 3: {"draft"}}
