"""The English catalog: the UI's msgids are Chinese, and choosing English turns the UI English.

Chinese stays the default; English comes from locale/en/LC_MESSAGES/django.po, compiled to
django.mo. Refresh both after changing UI strings:

    DJANGO_DEBUG=1 .venv/bin/python manage.py makemessages -l en \\
        --ignore=.venv --ignore=tests --ignore=staticfiles
    (translate the new or fuzzy entries in locale/en/LC_MESSAGES/django.po)
    DJANGO_DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv
"""

import ast
import gettext
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

CATALOG_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"

PLAN_CODE = "innovation-2022"

# Labels of the UI on each page: (English, Chinese). Plan data (titles, unit names, the
# measures) stays Chinese in both languages, so only UI labels are checked.
PAGES = {
    "home": (
        ("targets:home", []),
        [
            ("Home", "首页"),
            ("Task ledger", "任务台账"),
            ("Responsible unit", "责任单位"),
            ("Log out", "退出"),
            ("Based on", "依据"),
            ("III. Key tasks", "三、重点任务"),
            ("See all targets with their original wording", "查看全部目标指标及原文"),
        ],
    ),
    "ledger": (
        ("tasks:ledger", [PLAN_CODE]),
        [
            ("Key task ledger", "重点任务分工台账"),
            ("Task ledger", "任务台账"),
            ("Filter", "筛选"),
            ("Measures", "推进措施"),
            ("Deadline", "完成时限"),
            ("Task section", "任务板块"),
            ("marks the lead unit", "为牵头单位，其余为配合单位"),
        ],
    ),
}


def _page(client, name):
    (url_name, args), labels = PAGES[name]
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    return response.content.decode(), labels


def _choose_english_in_footer(client):
    """What the English button at the foot of a page does."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.parametrize("page", PAGES)
def test_choosing_english_in_the_footer_shows_english_ui(client, leader, page):
    client.force_login(leader)
    _choose_english_in_footer(client)
    html, labels = _page(client, page)
    assert '<html lang="en">' in html
    for english, chinese in labels:
        assert english in html
        assert chinese not in html


@pytest.mark.parametrize("page", PAGES)
def test_english_language_cookie_shows_english_ui(client, leader, page):
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html, labels = _page(client, page)
    for english, chinese in labels:
        assert english in html
        assert chinese not in html
    # The role in the header is translated too; the language's own names are not.
    assert "Leader" in html
    assert "简体中文" in html
    assert "English" in html


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_chinese_by_default(client, leader, page):
    client.force_login(leader)
    html, labels = _page(client, page)
    assert '<html lang="zh-hans">' in html
    for english, chinese in labels:
        assert chinese in html
        assert english not in html


def test_back_to_chinese_from_english(client, leader):
    client.force_login(leader)
    _choose_english_in_footer(client)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html, _labels = _page(client, "ledger")
    assert "重点任务分工台账" in html
    assert "Key task ledger" not in html


def test_django_finds_the_english_catalog():
    with translation.override("en"):
        assert translation.gettext("重点任务分工台账") == "Key task ledger"
        assert translation.gettext("牵头单位") == "Lead unit"
        assert translation.gettext("配合单位") == "Supporting unit"
        assert translation.ngettext("%(counter)s 项任务", "%(counter)s 项任务", 1) == (
            "%(counter)s task"
        )
        assert translation.ngettext("%(counter)s 项任务", "%(counter)s 项任务", 2) == (
            "%(counter)s tasks"
        )
    with translation.override("zh-hans"):
        assert translation.gettext("重点任务分工台账") == "重点任务分工台账"


# --- the catalog files -----------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt/msgid/msgid_plural/msgstr/msgstr[n] and flags.

    Obsolete entries (#~) are left out, as msgfmt leaves them out of the .mo.
    """
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set()}
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            keyword, text = match.groups()
            if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set()}
            key = keyword
            entry[key] = ast.literal_eval(text)
        else:
            assert line.startswith('"'), f"unexpected line in {path.name}: {raw!r}"
            entry[key] += ast.literal_eval(line)
    finish()
    return entries


def _mo_keys(path: Path) -> set[str]:
    """The original strings stored in a .mo file (msgctxt\\x04msgid, msgid\\x00msgid_plural)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals_at, _translations_at = struct.unpack(order + "4I", data[4:20])
    keys = set()
    for n in range(count):
        length, offset = struct.unpack(order + "2I", data[originals_at + 8 * n :][:8])
        keys.add(data[offset : offset + length].decode("utf-8"))
    return keys


def _po_key(entry: dict) -> str:
    key = entry["msgid"]
    if "msgid_plural" in entry:
        key += "\x00" + entry["msgid_plural"]
    if "msgctxt" in entry:
        key = entry["msgctxt"] + "\x04" + key
    return key


def _translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [value for name, value in sorted(entry.items()) if name.startswith("msgstr[")]
    return [entry["msgstr"]]


@pytest.fixture(scope="module")
def po_entries():
    assert PO_FILE.exists(), "run makemessages -l en (see this module's docstring)"
    entries = [e for e in _po_entries(PO_FILE) if e["msgid"]]  # without the header
    assert len(entries) > 100
    return entries


def test_every_msgid_has_an_english_translation(po_entries):
    untranslated = [e["msgid"] for e in po_entries if not all(_translations(e))]
    assert untranslated == []
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert fuzzy == [], "fuzzy entries are left out of the .mo: check them and drop the flag"


def test_plural_entries_have_both_forms(po_entries):
    plurals = [e for e in po_entries if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert {"msgstr[0]", "msgstr[1]"} <= entry.keys(), entry["msgid"]


def test_translations_keep_the_placeholders(po_entries):
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in po_entries:
        if "python-format" not in entry["flags"]:
            continue
        wanted = sorted(set(placeholder.findall(entry["msgid"])))
        for text in _translations(entry):
            assert sorted(set(placeholder.findall(text))) == wanted, entry["msgid"]


def test_header_declares_english_and_utf8():
    header = next(e for e in _po_entries(PO_FILE) if e["msgid"] == "")
    assert "Language: en\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "fuzzy" not in header["flags"]


def test_compiled_catalog_matches_the_po(po_entries):
    """django.mo is compiled from the current django.po: same msgids, same translations."""
    assert MO_FILE.exists(), "run compilemessages (see this module's docstring)"
    assert _mo_keys(MO_FILE) - {""} == {_po_key(e) for e in po_entries}
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.info().get("language") == "en"
    for entry in po_entries:
        if "msgid_plural" in entry:
            forms = _translations(entry)
            singular, plural = entry["msgid"], entry["msgid_plural"]
            if "msgctxt" in entry:
                one = catalog.npgettext(entry["msgctxt"], singular, plural, 1)
                many = catalog.npgettext(entry["msgctxt"], singular, plural, 2)
            else:
                one = catalog.ngettext(singular, plural, 1)
                many = catalog.ngettext(singular, plural, 2)
            assert [one, many] == forms[:2], singular
        elif "msgctxt" in entry:
            assert catalog.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert catalog.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
