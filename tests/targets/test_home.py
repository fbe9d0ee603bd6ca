import pytest
from django.urls import reverse

from tasks.models import Plan
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db
URL = reverse("targets:home")


def test_it_shows_the_plan_its_counts_main_goals_and_sections(client, any_role_user, plan):
    client.force_login(any_role_user)
    page = client.get(URL).content.decode()
    for text in ("南阳市实施创新创业行动工作方案", "宛办〔2022〕16号", "2022年5月13日", "高新技术企业数量",
                 "500 家以上", "不低于全省平均水平", "（七）建设高水平人才队伍，支撑人才强市建设"):  # fmt: skip
        assert text in page
    assert "<strong>22</strong>" in page and "<strong>30</strong>" in page


def test_it_names_the_signed_in_user_and_role(client, staff_county):
    client.force_login(staff_county)
    assert "填报员 · 卧龙区" in client.get(URL).content.decode()


def test_it_says_how_to_load_a_plan_when_none_is_loaded(client, leader):
    Plan.objects.all().delete()
    client.force_login(leader)
    assert "manage.py load_plan" in client.get(URL).content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    assert_login_required(client, URL)


def test_it_refuses_posts(client, leader):
    assert_read_only(client, leader, URL)


def test_it_runs_a_bounded_number_of_queries(client, leader, django_assert_max_num_queries):
    client.force_login(leader)
    with django_assert_max_num_queries(12):
        client.get(URL)
