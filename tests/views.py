"""Shared checks for read-only pages: every page needs a signed-in user and only GET/HEAD."""

from urllib.parse import quote

from django.test import Client


def assert_login_required(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"


def assert_read_only(client: Client, user, url: str) -> None:
    client.force_login(user)
    assert client.post(url).status_code == 405
