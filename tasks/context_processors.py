"""The plan a request is about, and the menu's view of it.

Every page is scoped to one plan: the one `?plan=<code>` names (a link into a plan from the
page across plans), else the one the user switched to last (kept in the session, so the
menu's links stay in it), else Plan.objects.default(). Pages whose address names the plan
(/plans/<code>/…) make that plan the current one.
"""

from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from tasks.models import Plan, default_plan_of

SESSION_KEY = "plan"


def current_plan(request) -> Plan | None:
    """The plan a request's pages show, read once per request: the page and its menu share it."""
    if not hasattr(request, "_current_plan"):
        request._current_plan = _choose(request)
    return request._current_plan


def use_plan(request, plan: Plan) -> None:
    """Make `plan` the request's plan and the one the user's next pages show."""
    request._current_plan = plan
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != plan.code:
        session[SESSION_KEY] = plan.code


def plan_by_code(request, code: str) -> Plan:
    """The plan a /plans/<code>/ address names, made the request's current plan."""
    plan = next((p for p in plans_of(request) if p.code == code), None)
    if plan is None:
        raise Http404(_("没有这个行动方案。"))
    use_plan(request, plan)
    return plan


def plans_of(request) -> list[Plan]:
    """Every plan (without its text), read once per request: the switcher lists them and the
    current plan is one of them."""
    if not hasattr(request, "_plans"):
        request._plans = list(Plan.objects.defer("text"))
    return request._plans


def _choose(request) -> Plan | None:
    plans = plans_of(request)
    by_code = {p.code: p for p in plans}
    asked = request.GET.get("plan", "")
    if asked:
        if asked not in by_code:
            raise Http404(_("没有这个行动方案。"))
        use_plan(request, by_code[asked])
        return by_code[asked]
    session = getattr(request, "session", None)
    code = session.get(SESSION_KEY) if session is not None else None
    if code in by_code:
        return by_code[code]
    return default_plan_of(plans)


def navigation(request):
    """The plan the menu links to and the plans it can switch to; looked up only when a
    template uses them."""
    return {
        "nav_plan": SimpleLazyObject(lambda: current_plan(request)),
        "nav_plans": SimpleLazyObject(lambda: plans_of(request)),
    }
