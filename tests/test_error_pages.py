"""Error pages with DEBUG off: each error answers its code with a Chinese page in the site's
frame and a way back (nanyang_tracker/errors.py, templates/<code>.html), and the 500 page
renders when the database is what failed.

This module is also the URLconf of the tests marked with it: the site's URLs and handlers, and
views that fail."""

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.template import loader
from django.test import Client
from django.urls import path, reverse

from nanyang_tracker import urls as site_urls
from tests import factories as f


@login_not_required
def a_view_with_a_bug(request):
    raise RuntimeError("a bug in a view")


@login_not_required
def a_view_whose_database_is_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


urlpatterns = [
    path("test-errors/bug/", a_view_with_a_bug),
    path("test-errors/database-down/", a_view_whose_database_is_down),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

with_failing_views = pytest.mark.urls(__name__)


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


def assert_error_page(response, code: int, title: str) -> str:
    assert not settings.DEBUG
    assert response.status_code == code
    assert f"{code}.html" in templates(response) or code == 403
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert f"<title>{title} · 南阳市创新创业行动推进系统</title>" in page
    assert f"<h1>{title}</h1>" in page
    assert f"错误代码：{code}" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<a class="button primary" href="/">返回首页</a>' in page
    assert 'class="site-header"' in page and "/static/css/site" in page
    assert "Not Found" not in page and "Server Error" not in page and "Bad Request" not in page
    return page


# --- 404 ------------------------------------------------------------------------------------


def test_a_missing_page_is_a_chinese_404_with_the_menu_for_a_signed_in_user(client, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get("/no-such-page/")
    page = assert_error_page(response, 404, "页面不存在")
    assert templates(response)[:2] == ["404.html", "base.html"]
    assert "您要找的页面不存在" in page
    assert "我的填报" in page and "退出" in page  # the site's frame, as on every page


def test_a_missing_record_is_the_same_404_page(client, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get(reverse("reports:record-detail", args=["report", 999999]))
    assert_error_page(response, 404, "页面不存在")


def test_an_anonymous_404_has_no_menu(client):
    page = assert_error_page(client.get("/no-such-page/"), 404, "页面不存在")
    assert "退出" not in page and "我的填报" not in page


def test_a_404_still_renders_when_the_database_is_down():
    """No `db` fixture: every query is refused. The frame's banner asks the database, so the
    page is rendered again without the request, and without the menu."""
    response = Client().get("/no-such-page/")
    page = assert_error_page(response, 404, "页面不存在")
    assert "退出" not in page


@pytest.mark.parametrize(
    ("referer", "shown"),
    [
        ("http://testserver/units/", True),
        ("https://evil.example/phish", False),
        ("//evil.example/phish", False),
        ("http://testserver/no-such-page/", False),  # the page that failed
        ("", False),
    ],
)
def test_the_back_link_goes_only_to_the_page_the_user_came_from_on_this_site(
    client, staff_kjj, referer, shown
):
    client.force_login(staff_kjj)
    page = client.get("/no-such-page/", HTTP_REFERER=referer).content.decode()
    assert (f'<a class="button" href="{referer}">返回上一页</a>' in page) is shown
    assert ("返回上一页" in page) is shown


# --- 403 ------------------------------------------------------------------------------------


def test_a_page_of_another_role_is_a_chinese_403_that_says_why(client, staff_kjj):
    client.force_login(staff_kjj)
    response = client.get(reverse("reports:review-queue"), HTTP_REFERER="http://testserver/")
    page = assert_error_page(response, 403, "没有权限")
    assert templates(response)[:2] == ["403.html", "base.html"]
    assert '<p class="note">只有审核员可以审核。</p>' in page
    assert "请联系管理员" in page
    assert '<a class="button" href="http://testserver/">返回上一页</a>' in page


# --- 400 ------------------------------------------------------------------------------------


def test_a_request_for_another_host_is_a_chinese_400(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    page = assert_error_page(response, 400, "请求有误")
    assert templates(response)[:2] == ["400.html", "base.html"]
    assert "文件名太长" not in page


def test_an_upload_the_parser_refuses_is_a_400_that_speaks_of_the_file_name(
    client, plan, staff_kjj
):
    boundary = "b0undary"
    name = "很长的文件名" * 500  # 9000 bytes in the part's headers
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="{name}.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    client.force_login(staff_kjj)
    url = reverse("reports:report-edit", args=[f.period(plan).pk, f.task(plan, 1).pk])
    response = client.generic("POST", url, body, f"multipart/form-data; boundary={boundary}")
    page = assert_error_page(response, 400, "请求有误")
    assert "文件名太长" in page and "没有保存任何内容" in page


# --- CSRF -----------------------------------------------------------------------------------


def test_a_post_without_the_csrf_cookie_is_a_chinese_page_that_says_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    page = assert_error_page(response, 403, "页面已过期")
    assert templates(response)[:2] == ["403_csrf.html", "base.html"]
    assert "允许本站使用 Cookie" in page and "什么也没有保存" in page
    assert "CSRF" not in page
    assert response.cookies["csrftoken"].value  # a new cookie, so that the next try can work


def test_a_post_with_a_stale_token_says_to_reload_the_page(db):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # sets the CSRF cookie
    response = client.post(
        reverse("login"), {"username": "x", "password": "y", "csrfmiddlewaretoken": "x" * 64}
    )
    page = assert_error_page(response, 403, "页面已过期")
    assert "刷新后再提交" in page and "允许本站使用 Cookie" not in page


# --- 500 ------------------------------------------------------------------------------------


@with_failing_views
def test_a_bug_is_a_chinese_500_page_that_stands_alone(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/bug/", HTTP_REFERER="http://testserver/units/")
    page = assert_error_page(response, 500, "系统出错")
    assert templates(response) == ["500.html"]  # not base.html: no menu, no query
    assert "错误已记录" in page and "请联系管理员" in page
    assert '<a class="button" href="http://testserver/units/">返回上一页</a>' in page


@with_failing_views
def test_the_500_page_renders_when_the_database_is_down():
    """No `db` fixture: pytest-django refuses every query, as a database that is down would.
    The view fails on the database, and so would anything that asked it for the page."""
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/database-down/")
    assert_error_page(response, 500, "系统出错")
    assert isinstance(response.exc_info[1], OperationalError)


@with_failing_views
def test_a_signed_in_user_whose_session_cannot_be_read_gets_the_500_page():
    """The session lives in the database: with it down, the request fails before any view."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = client.get("/")
    assert_error_page(response, 500, "系统出错")
    assert "Database access not allowed" in str(response.exc_info[1])


def test_the_500_template_needs_no_context_and_no_database():
    page = loader.render_to_string("500.html")
    assert "<h1>系统出错</h1>" in page and 'href="/"' in page
    assert "返回上一页" not in page


def test_the_csrf_page_names_django_s_reason_only_with_debug_on(settings, db):
    quiet = Client(enforce_csrf_checks=True).post(reverse("login")).content.decode()
    settings.DEBUG = True
    loud = Client(enforce_csrf_checks=True).post(reverse("login")).content.decode()
    assert "CSRF cookie not set." in loud and "CSRF cookie not set." not in quiet
