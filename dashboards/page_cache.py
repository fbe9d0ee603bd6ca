"""Dashboard pages kept in the cache (tasks/pages.py), keyed by the data they were drawn from.

A dashboard page shows stored verdicts (dashboards/verdicts.py) and the plan's names. Both
change only through changes dashboards/signals.py notes, and each raises the plan's data
version; a refresh writes a new `built_at`. So a page's body, drawn once for a plan's
(version, built version, built at, built on), the language, what the page was asked for and,
where the page shows what only some viewers may read, the viewer's read scope, is the same
page for every later request with the same key, and a change to anything it shows gives a new
key.
"""

from dashboards.models import VerdictState
from reports.access import Viewer
from tasks import pages


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
    return pages.page_key(
        f"dashboard-{name}",
        [state.plan_id, state.version, state.built_version, built_at, str(state.built_on),
         sorted(asked.items()), scope],
    )  # fmt: skip


def cached_page(request, name: str, asked: dict, build, *, scope: str = "", charts=True):
    """The dashboard page `name` for what it was `asked` (its parameters that change what it
    shows), from the cache or from `build()` (see tasks.pages.cached_page)."""
    key = page_key(name, request.verdicts, asked, scope)
    return pages.cached_page(request, key, build, charts=charts)
