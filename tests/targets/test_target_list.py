import pytest
from django.urls import reverse
from django.utils.html import escape

from targets.models import Target
from tests.views import assert_login_required, assert_read_only

pytestmark = pytest.mark.django_db
URL = reverse("targets:target-list", args=["innovation-2022"])


def test_it_lists_every_target_with_its_original_words_and_where_they_stand(client, leader, plan):
    client.force_login(leader)
    page = client.get(URL).content.decode()
    targets = list(Target.objects.in_plan(plan).prefetch_related("quotes"))
    assert len(targets) == 30
    for target in targets:
        assert f'id="target-{target.key}"' in page
        assert escape(target.source_text) in page
        assert target.source_location in page
        for quote in target.quotes.all():
            assert escape(quote.text) in page


def test_it_groups_targets_under_the_main_goals_and_the_sections(client, leader):
    client.force_login(leader)
    page = client.get(URL).content.decode()
    assert (
        page.index("二、主要目标") < page.index("三、（一）加强科技攻关") < page.index("三、（七）")
    )
    assert "10—15 家" in page and "各县市区分别考核" in page and "年均增速" in page


def test_anonymous_users_are_sent_to_log_in(client):
    assert_login_required(client, URL)


def test_it_refuses_posts(client, leader):
    assert_read_only(client, leader, URL)


def test_a_plan_that_does_not_exist_is_not_found(client, leader):
    client.force_login(leader)
    assert client.get(reverse("targets:target-list", args=["nope"])).status_code == 404


def test_it_runs_a_bounded_number_of_queries(client, leader, django_assert_max_num_queries):
    client.force_login(leader)
    # 10, and the first visit to a plan's address keeps the plan in the session (one write).
    with django_assert_max_num_queries(11):
        client.get(URL)
