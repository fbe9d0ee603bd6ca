import re

import pytest
from django.urls import reverse

from tasks.models import Section, Task, Unit
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db
URL = reverse("tasks:ledger", args=["innovation-2022"])


def row_numbers(response) -> list[int]:
    return [
        int(n)
        for n in re.findall(r'<td data-label="序号">\s*(\d+)\s*</td>', response.content.decode())
    ]


@pytest.fixture
def signed_in(client, staff_kjj):
    client.force_login(staff_kjj)
    return client


def test_it_lists_all_22_tasks_in_ledger_order_with_the_ledger_columns(signed_in):
    response = signed_in.get(URL)
    assert row_numbers(response) == list(range(1, 23))
    headers = re.findall(r"<th[^>]*>(.*?)</th>", response.content.decode(), re.S)
    texts = [re.sub(r"<[^>]+>", "", h).strip() for h in headers]
    assert texts == ["序号", "重点任务", "责任单位", "推进措施", "完成时限"]


def test_the_lead_unit_is_marked_and_every_unit_links_to_its_page(signed_in):
    page = signed_in.get(URL).content.decode()
    kjj = Unit.objects.get(name="市科技局")
    assert (
        f'<a class="unit unit-lead" href="/units/{kjj.pk}/">市科技局<span class="badge">牵头</span></a>'
        in page
    )
    fgw = Unit.objects.get(name="市发展改革委")
    assert f'<a class="unit" href="/units/{kjj.pk}/">市科技局</a>' in page
    assert f'<a class="unit unit-lead" href="/units/{fgw.pk}/">市发展改革委' in page


def test_measures_are_folded_to_a_summary_that_expands_to_the_full_text(signed_in, plan):
    page = signed_in.get(URL).content.decode()
    task = Task.objects.get(plan=plan, number=6)
    assert page.count('<details class="measures">') == 22
    assert f"<div>{task.measures}</div>" in page
    summary = re.search(r"<summary>(.*?)</summary>", page).group(1)
    assert summary.endswith("…") and len(summary) <= 36


def test_filtering_by_a_county_shows_the_tasks_of_its_collective(signed_in):
    wolong = Unit.objects.get(name="卧龙区")
    assert row_numbers(signed_in.get(URL, {"unit": wolong.pk})) == [11, 12, 15]


def test_filtering_by_a_bureau_includes_tasks_it_assists(signed_in):
    education = Unit.objects.get(name="市教育局")
    assert row_numbers(signed_in.get(URL, {"unit": education.pk})) == [7, 21]


def test_filtering_by_section_and_unit_together(signed_in, plan):
    section = Section.objects.get(plan=plan, number=7)
    finance = Unit.objects.get(name="市财政局")
    assert row_numbers(signed_in.get(URL, {"section": section.pk})) == [19, 20, 21, 22]
    assert row_numbers(signed_in.get(URL, {"section": section.pk, "unit": finance.pk})) == [20]


def test_an_unknown_unit_gets_a_chinese_error_beside_the_field_and_the_full_list(signed_in):
    response = signed_in.get(URL, {"unit": "99999"})
    assert "没有这个责任单位，请从列表中选择。" in response.content.decode()
    assert len(row_numbers(response)) == 22


def test_sorting_by_number_descending_and_by_title(signed_in):
    assert row_numbers(signed_in.get(URL, {"sort": "-number"})) == list(range(22, 0, -1))
    by_title = row_numbers(signed_in.get(URL, {"sort": "title"}))
    assert sorted(by_title) == list(range(1, 23)) and by_title != list(range(1, 23))


def test_a_plan_that_does_not_exist_is_not_found(signed_in):
    assert signed_in.get(reverse("tasks:ledger", args=["no-such-plan"])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    assert_login_required(client, URL)


def test_it_refuses_posts(client, staff_kjj):
    assert_read_only(client, staff_kjj, URL)


def test_its_queries_do_not_grow_with_the_rows(signed_in, django_assert_max_num_queries):
    # Session, user, profile and unit, plan (page and menu), sections, units, count, tasks,
    # the demonstration-data banner,
    # their units (and the chosen unit when filtering): fixed, whatever the number of rows.
    with django_assert_max_num_queries(12):
        signed_in.get(URL)
    wolong = Unit.objects.get(name="卧龙区")
    with django_assert_max_num_queries(13):
        signed_in.get(URL, {"unit": wolong.pk})
