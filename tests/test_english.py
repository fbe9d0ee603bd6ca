"""English mode is complete: every page a role reaches, read in English, shows no Chinese but the
plan's own data (its titles, tasks, units, targets and their wording, what units reported).

For each role the test follows the links of the pages it reads, from the home page, and
collects every text the page shows or reads out (text nodes, and the aria-label, title,
placeholder, alt and value attributes). It removes every string the database holds (the plan
data and the reports, written in Chinese in every language) and fails on any Chinese left.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import models

from demo.seeding import seed_demo
from tests.test_crawl import links_on

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+")
SPOKEN = ("aria-label", "title", "placeholder", "alt")
PAGES_PER_ROLE = 60
# Plan data that pages write around other plan data: the plan's own section headings and
# punctuation that belongs to quoted Chinese (《…》, （…）, 、 between unit names).
PLAN_PUNCTUATION = set("《》（）、，：；〔〕“”。")
# Names of things that are Chinese in every language: the offline template's sheet 填写说明.
DOCUMENT_NAMES = ["填写说明"]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Texts(HTMLParser):
    """The texts a page shows or reads out, but not what an element marked as Chinese holds
    (lang="zh-hans": the language switch names 简体中文 in itself)."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hides its text)

    def _hidden(self) -> bool:
        return any(hides for _, hides in self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hides = tag in ("script", "style", "template") or (attrs.get("lang") or "").startswith("zh")
        if not self._hidden() and not hides:
            for name, value in attrs.items():
                if value and (name in SPOKEN or (name == "value" and tag in ("button", "input"))):
                    self.texts.append(value)
        if tag not in VOID:
            self._stack.append((tag, hides))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data)


def stored_strings() -> list[str]:
    """Every text value the database holds, longest first (so a long title is removed whole
    before a unit name inside it)."""
    found: set[str] = set()
    for model in apps.get_models():
        # dashboards: the stored verdicts' reasons (县市区数据不全…, 仅有2024年数据) are written by
        # the rules in Chinese, the language of the documents they feed, in either UI language.
        if model._meta.app_label not in ("tasks", "targets", "reports", "auth", "dashboards"):
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model.objects.values_list(*names):
            for value in row:
                found |= set(_strings(value))
    return sorted((s for s in found if CJK.search(s)), key=len, reverse=True)


def _strings(value):
    if isinstance(value, str):
        yield value
        yield from (part.strip() for part in value.splitlines() if part.strip())
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def chinese_left(html: str, data: list[str]) -> list[str]:
    parser = Texts()
    parser.feed(html)
    left = []
    for text in parser.texts:
        shown = text.strip().rstrip("…").strip()
        if any(shown in value for value in data):
            continue  # the plan's data, or the start of it (the 台账 folds long measures)
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        for run in CJK.findall(text):
            if not set(run) <= PLAN_PUNCTUATION:
                left.append(run)
    return left


@pytest.fixture
def demo(plan):
    return seed_demo(plan=plan, seed=7, today=dt.date(2026, 3, 1))


@pytest.mark.parametrize("role", ["leader", "reviewer", "admin_user", "staff_kjj", "staff_county"])
def test_every_page_a_role_reaches_reads_in_english(client, request, role, demo):
    client.force_login(request.getfixturevalue(role))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        client.get("/dashboard/")  # the verdicts of the day are stored, their reasons with them
    data = stored_strings() + DOCUMENT_NAMES
    problems: dict[str, set[str]] = {}
    seen: set[str] = set()
    shapes: set[str] = set()  # one page per URL shape: /tasks/1/ stands for /tasks/N/
    queue = ["/"]
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        while queue and len(seen) < PAGES_PER_ROLE:
            url = queue.pop(0)
            shape = re.sub(r"\d+", "N", url)
            if url in seen or shape in shapes:
                continue
            seen.add(url)
            shapes.add(shape)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            assert '<html lang="en">' in html, url
            left = chinese_left(html, data)
            if left:
                problems[url] = set(left)
            queue.extend(u for u in links_on(html) if u not in seen)
    assert len(seen) > 5
    assert not problems, "\n".join(f"{url}: {sorted(left)[:12]}" for url, left in problems.items())
