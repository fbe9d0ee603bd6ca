"""Bringing in a plan from its 台账 file and its text (targets/onboarding.py, the pages of
dashboards/plan_views.py): upload, preview, map units, accept targets, confirm."""

import datetime as dt

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Profile
from targets.models import PlanDraft, Target
from tasks.models import Plan, ReportingPeriod, Task, Unit, UnitAlias
from tests import ledger_builders as lb

pytestmark = pytest.mark.django_db

NEW_UNITS = ["市数据局", "市通信发展管理办公室", "市大数据中心", "市农业农村局", "市商务局"]


def ledger_xlsx(plan: str) -> bytes:
    """The plan's 台账 as a bureau would circulate it: a title row, the columns in another
    order, the header repeated after row 5, the first task's cells merged over two rows."""
    rows = lb.ledger(plan)
    book = openpyxl.Workbook()
    sheet = book.active
    order = [0, 1, 3, 2, 4]  # 序号 重点任务 推进措施 责任单位 完成时限
    sheet.append(["重点任务分工台账"])
    sheet.merge_cells("A1:E1")
    header = [lb.HEADER[i] for i in order]
    sheet.append(header)
    for index, row in enumerate(rows):
        if index == 5:
            sheet.append(header)
        values = lb.cells(row)
        sheet.append([values[i] for i in order])
        if index == 0:
            sheet.append([None] * 5)
            line = sheet.max_row
            for column in "ABCDE":
                sheet.merge_cells(f"{column}{line - 1}:{column}{line}")
    return lb.xlsx_bytes(book)


def upload(client, plan: str, ledger: bytes | None = None, name="台账.xlsx"):
    return client.post(
        reverse("dashboards:onboarding"),
        {
            "ledger_file": SimpleUploadedFile(name, ledger or ledger_xlsx(plan)),
            "text_file": SimpleUploadedFile("方案.txt", lb.plan_text(plan).encode()),
        },
    )


def preview_post(draft: PlanDraft, *, decisions: dict, action: str, **plan) -> dict:
    """The preview form as the admin sends it: the plan's facts, a decision for each open
    spelling (unit name, or ("new", kind)), every target as proposed."""
    from targets.onboarding import spellings

    data = {f"plan-{k}": v for k, v in {**draft.data["plan"], **plan}.items()}
    open_ones = [s for s in spellings(draft.data) if s.how in ("", "mapped", "new")]
    data.update({"unit-TOTAL_FORMS": len(open_ones), "unit-INITIAL_FORMS": len(open_ones)})
    for i, s in enumerate(open_ones):
        decision = decisions.get(s.text, "")
        data[f"unit-{i}-text"] = s.text
        if isinstance(decision, tuple):
            data[f"unit-{i}-unit"] = "__new__"
            data[f"unit-{i}-new_name"] = decision[1] if len(decision) > 2 else s.text
            data[f"unit-{i}-new_kind"] = decision[-1] if len(decision) > 2 else decision[1]
        else:
            data[f"unit-{i}-unit"] = decision
    targets = draft.data["targets"]
    data.update({"target-TOTAL_FORMS": len(targets), "target-INITIAL_FORMS": len(targets)})
    for i, t in enumerate(targets):
        for key in ("label", "comparator", "value", "value_high", "tolerance", "measure",
                    "accumulation", "benchmark_label", "scope", "unit"):  # fmt: skip
            if t.get(key) not in (None, ""):
                data[f"target-{i}-{key}"] = t[key]
        if t.get("accepted"):
            data[f"target-{i}-accepted"] = "on"
    data["action"] = action
    return data


