from django.utils.functional import SimpleLazyObject

from tasks.models import Plan


def default_plan(request) -> Plan | None:
    """The plan a request's pages show by default (Plan.objects.default), read once per
    request: the page and its menu share it."""
    if not hasattr(request, "_default_plan"):
        request._default_plan = Plan.objects.default()
    return request._default_plan


def navigation(request):
    """The plan the menu links to; looked up only when a template uses it."""
    return {"nav_plan": SimpleLazyObject(lambda: default_plan(request))}
