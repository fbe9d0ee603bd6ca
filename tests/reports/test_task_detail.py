import pytest
from django.urls import reverse

from tasks.models import Task
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def task7(plan):
    return Task.objects.get(plan=plan, number=7)


def test_it_shows_the_ledger_row_its_units_and_the_note_on_differences(client, leader, task7):
    client.force_login(leader)
    page = client.get(reverse("reports:task-detail", args=[task7.pk])).content.decode()
    assert "加快高能级创新平台建设" in page
    assert task7.measures in page
    assert task7.units_text in page
    assert "市卫生健康体育委" in page  # the canonical name of the ledger's 市卫生健康委
    assert "台账列有市教育局，正文未列" in page
    assert "（三）加强研发平台建设，提升科技创新能力" in page


def test_it_lists_the_targets_of_the_task_with_their_original_words(client, leader, plan):
    client.force_login(leader)
    task = Task.objects.get(plan=plan, number=15)
    page = client.get(reverse("reports:task-detail", args=[task.pk])).content.decode()
    assert "每年完成技术合同成交额 40 亿元以上" in page
    assert "每个县市区要达到 3.5 亿元以上" in page
    assert "3.5 亿元以上" in page


def test_a_task_that_does_not_exist_is_not_found(client, leader):
    client.force_login(leader)
    assert client.get(reverse("reports:task-detail", args=[999999])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, task7):
    assert_login_required(client, reverse("reports:task-detail", args=[task7.pk]))


def test_it_refuses_posts(client, leader, task7):
    assert_read_only(client, leader, reverse("reports:task-detail", args=[task7.pk]))


def test_it_runs_a_bounded_number_of_queries(
    client, leader, staff_kjj, plan, task7, django_assert_max_num_queries
):
    from reports.workflow import submit_record
    from tests import factories as f

    client.force_login(leader)
    with django_assert_max_num_queries(16):
        client.get(reverse("reports:task-detail", args=[task7.pk]))
    for year in (2023, 2024):
        for quarter in (1, 2, 3, 4):
            report = f.make_report(staff_kjj, plan, number=7, year=year, quarter=quarter)
            submit_record(record=report, user=staff_kjj, version=1)
    with django_assert_max_num_queries(16):
        client.get(reverse("reports:task-detail", args=[task7.pk]))


def test_it_shows_the_latest_reports_each_viewer_may_read(
    client, plan, staff_kjj, staff_county, reviewer, leader
):
    from reports.workflow import approve_record, submit_record
    from tests import factories as f
    from tests.conftest import _user

    finance = _user("czj-reporter", "reporter", "市财政局")
    approved = f.make_report(staff_kjj, plan, number=1, progress="科技局的已审核进展")
    approved = approve_record(
        record=submit_record(record=approved, user=staff_kjj, version=1), user=reviewer
    )
    submitted = f.make_report(
        finance, plan, number=1, unit_name="市财政局", progress="财政局的待审进展"
    )
    submit_record(record=submitted, user=finance, version=1)
    url = reverse("reports:task-detail", args=[approved.task_id])
    seen = {}
    for name, user in {
        "leader": leader,
        "lead": staff_kjj,
        "co": finance,
        "other": staff_county,
    }.items():
        client.force_login(user)
        page = client.get(url).content.decode()
        seen[name] = ("科技局的已审核进展" in page, "财政局的待审进展" in page)
    assert seen == {
        "leader": (True, True),  # leaders read everything
        "lead": (True, True),  # the lead unit sees its co-unit's submitted report
        "co": (True, True),  # its own, and the approved report on a shared task
        "other": (False, False),  # a county with no part in task 1 sees neither
    }
