#!/usr/bin/env python3
"""Benchmark of the Excel import against hostile files (docs/import-safety.md).

One script of one subject (the corpus, its run in process and against gunicorn), about 800
lines, most of them the recipes of the hostile files; it is run by hand, not imported.

    .venv/bin/python bench/import_corpus.py            # every file through the import, in process
    .venv/bin/python bench/import_corpus.py --server   # and the two slowest against gunicorn

Not a test: it prints figures and judges nothing (tests/reports/test_import_corpus.py checks
that each file is refused). It sets Django up itself, on a throwaway SQLite database unless
DATABASE_URL names one, loads the plan and the demo accounts, and builds the corpus in a
temporary folder: a genuine template of 卧龙区 filled in (the control) and, derived from it, the
worst files we know of. Each one goes through reports.importing.import_template, the function
the upload view calls, and its CPU time (time.process_time) and outcome are printed, slowest
first. The goal is at most 1 s of CPU for the worst file.

--server then starts gunicorn (2 sync workers, DEBUG off, the production settings but for a
temporary STATIC_ROOT) on a free port of 127.0.0.1, on the same SECRET_KEY and database as the
run in process (so that the templates it signed are the server's own): the throwaway SQLite
file, DATABASE_URL, or with --postgres a PostgreSQL database `benchimport` it creates anew.
It logs in twice as the demo reporter wolong (password nanyang-demo-2022), warms both workers
with the control file, then --rounds times posts the two slowest files at once to
/reporting/import/ while fetching /accounts/login/ again and again, prints the upload times
and the login page's median and maximum latency (goal: under 200 ms), and stops the gunicorn
it started. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import gc
import http.cookiejar
import io
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
DEMO_USER, DEMO_PASSWORD = "wolong", "nanyang-demo-2022"
UNIT = "卧龙区"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


# --- the corpus ----------------------------------------------------------------------------


# The sizes of reports.package_checks.PACKAGE_LIMITS, for measuring a tree from before they existed
# with the same files.
SIZES = SimpleNamespace(
    rows=200, columns=16, settings=3_000, style_elements=1_000, elements=6_000, references=300
)


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    path: Path
    hostile: bool = True


def fill_template(data: bytes) -> bytes:
    """A genuine template with every row filled as a careful reporter would."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    tasks, values = book["任务进展"], book["指标数值"]
    for row in range(2, tasks.max_row + 1):
        if tasks[f"H{row}"].value:
            tasks[f"C{row}"] = f"第 {row - 1} 项任务本季度按计划推进，完成阶段性工作。"
            tasks[f"D{row}"], tasks[f"E{row}"] = "推进中", 50
    for row in range(2, values.max_row + 1):
        if values[f"I{row}"].value:  # the row's key: 口径, 数据性质 and the date come pre-filled
            values[f"D{row}"], values[f"E{row}"], values[f"F{row}"] = 1, "区统计局快报", "快报"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _package(parts: dict[str, bytes], *, level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as package:
        for name, body in parts.items():
            package.writestr(name, body)
    return out.getvalue()


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → part name, from the workbook and its relationships (our own file)."""
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {
        rid: target
        for target, rid in re.findall(
            r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels
        )
    }
    sheets = re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook)
    if not sheets:
        sheets = re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?id="([^"]+)"', workbook)
    return {name: "xl/" + targets[rid].removeprefix("/xl/") for name, rid in sheets}


def _with_cells(data: bytes, cells: dict[str, dict[str, str]]) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    for sheet, values in cells.items():
        for coordinate, value in values.items():
            book[sheet][coordinate] = value
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _insert_rows(xml: bytes, rows: str) -> bytes:
    return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>", 1)


def _insert_after_sheet_data(xml: bytes, extra: str) -> bytes:
    return xml.replace(b"</sheetData>", b"</sheetData>" + extra.encode(), 1)


def _cells(rng: random.Random, count: int) -> str:
    return " ".join(f"A{rng.randrange(1, 999)}" for _ in range(count))


def build_corpus(
    folder: Path, *, template: bytes, limits=None, max_uncompressed: int = 50 * 1024 * 1024
) -> list[Case]:
    """Write the control and the hostile files into `folder`; `template` is a genuine, empty
    template downloaded for a unit and period (reports.excel_template.build_template). `limits`
    (reports.package_checks.PACKAGE_LIMITS) and `max_uncompressed` size the largest files they
    let through."""
    rng = random.Random(2022)
    filled = fill_template(template)
    parts = _parts(filled)
    sheets = _sheet_parts(parts)
    task_sheet = sheets["任务进展"]
    files: list[tuple[str, str, bytes, bool]] = [
        ("control", "the genuine template, every row filled", filled, False)
    ]

    def add(name: str, what: str, data: bytes) -> None:
        files.append((name, what, data, True))

    def replaced(**changes: bytes) -> bytes:
        return _package(parts | {name.replace("__", "/"): body for name, body in changes.items()})

    far = _with_cells(filled, {"任务进展": {"A1048576": "x"}})
    add("far-cell", "one filled cell at A1048576 of 任务进展 (the issue's file)", far)
    hidden = _parts(far)
    hidden[task_sheet] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:H4"', hidden[task_sheet]
    )
    add("far-cell-hidden", "the same, its <dimension> saying A1:H4", _package(hidden))
    add(
        "far-cells-every-sheet",
        "a filled cell at XFD1048576 in each of the four sheets",
        _with_cells(filled, {name: {"XFD1048576": "x"} for name in sheets}),
    )
    add("far-column", "a filled cell at XFD2", _with_cells(filled, {"任务进展": {"XFD2": "x"}}))
    add(
        "rows-without-numbers",
        "5,000 rows without r= after the template's rows",
        replaced(
            **{task_sheet: _insert_rows(parts[task_sheet], "<row><c><v>1</v></c></row>" * 5000)}
        ),
    )
    add(
        "repeated-cell",
        "one row holding 100,000 cells that all say r=C150",
        replaced(
            **{
                task_sheet: _insert_rows(
                    parts[task_sheet],
                    '<row r="150">'
                    + "".join(
                        f'<c r="C150"><v>{rng.randrange(10**9)}</v></c>' for _ in range(100_000)
                    )
                    + "</row>",
                )
            }
        ),
    )

    many = dict(parts)
    workbook = many["xl/workbook.xml"].decode()
    rels = many["xl/_rels/workbook.xml.rels"].decode()
    types = many["[Content_Types].xml"].decode()
    help_sheet = parts[sheets["填写说明"]]
    extra_sheets, extra_rels, extra_types = [], [], []
    for n in range(150):
        many[f"xl/worksheets/extra{n}.xml"] = help_sheet
        extra_sheets.append(f'<sheet name="附表{n}" sheetId="{100 + n}" r:id="rIdX{n}"/>')
        extra_rels.append(
            f'<Relationship Id="rIdX{n}" Type="{WORKSHEET_REL}" Target="worksheets/extra{n}.xml"/>'
        )
        extra_types.append(
            f'<Override PartName="/xl/worksheets/extra{n}.xml" ContentType="{WORKSHEET_TYPE}"/>'
        )
    many["xl/workbook.xml"] = workbook.replace(
        "</sheets>", "".join(extra_sheets) + "</sheets>"
    ).encode()
    many["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", "".join(extra_rels) + "</Relationships>"
    ).encode()
    many["[Content_Types].xml"] = types.replace(
        "</Types>", "".join(extra_types) + "</Types>"
    ).encode()
    add("many-sheets", "150 more sheets", _package(many))

    strings = "".join(f"<si><t>{rng.randrange(10**12)}</t></si>" for _ in range(100_000))
    add(
        "many-shared-strings",
        "100,000 shared strings",
        replaced(
            **{
                "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{strings}</sst>'.encode(),
                "[Content_Types].xml": types.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" '
                    f'ContentType="{SHARED_STRINGS_TYPE}"/></Types>',
                ).encode(),
            }
        ),
    )

    styles = parts["xl/styles.xml"].decode()
    formats = "".join(
        f'<xf numFmtId="{rng.randrange(50)}" fontId="0" fillId="0" borderId="0" applyAlignment="1">'
        f'<alignment wrapText="1" indent="{rng.randrange(10)}"/></xf>'
        for _ in range(30_000)
    )
    add(
        "many-styles",
        "30,000 cell formats in xl/styles.xml",
        replaced(
            **{
                "xl/styles.xml": re.sub(
                    r"<cellXfs count=\"\d+\">", f'<cellXfs count="30000">{formats}', styles
                ).encode()
            }
        ),
    )

    deep = '<c r="C2" t="inlineStr"><is>' + "<r>" * 100_000 + "</r>" * 100_000 + "</is></c>"
    task_xml = re.sub(
        rb'<c r="C2"[^>]*>.*?</c>', deep.encode(), parts[task_sheet], count=1, flags=re.S
    )
    add("deep-xml", "a cell nested 100,000 elements deep", replaced(**{task_sheet: task_xml}))

    padding = b" " * (200 * 1024 * 1024)
    add(
        "zip-bomb",
        "任务进展 unpacking to 200 MB (whitespace), 0.2 MB packed",
        replaced(
            **{task_sheet: parts[task_sheet].replace(b"<sheetData>", b"<sheetData>" + padding, 1)}
        ),
    )
    add(
        "zip-bomb-small-parts",
        "150 extra parts of 1,000,000 zero bytes each (each under the size whose ratio is checked)",
        _package(parts | {f"xl/media/zero{n}.bin": b"\0" * 1_000_000 for n in range(150)}),
    )

    def with_doctype(xml: bytes, entities: str, reference: str) -> bytes:
        body = xml.split(b"?>", 1)[-1] if xml.startswith(b"<?xml") else xml
        body = re.sub(
            rb'<c r="C2"[^>]*>.*?</c>',
            f'<c r="C2" t="inlineStr"><is><t>{reference}</t></is></c>'.encode(),
            body,
            count=1,
            flags=re.S,
        )
        return f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode() + body

    laughs = '<!ENTITY l0 "lollollollol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)
    )
    add(
        "entity-expansion",
        "billion laughs: 10 levels of 10 entities in 任务进展",
        replaced(**{task_sheet: with_doctype(parts[task_sheet], laughs, "&l9;")}),
    )
    add(
        "entity-quadratic",
        "one 50 KB entity used 150 times (7.5 MB, under expat's 8 MiB threshold)",
        replaced(
            **{
                task_sheet: with_doctype(
                    parts[task_sheet], f'<!ENTITY big "{"x" * 50_000}">', "&big;" * 150
                )
            }
        ),
    )

    sqref = " ".join(f"{rng.choice('ABCDEFGH')}{rng.randrange(1, 1000)}" for _ in range(300_000))
    add(
        "huge-attribute",
        "a data validation over 300,000 cells listed one by one (sqref of 1.6 MB)",
        replaced(
            **{
                task_sheet: _insert_after_sheet_data(
                    parts[task_sheet],
                    f'<dataValidations count="1"><dataValidation type="whole" sqref="{sqref}">'
                    "<formula1>0</formula1></dataValidation></dataValidations>",
                )
            }
        ),
    )
    rules = (
        '<conditionalFormatting sqref="C2:C200">'
        + "".join(
            f'<cfRule type="cellIs" priority="{n + 1}" operator="equal"><formula>{n}</formula>'
            "</cfRule>"
            for n in range(30_000)
        )
        + "</conditionalFormatting>"
    )
    add(
        "many-rules",
        "30,000 conditional formatting rules",
        replaced(**{task_sheet: _insert_after_sheet_data(parts[task_sheet], rules)}),
    )

    # A cell of text as long as the unpacked limit allows, packed under the ratio that is taken
    # for a ZIP bomb. Excel keeps at most 32,767 characters in a cell.
    runs, size = [], 0
    while size < max_uncompressed * 0.9:
        runs.append("进" * rng.randint(1, 120) + rng.choice("展推动工作"))
        size += len(runs[-1]) * 3
    long_text = f'<c r="C2" t="inlineStr"><is><t>{"".join(runs)}</t></is></c>'.encode()
    add(
        "huge-text",
        f"{size / 1024 / 1024:.1f} MB of text in one cell, under the unpacked limit",
        _package(
            parts
            | {
                task_sheet: re.sub(
                    rb'<c r="C2"[^>]*>.*?</c>', long_text, parts[task_sheet], count=1, flags=re.S
                )
            },
            level=9,
        ),
    )

    # The largest data sheets the XML checks let through: rows 10 to the last allowed one, as
    # many columns of text as the element budget leaves.
    limits = limits or SIZES
    last_row = limits.rows
    per_sheet = (limits.elements * 0.95 - 1000) / 2 / (last_row - 9)
    columns = max(1, min(limits.columns, int((per_sheet - 1) // 3)))

    def full_rows() -> str:
        rows = []
        for row in range(10, last_row + 1):
            cells = "".join(
                f'<c r="{chr(65 + col)}{row}" t="inlineStr">'
                f"<is><t>{rng.randrange(10**9)}</t></is></c>"
                for col in range(columns)
            )
            rows.append(f'<row r="{row}">{cells}</row>')
        return "".join(rows)

    def no_dimension(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", xml)

    value_sheet = sheets["指标数值"]
    add(
        "within-limits",
        f"both data sheets filled up to the limits: rows 10–{last_row} × {columns} columns of text",
        replaced(
            **{
                task_sheet: no_dimension(_insert_rows(parts[task_sheet], full_rows())),
                value_sheet: no_dimension(_insert_rows(parts[value_sheet], full_rows())),
            }
        ),
    )

    # The same with the costliest elements openpyxl turns into objects: most of the settings
    # allowed as cell formats and conditional formats, the rules listing nearly all the cells
    # allowed in sqref, and rich-text cells for the rest of the elements.
    share = int(limits.settings * 0.35)
    style_budget = min(limits.style_elements - 200, share)  # the template has some 150
    formats = "".join(
        f'<xf numFmtId="{rng.randrange(50)}" fontId="0" fillId="0" borderId="0" applyAlignment="1">'
        f'<alignment wrapText="1" indent="{rng.randrange(9)}"/></xf>'
        for _ in range(style_budget // 2)
    )
    rule_count = min(share // 3, int(limits.references * 0.9))
    per_rule = max(1, int(limits.references * 0.9) // rule_count)
    rules = "".join(
        f'<conditionalFormatting sqref="{_cells(rng, per_rule)}">'
        f'<cfRule type="cellIs" priority="{n + 1}" operator="equal"><formula>{n}</formula></cfRule>'
        "</conditionalFormatting>"
        for n in range(rule_count)
    )
    rich_rows = int((limits.elements * 0.95 - share * 2 - 1000) / 2 / 49)

    def rich(first: int) -> str:
        return "".join(
            f'<row r="{row}">'
            + "".join(
                f'<c r="{chr(65 + col)}{row}" t="inlineStr"><is><r><rPr><b/></rPr>'
                f"<t>{rng.randrange(10**9)}</t></r></is></c>"
                for col in range(8)
            )
            + "</row>"
            for row in range(first, first + rich_rows)
        )

    add(
        "within-limits-mixed",
        f"{style_budget // 2} cell formats, {rule_count} conditional formats over "
        f"{rule_count * per_rule} cells, {rich_rows} rows × 8 rich-text cells in both data sheets",
        replaced(
            **{
                "xl/styles.xml": re.sub(
                    r'<cellXfs count="\d+">',
                    f'<cellXfs count="{style_budget // 2}">{formats}',
                    styles,
                ).encode(),
                task_sheet: _insert_after_sheet_data(
                    no_dimension(_insert_rows(parts[task_sheet], rich(10))), rules
                ),
                value_sheet: no_dimension(_insert_rows(parts[value_sheet], rich(10))),
            }
        ),
    )

    # A shared formula: openpyxl translates its master's text anew for each cell that uses it.
    master = "=" + "+".join(f"A{n}" for n in range(1, 200))
    cells = [f'<c r="C2"><f t="shared" ref="C2:P200" si="0">{master[1:]}</f></c>']
    shared_rows = [f'<row r="2">{cells[0]}</row>'] + [
        f'<row r="{row}">'
        + "".join(f'<c r="{chr(67 + col)}{row}"><f t="shared" si="0"/></c>' for col in range(8))
        + "</row>"
        for row in range(10, 200)
    ]
    add(
        "shared-formula",
        f"a {len(master)}-character shared formula used by {190 * 8} cells",
        replaced(**{task_sheet: _insert_rows(parts[task_sheet], "".join(shared_rows))}),
    )

    # A print area of many ranges: openpyxl parses a defined name's text when it loads the book.
    area = ",".join(f"'任务进展'!$A${n}:$B${n}" for n in range(1, 50_001))
    names = (
        '<definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">'
        f"{area}</definedName></definedNames>"
    )
    book_xml = parts["xl/workbook.xml"]
    book_xml = re.sub(rb"<definedNames>.*?</definedNames>", b"", book_xml, flags=re.S)
    add(
        "print-area",
        "a print area of 50,000 ranges (the text of a defined name)",
        replaced(
            **{"xl/workbook.xml": book_xml.replace(b"</sheets>", b"</sheets>" + names.encode(), 1)}
        ),
    )

    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, what, data, hostile in files:
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        cases.append(Case(name, what, path, hostile))
    return cases


# --- Django --------------------------------------------------------------------------------


def setup_django(folder: Path) -> None:
    """Django on DATABASE_URL, or on a new SQLite file in `folder`, with the plan and the demo
    accounts loaded."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanyang_tracker.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.pop("DJANGO_DEBUG", None)
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command

    from demo.accounts import create_demo_accounts
    from tasks.models import Plan

    call_command("migrate", verbosity=0)
    if not Plan.objects.exists():
        call_command("load_plan", verbosity=0)
    create_demo_accounts(password=DEMO_PASSWORD)


def bench_subject():
    """The unit, period and user the corpus is made for: 卧龙区's latest started quarter."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tasks.models import Plan, ReportingPeriod, Unit

    plan = Plan.objects.default()
    period = (
        ReportingPeriod.objects.in_plan(plan)
        .filter(starts_on__lte=timezone.localdate(), closed_at=None)
        .order_by("-starts_on")
        .first()
    )
    return Unit.objects.get(name=UNIT), period, get_user_model().objects.get(username=DEMO_USER)


def _saved() -> tuple:
    from reports.models import ProgressReport, ReportEvent, ReportRevision, TargetValue

    return tuple(
        m.objects.count() for m in (ProgressReport, TargetValue, ReportRevision, ReportEvent)
    )


def run_local(cases: list[Case]) -> list[tuple[Case, float, str]]:
    from reports import importing, template_format

    unit, period, user = bench_subject()
    results = []
    for case in sorted(cases, key=lambda c: not c.hostile):  # the control last: it writes
        data = case.path.read_bytes()
        before = _saved()
        gc.collect()  # not the previous file's garbage
        start = time.process_time()
        try:
            summary = importing.import_template(
                name=case.path.name, data=data, unit=unit, period=period, user=user
            )
        except template_format.ImportRefused as refusal:
            outcome = f"refused: {refusal.message}"
        else:
            outcome = f"imported: {summary.created} created, {summary.updated} updated"
        cpu = time.process_time() - start
        if case.hostile and _saved() != before:
            outcome += "  [!] SOMETHING WAS SAVED"
        results.append((case, cpu, outcome))
    results.sort(key=lambda r: -r[1])
    print(f"\n{'file':24} {'KB':>7} {'CPU s':>7}  outcome")
    for case, cpu, outcome in results:
        size = case.path.stat().st_size / 1024
        print(f"{case.name:24} {size:7.1f} {cpu:7.3f}  {outcome[:110]}")
    return results


# --- against gunicorn ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """One browser: a cookie jar, CSRF tokens read from the pages, loopback only."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=300) as response:
            return response.status, response.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": content_type, "Referer": self.base + path},
        )
        with self.opener.open(request, timeout=300) as response:
            return response.status, response.read().decode()

    @staticmethod
    def token(page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def log_in(self) -> None:
        _status, page = self.get("/accounts/login/")
        form = {
            "username": DEMO_USER,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": self.token(page),
        }
        _status, page = self.post(
            "/accounts/login/",
            urllib.parse.urlencode(form).encode(),
            "application/x-www-form-urlencoded",
        )
        if "退出" not in page and "logout" not in page:
            raise SystemExit("could not log in as the demo reporter")

    def upload(self, path: Path, period_id: int) -> tuple[int, str, float]:
        _status, page = self.get(f"/reporting/import/?period={period_id}")
        boundary = uuid.uuid4().hex
        fields = {"csrfmiddlewaretoken": self.token(page), "period": str(period_id)}
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        body += (
            (
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="file"; filename="{path.name}"\r\n'
                f"Content-Type: {XLSX}\r\n\r\n"
            ).encode()
            + path.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        start = time.perf_counter()
        status, page = self.post(
            "/reporting/import/", body, f"multipart/form-data; boundary={boundary}"
        )
        elapsed = time.perf_counter() - start
        refused = re.search(r"<strong>[^<]*</strong>([^<]*)</p>", page)
        done = re.search(r"导入完成[^<]*", page)
        outcome = f"refused: {refused[1]}" if refused else (done[0] if done else page[:80])
        return status, outcome.strip(), elapsed


def create_postgres_database() -> str:
    """A fresh PostgreSQL database `benchimport` on 127.0.0.1; its URL."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS benchimport")
        db.execute("CREATE DATABASE benchimport")
    return "postgres://postgres@127.0.0.1:5432/benchimport"


def run_server(
    cases: list[Case],
    folder: Path,
    *,
    period_id: int,
    warm_up: Case | None,
    rounds: int = 10,
    probes: int = 20,
) -> None:
    """gunicorn on the database and SECRET_KEY this process set up, so that the templates it
    signed are the server's own."""
    env = dict(os.environ)
    env.pop("DJANGO_DEBUG", None)
    env.pop("REDIS_URL", None)  # Celery eager, the cache per process: nothing else to start
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    env["PYTHONPATH"] = f"{folder}{os.pathsep}{ROOT}"
    env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    env["MEDIA_ROOT"] = str(folder / "media")
    # The production settings, with static files collected into the temporary folder.
    (folder / "bench_settings.py").write_text(
        "from nanyang_tracker.settings import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    python = sys.executable
    subprocess.run(
        [python, str(ROOT / "manage.py"), "collectstatic", "--no-input"],
        env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(folder / "gunicorn.log", "w")
    server = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "nanyang_tracker.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", "2", "--timeout", "120"],
        env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    try:
        anonymous = Session(base)
        for _ in range(240):
            try:
                if anonymous.get("/accounts/login/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise SystemExit(f"gunicorn did not start; see {folder / 'gunicorn.log'}")
        uploaders = [Session(base), Session(base)]
        for session in uploaders:
            session.log_in()
        # Warm both workers (openpyxl and the import's templates loaded), as in production.
        if warm_up is not None:
            for _ in range(3):
                for session in uploaders:
                    session.upload(warm_up.path, period_id)
        idle = [_timed(anonymous) for _ in range(probes)]
        walls: dict[str, list[float]] = {case.name: [] for case in cases}
        outcomes: dict[str, str] = {}
        busy: list[float] = []
        for _round in range(rounds):
            results: list = [None] * len(cases)

            def upload(index: int, results=results) -> None:
                results[index] = uploaders[index].upload(cases[index].path, period_id)

            threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(cases))]
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                busy.append(_timed(anonymous))
                time.sleep(0.01)
            for thread in threads:
                thread.join()
            for case, (status, outcome, elapsed) in zip(cases, results, strict=True):
                walls[case.name].append(elapsed)
                outcomes[case.name] = f"HTTP {status}  {outcome}"
            time.sleep(0.2)
        print(
            f"\ngunicorn, 2 sync workers, {connection_label()}: {rounds} rounds of two uploads at "
            "once while GET /accounts/login/ is timed"
        )
        for case in cases:
            times = walls[case.name]
            print(
                f"  upload {case.name:22} median {statistics.median(times):5.2f} s, "
                f"max {max(times):5.2f} s  {outcomes[case.name][:100]}"
            )
        for label, times in (("idle", idle), ("during the uploads", busy)):
            print(
                f"  login page {label}: median {statistics.median(times) * 1000:.1f} ms, "
                f"max {max(times) * 1000:.1f} ms ({len(times)} requests)"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the session gunicorn was started in, only
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def connection_label() -> str:
    from django.db import connection

    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


def _timed(session: Session) -> float:
    start = time.perf_counter()
    status, _page = session.get("/accounts/login/")
    assert status == 200
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server", action="store_true", help="also upload the two slowest files to gunicorn"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="use a new PostgreSQL database benchimport"
    )
    parser.add_argument(
        "--files", help="with --server: comma-separated names of the files to upload"
    )
    parser.add_argument("--rounds", type=int, default=10, help="with --server: rounds of uploads")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        if args.postgres:
            os.environ["DATABASE_URL"] = create_postgres_database()
        setup_django(folder)
        from reports import excel_template, importing, package_checks

        unit, period, _user = bench_subject()
        print(f"{connection_label()}; corpus for {unit.name}, {period.label}, in {folder}")
        template = excel_template.build_template(unit=unit, period=period)
        limits = getattr(importing, "PACKAGE_LIMITS", None)  # None before they existed
        cases = build_corpus(
            folder / "corpus",
            template=template,
            limits=limits,
            max_uncompressed=package_checks.MAX_UNCOMPRESSED,
        )
        results = run_local(cases)
        if args.server:
            by_name = {c.name: c for c in cases}
            if args.files:
                chosen = [by_name[n] for n in args.files.split(",")]
            else:
                chosen = [case for case, _cpu, _outcome in results if case.hostile][:2]
            control = next(c for c in cases if not c.hostile)
            run_server(chosen, folder, period_id=period.pk, warm_up=control, rounds=args.rounds)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
