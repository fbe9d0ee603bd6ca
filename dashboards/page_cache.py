"""Rendered dashboard pages kept in Django's cache, keyed by the data they were drawn from.

A dashboard page shows stored verdicts (dashboards/verdicts.py) and the plan's names. Both
change only through changes dashboards/signals.py notes, and each raises the plan's data
version; a refresh writes a new `built_at`. So a page's body, drawn once for a plan's
(version, built version, built at, built on), the language, what the page was asked for and,
where the page shows what only some viewers may read, the viewer's read scope, is the same
page for every later request with the same key: it is served from the cache, and a change to
anything it shows gives a new key. The page around the body (the signed-in user's name, the
menu for their role) is drawn for every request.

The cache is local memory in a single process and Redis when REDIS_URL is set (settings), so
every web node sees the same pages.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from dashboards.models import VerdictState
from reports.access import Viewer


def viewer_scope(viewer: Viewer) -> str:
    """What decides which reports a viewer may read on a dashboard (reports/access.py): every
    report, or those their unit shares, or none."""
    if viewer.reads_everything:
        return "all"
    if viewer.is_reporter:
        return f"unit-{viewer.unit_id}"
    return "none"


def page_key(name: str, state: VerdictState, asked: dict, scope: str = "") -> str:
    built_at = state.built_at.isoformat() if state.built_at else ""
    parts = [name, state.plan_id, state.version, state.built_version, built_at,
             str(state.built_on), get_language(), sorted(asked.items()), scope]  # fmt: skip
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
    return f"dashboard-page:{digest}"


def cached_page(request, name: str, asked: dict, build, *, scope: str = "", charts=True):
    """The page `name` for what it was `asked` (its parameters that change what it shows):
    its title and body from the cache, or from `build()`, which returns (title, body
    template, context) and is called only when the cache does not hold it."""
    key = page_key(name, request.verdicts, asked, scope)
    page = cache.get(key)
    if page is None:
        title, template, context = build()
        page = {"title": title, "body": render_to_string(template, context, request=request)}
        cache.set(key, page, timeout=settings.DASHBOARD_PAGE_SECONDS)
    return render(
        request,
        "dashboards/page.html",
        {"page_title": page["title"], "body": page["body"], "charts": charts},
    )
