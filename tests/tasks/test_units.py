import pytest
from django.urls import reverse

from tasks.models import Unit
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db
LIST_URL = reverse("tasks:unit-list")


def unit_url(name: str) -> str:
    return reverse("targets:unit-detail", args=[Unit.objects.get(name=name).pk])


def test_the_list_groups_units_by_kind_with_their_aliases(client, leader):
    client.force_login(leader)
    page = client.get(LIST_URL).content.decode()
    for text in ("市直单位", "县（市、区）政府", "开发区（功能区）管委会", "单位集合", "邓州市",
                 "鸭河工区管委会", "又作：发展改革委", "包含 18 个县市区和功能区"):  # fmt: skip
        assert text in page


def test_a_bureau_page_lists_the_tasks_it_leads_and_assists_and_its_targets(client, leader):
    client.force_login(leader)
    page = client.get(unit_url("市工业和信息化局")).content.decode()
    assert "又作：市工业和信息化部" in page
    assert "加强对外科技合作平台建设" in page  # row 8, as co-unit
    assert "配合单位" in page
    assert "科技成果落地转化（“十四五”累计）" in page


def test_a_county_page_shows_what_it_owns_through_the_collective(client, leader):
    client.force_login(leader)
    page = client.get(unit_url("卧龙区")).content.decode()
    assert "属于" in page and "各县市区政府（管委会）" in page
    for title in ("用活就业创业政策", "推动青年大学生储备", "加强技术合同登记工作"):
        assert title in page
    assert "作为各县市区政府（管委会）成员" in page
    assert "各县市区技术合同成交额（每年）" in page
    assert "各县市区分别考核" in page


def test_the_collective_page_lists_its_members(client, leader):
    client.force_login(leader)
    page = client.get(unit_url("各县市区政府（管委会）")).content.decode()
    assert "包含单位" in page and "桐柏县" in page and "高新区管委会" in page


def test_an_unknown_unit_is_not_found(client, leader):
    client.force_login(leader)
    assert client.get(reverse("targets:unit-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", [None, "市科技局"])
def test_anonymous_users_are_sent_to_log_in(client, name):
    assert_login_required(client, unit_url(name) if name else LIST_URL)


def test_they_refuse_posts(client, leader):
    assert_read_only(client, leader, LIST_URL)
    assert_read_only(client, leader, unit_url("市科技局"))


def test_they_run_a_bounded_number_of_queries(client, leader, django_assert_max_num_queries):
    client.force_login(leader)
    with django_assert_max_num_queries(11):
        client.get(LIST_URL)
    for name in ("市科技局", "卧龙区", "各县市区政府（管委会）"):
        with django_assert_max_num_queries(13):
            client.get(unit_url(name))
