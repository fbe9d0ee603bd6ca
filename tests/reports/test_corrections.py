"""Correcting an approved figure: the unit proposes it with a reason (快报 → 正式, a revised
figure, a typo), a reviewer approves or rejects it; the dashboards keep the approved figure
until then, and the history keeps every version."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.assessment import assess_plan
from reports.corrections import approve_correction, propose_correction, reject_correction
from reports.models import TargetValue, ValueCorrection
from reports.workflow import (
    WorkflowError,
    approve_record,
    submit_record,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
AFTER = dt.date(2026, 12, 1)


def correction_data(**fields):
    return {"value": "503", "form": "level", "covers_to": "2025-12-31", "quality": "final",
            "data_source": "2025年南阳市国民经济和社会发展统计公报", "remarks": "",
            "reason": "统计公报公布正式数据"} | fields  # fmt: skip


@pytest.fixture
def approved(plan, staff_kjj, reviewer):
    """高新技术企业 at the end of 2025: 498 家, a 快报, approved."""
    value = f.make_value(staff_kjj, plan, key="high-tech-enterprises", year=2025, quarter=4,
                         value=Decimal(498), quality="preliminary",
                         data_source="市科技局快报")  # fmt: skip
    value = submit_record(record=value, user=staff_kjj, version=value.version)
    return approve_record(record=value, user=reviewer)


def verdict(plan):
    target = f.target(plan, "high-tech-enterprises")
    return assess_plan(plan, AFTER, targets=[target])[0].progress


def url(value):
    return reverse("reports:value-correct", args=[value.pk])


def test_a_unit_corrects_its_approved_preliminary_figure_and_the_verdict_follows_approval(
    client, plan, staff_kjj, reviewer, approved
):
    assert (verdict(plan).status, verdict(plan).quality) == ("missed", "preliminary")
    client.force_login(staff_kjj)
    page = client.get(reverse("reports:record-detail", args=["value", approved.pk]))
    assert url(approved) in page.content.decode()  # 更正数据
    response = client.post(url(approved), correction_data())
    assert response.status_code == 302
    correction = ValueCorrection.objects.get()
    assert (correction.status, correction.value, correction.quality) == (
        "submitted", Decimal(503), "final",
    )  # fmt: skip
    # Until a reviewer approves, the dashboards keep the approved 快报.
    assert (verdict(plan).current, verdict(plan).status) == (Decimal(498), "missed")

    client.force_login(reviewer)
    page = client.get(reverse("reports:record-detail", args=["value", approved.pk]))
    assert "统计公报公布正式数据" in page.content.decode()
    assert reverse("reports:correction-approve", args=[correction.pk]) in page.content.decode()
    client.post(reverse("reports:correction-approve", args=[correction.pk]))
    approved.refresh_from_db()
    assert (approved.value, approved.quality, approved.status) == (Decimal(503), "final",
                                                                   "approved")  # fmt: skip
    assert (verdict(plan).current, verdict(plan).status) == (Decimal(503), "achieved")

    history = client.get(reverse("reports:record-history", args=["value", approved.pk]))
    changes = history.context["changes"]
    assert ("数值", "498", "503") in changes[0].fields
    assert ("数据性质", "快报", "正式") in changes[0].fields
    assert [e.action for e in history.context["events"]][-1] == "correct"
    assert "统计公报公布正式数据" in history.content.decode()


def test_the_reason_is_required_and_nothing_is_saved_without_it(client, staff_kjj, approved):
    client.force_login(staff_kjj)
    response = client.post(url(approved), correction_data(reason=""))
    assert response.status_code == 200 and "请说明更正原因" in response.content.decode()
    assert not ValueCorrection.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"value": "502.5"}, "以“家”计的数量应为整数"),
     ({"covers_to": "2025-06-30"}, "应在2025年第四季度之内")],
)  # fmt: skip
def test_a_correction_is_checked_like_the_figure_itself(client, staff_kjj, approved, fields,
                                                        message):  # fmt: skip
    client.force_login(staff_kjj)
    response = client.post(url(approved), correction_data(**fields))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ValueCorrection.objects.exists()


def test_only_the_units_own_reporters_propose_and_only_for_an_approved_figure(
    client, plan, staff_kjj, staff_county, leader, reviewer, approved
):
    for user, code in ((staff_county, 403), (leader, 403), (reviewer, 403)):
        client.force_login(user)
        assert client.post(url(approved), correction_data()).status_code == code
    assert not ValueCorrection.objects.exists()
    draft = f.make_value(staff_kjj, plan, key="tech-smes")
    with pytest.raises(WorkflowError, match="只有已审核通过的数据需要更正"):
        propose_correction(value=draft, user=staff_kjj, content={"value": Decimal(1)},
                           reason="录入错误")  # fmt: skip


def test_one_correction_at_a_time_and_an_unchanged_one_is_refused(staff_kjj, approved):
    content = {n: getattr(approved, n) for n in TargetValue.CONTENT_FIELDS}
    with pytest.raises(WorkflowError, match="与现有数据相同"):
        propose_correction(value=approved, user=staff_kjj, content=content, reason="重复")
    propose_correction(value=approved, user=staff_kjj, content=content | {"value": Decimal(501)},
                       reason="修正录入错误")  # fmt: skip
    with pytest.raises(WorkflowError, match="已有一份更正等待审核"):
        propose_correction(value=approved, user=staff_kjj,
                           content=content | {"value": Decimal(502)}, reason="再改")  # fmt: skip


def test_a_rejected_correction_leaves_the_figure_and_says_why(
    client, plan, staff_kjj, reviewer, approved
):
    correction = propose_correction(
        value=approved, user=staff_kjj, reason="修正录入错误",
        content={n: getattr(approved, n) for n in TargetValue.CONTENT_FIELDS}
        | {"value": Decimal(520)},
    )  # fmt: skip
    client.force_login(reviewer)
    response = client.post(reverse("reports:correction-reject", args=[correction.pk]),
                           {"comment": ""})  # fmt: skip
    assert response.status_code == 200  # the page again, the reason asked for beside the box
    assert '<p class="field-error" id="id_correction_comment_error">不采纳更正时必须说明理由。' in (
        response.content.decode()
    )
    reject_correction(correction=correction, user=reviewer, comment="与认定名单不符")
    approved.refresh_from_db()
    assert approved.value == Decimal(498) and approved.version == 3
    with pytest.raises(WorkflowError, match="已未采纳"):
        approve_correction(correction=correction, user=reviewer)
    client.force_login(staff_kjj)
    page = client.get(reverse("reports:record-detail", args=["value", approved.pk]))
    assert "与认定名单不符" in page.content.decode() and "未采纳" in page.content.decode()


def test_a_pending_correction_is_not_shown_to_a_unit_that_may_only_read_the_approved_figure(
    client, plan, staff_kjj, staff_county, approved
):
    propose_correction(
        value=approved, user=staff_kjj, reason="修正录入错误：原报498",
        content={n: getattr(approved, n) for n in TargetValue.CONTENT_FIELDS}
        | {"value": Decimal(520)},
    )  # fmt: skip
    client.force_login(staff_county)
    page = client.get(reverse("reports:record-detail", args=["value", approved.pk]))
    assert page.status_code == 200  # the approved figure is published
    assert "修正录入错误" not in page.content.decode() and "520" not in page.content.decode()


def test_only_a_reviewer_approves_a_correction(client, staff_kjj, leader, approved):
    correction = propose_correction(
        value=approved, user=staff_kjj, reason="修正",
        content={n: getattr(approved, n) for n in TargetValue.CONTENT_FIELDS}
        | {"value": Decimal(500)},
    )  # fmt: skip
    for user in (staff_kjj, leader):
        client.force_login(user)
        response = client.post(reverse("reports:correction-approve", args=[correction.pk]))
        assert response.status_code == 403
    correction.refresh_from_db()
    assert correction.status == "submitted"


def test_the_review_queue_lists_pending_corrections(client, staff_kjj, reviewer, approved):
    propose_correction(
        value=approved, user=staff_kjj, reason="统计公报正式数据",
        content={n: getattr(approved, n) for n in TargetValue.CONTENT_FIELDS}
        | {"value": Decimal(503), "quality": "final"},
    )  # fmt: skip
    client.force_login(reviewer)
    page = client.get(reverse("reports:review-queue")).content.decode()
    assert "待审核的数据更正" in page and "统计公报正式数据" in page
