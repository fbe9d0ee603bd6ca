"""Pages kept in Django's cache by the version of the data they were drawn from.

A page whose body depends only on stored data (no draft, nothing of the signed-in user but
what `key` says) is drawn once for its key and served from the cache after that; the frame
around it (the user's name, the menu for their role, the language switch) is drawn for every
request. The caller makes the key from the data versions the body was drawn from, so a change
to what the page shows gives a new key at once and nothing old is served: the ledger by the
plan's content version (tasks/receivers.py), the dashboards by their verdicts' version
(dashboards/page_cache.py). The cache is local memory in one process and Redis, shared by every
web node, when REDIS_URL is set.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language


def page_key(name: str, parts: list) -> str:
    parts = [name, get_language(), *parts]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
    return f"page:{digest}"


def cached_page(request, key: str, build, *, charts: bool = False):
    """The page for `key`: its title and body from the cache, or from `build()`, which
    returns (title, body template, context) and is called only when the cache lacks it."""
    page = cache.get(key)
    if page is None:
        title, template, context = build()
        page = {"title": title, "body": render_to_string(template, context, request=request)}
        cache.set(key, page, timeout=settings.PAGE_CACHE_SECONDS)
    return render(
        request, "page.html", {"page_title": page["title"], "body": page["body"], "charts": charts}
    )
