import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts

pytestmark = pytest.mark.django_db


def test_every_demo_account_logs_in_with_the_documented_password_and_has_its_role():
    create_demo_accounts()
    for account in DEMO_ACCOUNTS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": account.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, account.username
        page = client.get("/").content.decode()
        assert account.display_name in page


def test_the_demo_accounts_cover_a_bureau_and_a_county_reporter_and_each_other_role():
    by_name = {a.username: a for a in create_demo_accounts()}
    assert (by_name["kjj"].role, by_name["kjj"].unit_name) == ("reporter", "市科技局")
    assert (by_name["wolong"].role, by_name["wolong"].unit_name) == ("reporter", "卧龙区")
    assert {a.role for a in by_name.values()} == {"reporter", "reviewer", "leader", "admin"}


def test_running_the_command_twice_keeps_one_account_each(django_user_model, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")
    assert (
        django_user_model.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count()
        == 5
    )


def test_the_command_refuses_to_create_demo_accounts_on_a_production_site(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝创建演示账号"):
        call_command("create_demo_accounts")


def test_a_wrong_password_is_refused_with_a_chinese_message(client):
    create_demo_accounts()
    response = client.post("/accounts/login/", {"username": "kjj", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
