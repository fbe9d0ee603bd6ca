from django.conf import settings
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