def errors(response) -> str:
    import re

    page = response.content.decode()
    return " | ".join(re.findall(r'class="field-error"[^>]*>(.*?)</p>', page)) or page[:2000]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_only_an_admin_may_bring_in_a_plan(client, staff_kjj, leader):
    for user in (staff_kjj, leader):
        client.force_login(user)
        assert client.get(reverse("dashboards:onboarding")).status_code == 403
        assert upload(client, "digital-2026").status_code == 403
        assert client.get(reverse("dashboards:plan-manage")).status_code == 403
    assert not PlanDraft.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("dashboards:onboarding"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_file_that_is_no_ledger_is_refused_beside_its_field_and_nothing_is_kept(admin_client):
    response = upload(admin_client, "digital-2026", ledger=b"not a workbook")
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not PlanDraft.objects.exists()


def test_a_second_plan_comes_in_from_its_xlsx_ledger_with_its_units_mapped(admin_client):
    before = (Plan.objects.count(), Task.objects.count(), Unit.objects.count())
    response = upload(admin_client, "digital-2026")
    draft = PlanDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:onboarding-preview", args=[draft.pk])
    expected = lb.ledger("digital-2026")
    assert lb.as_read(draft.data["ledger"]) == lb.as_read(expected)
    assert [r["section"] for r in draft.data["ledger"]] == [r["section"] for r in expected]
    assert draft.data["plan"]["period_end"] == "2030-12-31"
    assert draft.data["targets"], "targets are proposed from the text"

    page = admin_client.get(response["Location"]).content.decode()
    for row in expected:
        assert row["title"] in page
    for name in [*NEW_UNITS, "市数据管理局"]:
        assert f"“{name}”" in page  # listed for the admin to map
    # Nothing of the plan exists before the admin confirms.
    assert (Plan.objects.count(), Task.objects.count(), Unit.objects.count()) == before

    # Confirming with units unmapped is refused, and saves nothing of the plan.
    post = preview_post(draft, decisions={}, action="confirm", code="digital-2026")
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert not Plan.objects.filter(code="digital-2026").exists()

    # The five new units are created; the misspelling becomes an alias of one of them.
    decisions = {name: ("new", "municipal") for name in NEW_UNITS}
    draft.refresh_from_db()
    post = preview_post(draft, decisions=decisions, action="save", code="digital-2026")
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 302, errors(response)
    draft.refresh_from_db()
    decisions["市数据管理局"] = "市数据局"
    post = preview_post(draft, decisions=decisions, action="confirm", code="digital-2026")
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(code="digital-2026")
    assert response["Location"] == reverse("tasks:ledger", args=["digital-2026"])
    assert lb.as_read(plan.tasks.order_by("number").values(*lb.FIELDS)) == lb.as_read(expected)
    assert UnitAlias.objects.get(alias="市数据管理局").unit.name == "市数据局"
    assert set(NEW_UNITS) <= set(Unit.objects.values_list("name", flat=True))
    row11 = plan.tasks.get(number=11)
    assert "市数据局" in [a.unit.name for a in row11.assignments.all()]
    # 2026 Q1 to 2030 Q4: twenty quarters, due on the plan's day after each.
    periods = ReportingPeriod.objects.in_plan(plan)
    assert periods.count() == 20
    assert Target.objects.in_plan(plan).count() == len(draft.data["targets"])
    assert PlanDraft.objects.get().plan == plan
    # The first plan is untouched.
    assert Task.objects.filter(plan__code="innovation-2022").count() == 22


def test_a_dropped_target_is_not_created_and_an_edited_one_keeps_the_edit(admin_client):
    upload(admin_client, "digital-2026")
    draft = PlanDraft.objects.get()
    draft.data["targets"][0]["accepted"] = False
    draft.data["targets"][1]["label"] = "改过的指标名称"
    draft.save()
    decisions = {name: ("new", "municipal") for name in [*NEW_UNITS]}
    decisions["市数据管理局"] = ("new", "市数据局", "municipal")
    post = preview_post(draft, decisions=decisions, action="confirm", code="digital-2026")
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 302
    plan = Plan.objects.get(code="digital-2026")
    labels = list(Target.objects.in_plan(plan).values_list("label", flat=True))
    assert (
        draft.data["targets"][0]["label"] not in labels
        or len(labels) == len(draft.data["targets"]) - 1
    )
    assert len(labels) == len(draft.data["targets"]) - 1
    assert "改过的指标名称" in labels


def test_a_bad_target_is_shown_beside_its_field_and_nothing_is_saved(admin_client):
    upload(admin_client, "digital-2026")
    draft = PlanDraft.objects.get()
    decisions = {name: ("new", "municipal") for name in NEW_UNITS}
    post = preview_post(draft, decisions=decisions, action="confirm", code="digital-2026")
    post["target-0-value"] = ""
    post["target-0-accumulation"] = "level"
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 200
    assert "请填写目标值" in response.content.decode()
    assert not Plan.objects.filter(code="digital-2026").exists()
    assert not Unit.objects.filter(name="市数据局").exists()


def test_this_plans_ledger_re_imported_from_word_reproduces_its_tasks(admin_client):
    import docx

    rows = lb.ledger("innovation-2022")
    document = docx.Document()
    document.add_paragraph("南阳市创新创业行动实施方案重点任务分工台账")
    # The first table has a 备注 column and task 1 over two rows, its five cells merged.
    first = [[*lb.cells(r), ""] for r in rows[:11]]
    first.insert(1, ["", "", "", "", "", "续"])
    lb.add_table(document, [[*lb.HEADER, "备注"], *first], merge={1: 2})
    lb.add_table(document, [lb.HEADER, *[lb.cells(r) for r in rows[11:]]])
    response = upload(admin_client, "innovation-2022", ledger=lb.docx_bytes(document),
                      name="台账.docx")  # fmt: skip
    assert response.status_code == 302
    draft = PlanDraft.objects.get()
    assert lb.as_read(draft.data["ledger"]) == lb.as_read(rows)
    # Every spelling of this plan is known already (names and aliases of the registry).
    from targets.onboarding import spellings

    assert [s.text for s in spellings(draft.data) if not s.unit] == []
    post = preview_post(draft, decisions={}, action="confirm", code="innovation-again",
                        title="再次导入的方案")  # fmt: skip
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 302
    again = Plan.objects.get(code="innovation-again")
    original = Plan.objects.get(code="innovation-2022")
    shape = lambda plan: [  # noqa: E731
        (t.number, t.title, t.units_text, t.measures, t.deadline_text, t.section.number,
         [(a.unit_id, a.role) for a in t.assignments.all()])
        for t in plan.tasks.order_by("number").prefetch_related("assignments")
    ]  # fmt: skip
    assert shape(again) == shape(original)


def test_a_misspelt_unit_mapped_by_the_admin_becomes_an_alias(admin_client):
    rows = lb.ledger("innovation-2022")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(lb.HEADER)
    for row in rows:
        values = lb.cells(row)
        if row["number"] == 5:
            values[2] = values[2].replace("市科技局", "市科学技术局")
        sheet.append(values)
    upload(admin_client, "innovation-2022", ledger=lb.xlsx_bytes(book))
    draft = PlanDraft.objects.get()
    post = preview_post(draft, decisions={"市科学技术局": "市科技局"}, action="confirm",
                        code="innovation-copy")  # fmt: skip
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 302
    assert UnitAlias.objects.get(alias="市科学技术局").unit.name == "市科技局"
    task = Task.objects.get(plan__code="innovation-copy", number=5)
    assert task.units_text.startswith("市科学技术局")
    assert task.lead_assignment.unit.name == "市科技局"


def test_a_plan_code_in_use_is_refused_beside_its_field(admin_client):
    upload(admin_client, "innovation-2022")
    draft = PlanDraft.objects.get()
    post = preview_post(draft, decisions={}, action="confirm", code="innovation-2022")
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 200
    assert "已有方案使用这个代码" in response.content.decode()
    assert Plan.objects.count() == 1


def test_the_preview_page_says_405_to_other_methods(admin_client):
    upload(admin_client, "innovation-2022")
    draft = PlanDraft.objects.get()
    url = reverse("dashboards:onboarding-preview", args=[draft.pk])
    assert admin_client.put(url).status_code == 405


def test_a_reviewer_cannot_open_a_draft(client, reviewer, admin_user):
    client.force_login(admin_user)
    upload(client, "innovation-2022")
    draft = PlanDraft.objects.get()
    client.force_login(reviewer)
    url = reverse("dashboards:onboarding-preview", args=[draft.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "confirm"}).status_code == 403
    assert Profile.objects.filter(user=reviewer).exists()


def test_a_half_yearly_plan_reports_twice_a_year(admin_client):
    upload(admin_client, "digital-2026")
    draft = PlanDraft.objects.get()
    decisions = {name: ("new", "municipal") for name in NEW_UNITS}
    decisions["市数据管理局"] = ("new", "市数据局", "municipal")
    post = preview_post(draft, decisions=decisions, action="confirm", code="digital-2026",
                        cadence="half_yearly", due_days=15)  # fmt: skip
    response = admin_client.post(reverse("dashboards:onboarding-preview", args=[draft.pk]), post)
    assert response.status_code == 302, errors(response)
    periods = list(ReportingPeriod.objects.in_plan(Plan.objects.get(code="digital-2026")))
    assert [p.label for p in periods[:3]] == ["2026年上半年", "2026年下半年", "2027年上半年"]
    assert len(periods) == 10
    assert periods[0].due_on == dt.date(2026, 7, 15)
