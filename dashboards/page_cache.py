"""Dashboard pages kept in the cache (tasks/pages.py), keyed by the data they were drawn from.

A dashboard page shows stored verdicts (dashboards/verdicts.py) and the plan's names. The
verdicts change only through changes dashboards/signals.py notes, each raising the plan's data
version (a refresh writes a new `built_at`); the names (tasks, sections, units) only through
changes that raise Plan.content_version (tasks/receivers.py). So a page's body, drawn once for
a plan's (version, built version, built at, built on, content version), the language, what
the page was asked for and, where the page shows what only some viewers may read, the
viewer's read scope, is the same page for every later request with the same key, and a change
to anything it shows gives a new key.
"""

from dashboards.models import VerdictState
from reports.access import Viewer
from tasks import pages
from tasks.context_processors import current_plan


def viewer_scope(viewer: Viewer) -> str:
    """What decides which reports a viewer may read on a dashboard (reports/access.py): every
    report, or those their unit shares, or none."""
    if viewer.reads_everything:
        return "all"
    if viewer.is_reporter:
        return f"unit-{viewer.unit_id}"
    return "none"


def page_key(name: str, state: VerdictState, content_version: int, asked: dict,
             scope: str = "") -> str:  # fmt: skip
    built_at = state.built_at.isoformat() if state.built_at else ""
    return pages.page_key(
        f"dashboard-{name}",
        [state.plan_id, state.version, state.built_version, built_at, str(state.built_on),
         content_version, sorted(asked.items()), scope],
    )  # fmt: skip


def cached_page(request, name: str, asked: dict, build, *, scope: str = "", charts=True):
    """The dashboard page `name` for what it was `asked` (its parameters that change what it
    shows), from the cache or from `build()` (see tasks.pages.cached_page)."""
    plan = current_plan(request)  # read already: its names' version, for the names shown
    key = page_key(name, request.verdicts, plan.content_version, asked, scope)
    return pages.cached_page(request, key, build, charts=charts)
