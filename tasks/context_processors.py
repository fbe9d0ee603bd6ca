from django.utils.functional import SimpleLazyObject

from tasks.models import Plan


def navigation(request):
    """The plan the menu links to; looked up only when a template uses it."""
    return {"nav_plan": SimpleLazyObject(Plan.objects.default)}
