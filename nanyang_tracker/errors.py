"""Error pages in Chinese (English from the catalog), in the site's frame, with a way back.

400, 403, 404 and the CSRF failure render templates/<code>.html with the request, so that a
signed-in user keeps the menu. The menu needs the database (the session, the user's role, the
plan); if rendering with it fails, the page is rendered again without the request, which needs
no query. The 500 page is always rendered without the request, from a template that needs no
context (templates/500.html stands alone): it must work when the database is what failed.
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# When even templates/500.html cannot be rendered (a broken template or static manifest).
BARE_500 = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>系统出错 · Server error</title></head><body>"
    "<h1>系统出错（500）</h1><p>服务器处理这个请求时出错，错误已记录。请稍后重试。</p>"
    "<p>Server error. It has been logged; please try again later.</p>"
    '<p><a href="/">首页 Home</a></p>'
    "</body></html>"
)


def back_url(request) -> str:
    """The page the user came from, if it is on this site (never another site, never the page
    that failed)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()  # raises on a host not in ALLOWED_HOSTS (itself a 400)
        current = request.build_absolute_uri()
    except Exception:
        return ""
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    return referer if referer and safe and referer != current else ""


def _page(request, template: str, status: int, context: dict) -> HttpResponse:
    context = {"status": status, "back": back_url(request), **context}
    try:
        body = loader.render_to_string(template, context, request)
    except Exception:
        # The frame's menu asks the database; an error page must not fail on it.
        logger.warning("%s rendered without the request", template, exc_info=True)
        body = loader.render_to_string(template, context)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception):
    upload = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
    return _page(request, "400.html", 400, {"upload": upload})


@requires_csrf_token
def permission_denied(request, exception):
    # The project's PermissionDenied messages are written for the user ("只有审核员可以审核。").
    return _page(request, "403.html", 403, {"reason": str(exception or "")})


@requires_csrf_token
def page_not_found(request, exception):
    return _page(request, "404.html", 404, {})


def server_error(request):
    try:
        body = loader.render_to_string("500.html", {"back": back_url(request)})
    except Exception:
        logger.exception("templates/500.html could not be rendered")
        body = BARE_500
    return HttpResponse(body, status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. Rendered with the request, so the page's own forms (the language
    switch) carry a fresh token and the browser gets a new CSRF cookie if it had none."""
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE}
    if settings.DEBUG:
        context["reason"] = reason  # Django's own words, for the developer
    return _page(request, "403_csrf.html", 403, context)
