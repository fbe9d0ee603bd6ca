import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese for everyone unless the user picked another language at the foot of a page.

    Django's LocaleMiddleware would follow the browser's Accept-Language; on government PCs with
    an English browser that would turn the interface English unasked. Only the language cookie
    that set_language writes counts here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        translation.deactivate()
        return response


# Scripts only from this site, never inline. Styles also allow inline because Plotly writes its
# chart styles into the page at run time; no template of ours has an inline style or script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


LAST_SEEN = "last_seen"


def mark_login_time(sender, request, user, **kwargs):
    """user_logged_in receiver: the idle clock starts at login (saved with the login itself)."""
    request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Signs a user out after SESSION_IDLE_MINUTES without a request.

    The time of the last request is written to the session at most once a minute, so pages do
    not pay a session write each; the idle limit is kept to within that minute. Sits after the
    authentication middleware and before LoginRequiredMiddleware, which then sends the user to
    the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif last is None or now - last >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
