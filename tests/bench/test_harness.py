"""manage.py bench at a tiny scale: the dataset is built as documented, every figure is measured
and docs/benchmarks.md is written. Nothing here is timed: the figures only have to exist."""

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from bench import harness as bench
from demo.seeding import seed_demo
from reports.models import ProgressReport, ReportEvent, ReportRevision
from targets.models import Target
from tasks.models import Plan, Task, Unit

pytestmark = pytest.mark.django_db


def test_the_benchmark_builds_its_dataset_measures_and_writes_the_report(
    settings, tmp_path, monkeypatch
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS]  # the command's change is undone after
    monkeypatch.setattr(bench, "SCALES", (1, 2))  # 10× the demo would take a minute here
    output = tmp_path / "benchmarks.md"
    call_command(
        "bench",
        "--plans=2",
        "--units=5",
        "--periods=2",
        "--repeats=2",
        "--scale-repeats=1",
        "--no-throughput",  # its own tests below; here it would add half a minute
        f"--output={output}",
        stdout=io.StringIO(),
    )

    # The dataset: two plans, five counties in the collective, each owing 3 + 8 tasks a plan.
    assert set(Plan.objects.values_list("code", flat=True)) == {"innovation-2022", "copy-2"}
    counties = list(Unit.objects.get(name=bench.COUNTIES).members.all())
    assert len(counties) == 5
    for plan in Plan.objects.all():
        assert Target.objects.in_plan(plan).count() == 30 + bench.EXTRA_COUNTY_TARGETS
        for county in counties:
            assert Task.objects.in_plan(plan).owned_by(county).count() == 11
        periods = set(
            ProgressReport.objects.filter(period__plan=plan).values_list("period", flat=True)
        )
        assert len(periods) == 2
    reports = ProgressReport.objects.count()
    assert reports > 0
    assert ReportRevision.objects.filter(report__isnull=False).count() == reports
    assert ReportEvent.objects.filter(report__isnull=False).count() >= 2 * reports
    assert bench.is_bench_database()

    # The report: every page with its figures, the export, the verdict.
    text = output.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Dataset", "## Pages", "## 台账 export",
                    "## Stored verdicts", "## On the wire", "## Verdict"):  # fmt: skip
        assert heading in text
    assert re.search(r"after approving one submitted value of `[\w-]+` .*: median \d+ ms", text)
    assert re.search(r"A full rebuild of the plan .*: [\d.]+ s, [\d,]+ rows", text)
    assert re.search(r"\| `/static/[^`]*plotly-cartesian-3\.4\.0[^`]*\.js` \| \d+ \| \d+ \|", text)
    assert re.search(r"First visit: \d+ KiB; repeat visit .*: \d+ KiB", text)
    pages = {
        "/bench/floor/",
        "/dashboard/",
        "/dashboard/scoreboard/",
        "/plans/innovation-2022/ledger/",
        "/reporting/",
        "/compliance/",
    }
    for url in pages:
        row = next(line for line in text.splitlines() if f"| `{url}` |" in line)
        median, p95 = re.findall(r"\| ([\d.]+) \| ([\d.]+) \|", row)[0]
        assert float(median) > 0 and float(p95) >= float(median)
    assert re.search(r"\| `/dashboard/targets/\d+/` \|", text)
    assert re.search(r"\| `/dashboard/units/\d+/` \|", text)
    assert re.search(r"\| export \(rows \+ workbook\) \| [\d.]+ \|", text)
    assert re.search(r"\| floor \(bare openpyxl\) \| [\d.]+ \|", text)
    assert re.search(r"\| floor \(XlsxWriter, constant_memory\) \| [\d.]+ \|", text)
    assert "the export runs at" in text
    cell = r"[\d.]+ / [\d.]+ \(\d+\)"  # served / drawn ms (queries drawn)
    assert re.search(rf"\| 总览 \| {cell} \| {cell} \| [\d.]+× / [\d.]+× \|", text)
    assert re.search(
        r"\| 总览 \| `/dashboard/` \| [\d.]+ \| [\d.]+ \| .* \| [\d.]+ / [\d.]+ \| \d+ / \d+ \|",
        text,
    )
    assert re.search(r"- Cost against data \(1×, 2×\): (met|MISSED)", text)
    assert "- 总览 throughput: not measured (asked not to (--no-throughput))" in text


def test_it_refuses_a_database_that_has_reports_unless_forced(settings, tmp_path, plan):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS]
    bench.bench_users()
    seed_demo(plan=plan, seed=1, today=bench.seed_cutoff(plan, 1))
    with pytest.raises(CommandError, match="already has reports"):
        call_command("bench", f"--output={tmp_path / 'b.md'}")
    with pytest.raises(CommandError, match="not built by"):
        call_command("bench", "--skip-build", f"--output={tmp_path / 'b.md'}")
    assert not (tmp_path / "b.md").exists()


def test_the_xlsxwriter_floor_writes_the_same_cells_as_the_openpyxl_floor():
    ledger = [
        ["title"],
        ["序号", "任务", "完成率"],
        [1, "=1+1 不是公式", 0.5],
        [2, "http://x", None],
    ]
    targets = [["title"], ["指标", "目标"], ["技术合同成交额", 3.5]]
    written = {}
    for name, write in (("openpyxl", bench.floor_workbook), ("xlsxwriter", bench.xlsxwriter_floor)):
        stream = io.BytesIO()
        write(stream, ledger, targets)
        book = load_workbook(io.BytesIO(stream.getvalue()))
        written[name] = {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    assert written["xlsxwriter"] == written["openpyxl"]
    assert written["xlsxwriter"]["重点任务台账"][2] == [1, "=1+1 不是公式", 0.5]
    assert written["xlsxwriter"]["重点任务台账"][3] == [2, "http://x", None]


def test_the_scales_grow_the_data_around_the_plan_shown_and_are_rolled_back(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    plans_before = Plan.objects.count()

    results = bench.measure_scales(
        scales=(1, 2), periods=1, repeats=2, warmup=0, log=lambda _s: None
    )

    one, two = results
    assert (one.scale, one.plans, two.scale, two.plans) == (1, 1, 2, 2)
    assert one.reports > 0 and two.reports == pytest.approx(2 * one.reports, rel=0.1)
    assert two.shown_reports == one.shown_reports == one.reports
    for result in results:
        pages = {r.page.key: r for r in result.pages}
        assert {"floor", "overview", "target", "ledger", "inbox"} <= set(pages)
        assert all(len(r.times_ms) == 2 and r.median > 0 and r.queries > 0 for r in pages.values())
    spread = bench.scale_spread(results)
    assert set(spread) == {r.page.key for r in one.pages} and min(spread.values()) >= 1
    # Nothing stays behind.
    assert Plan.objects.count() == plans_before
    assert not ProgressReport.objects.exists()


class _Pages(BaseHTTPRequestHandler):
    """/ok answers 200 to a request with the cookie, everything else a redirect to log in."""

    def do_GET(self):
        signed_in = self.headers.get("Cookie") == "sessionid=abc"
        status = 200 if self.path == "/ok" and signed_in else 302
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/accounts/login/")
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")  # as gunicorn's sync workers do
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_throughput_client_counts_the_answers_within_the_timed_seconds(tiny_server):
    cookie = {"Cookie": "sessionid=abc"}
    ok = bench.load_url("127.0.0.1", tiny_server, "/ok", headers=cookie, connections=3,
                        seconds=0.5, warmup=0.2)  # fmt: skip
    assert ok.requests > 10 and ok.errors == 0 and ok.statuses == {200: ok.requests}
    assert ok.per_second == pytest.approx(ok.requests / 0.5)
    assert 0 < ok.median <= ok.p95

    signed_out = bench.load_url("127.0.0.1", tiny_server, "/ok", connections=2, seconds=0.3,
                                warmup=0)  # fmt: skip
    assert signed_out.requests == 0 and signed_out.errors == signed_out.statuses[302] > 0

    nobody = bench.load_url("127.0.0.1", bench.free_port(), "/ok", connections=1, seconds=0.2,
                            warmup=0)  # fmt: skip
    assert nobody.requests == 0 and nobody.statuses.get(0, 0) == nobody.errors > 0


def test_gunicorn_serves_the_overview_and_the_floor_to_a_signed_in_leader(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS]

    result = bench.measure_throughput(seconds=1, warmup=0.5, connections=2, log=lambda _s: None)

    assert result.reports > 1000 and result.workers == 2
    assert [r.name for r in result.rates] == ["floor", "overview"]
    assert [r.url for r in result.rates] == ["/bench/floor/", "/dashboard/"]
    for rate in result.rates:
        assert rate.requests > 0 and rate.errors == 0, rate.statuses
    assert "_throughput" in result.database or "SQLite" in result.database


def _page(key, name, url, median, queries=10):
    return bench.PageResult(bench.Page(key, name, url, "bench-leader"), [median] * 3, queries,
                            1.0, median, [])  # fmt: skip


def _fake_report(*, overview_at_10x: float, overview_rate: float, xlsx_s: float):
    def pages(overview_ms):
        return [
            _page("floor", "floor: HttpResponse('ok'), warm", "/bench/floor/", 3.0, 2),
            _page("overview", "总览", "/dashboard/", overview_ms, 8),
        ]

    export = bench.ExportResult(
        plan="innovation-2022", period="2025年第四季度", ledger_rows=100, target_rows=30,
        cells=2000, runs=3, export_s=[1.0] * 3, rows_s=[0.4] * 3, write_s=[0.6] * 3,
        floor_s=[0.6] * 3, export_peak=10 * bench.MIB, floor_peak=5 * bench.MIB,
        export_bytes=50_000, floor_bytes=40_000, xlsx_s=[xlsx_s] * 3, xlsx_peak=bench.MIB,
        xlsx_bytes=30_000, rss_note="not measured (asked not to)",
    )  # fmt: skip
    scales = [
        bench.ScaleResult(1, 1, 1_500, 450, 3.0, pages(20.0), 1_500),
        bench.ScaleResult(3, 3, 4_500, 1_350, 9.0, pages(21.0), 1_500),
        bench.ScaleResult(10, 10, 15_000, 4_500, 30.0, pages(overview_at_10x), 1_500),
    ]
    rates = [
        bench.RateResult("floor", "/bench/floor/", 10, [5.0] * 4000, 0, {200: 4000}),
        bench.RateResult("overview", "/dashboard/", 10, [20.0] * int(overview_rate * 10), 0,
                         {200: int(overview_rate * 10)}),
    ]  # fmt: skip
    throughput = bench.ThroughputResult(2, 4, 10, 2, "a temporary SQLite file", 20.0, 1_496,
                                        rates, "gunicorn 23.0.0")  # fmt: skip
    counts = dict.fromkeys(
        ["plans", "units", "counties", "tasks", "task_units", "targets", "periods",
         "periods_with_reports", "reports", "reports_approved", "values", "values_approved",
         "events", "revisions"], 1,
    )  # fmt: skip
    return bench.Report(
        command="manage.py bench", started=bench.now(), machine={"CPUs (nproc)": "2"},
        counts=counts, build=None, pages=pages(20.0), page_note="", demo_queries={},
        export=export, scales=scales, throughput=throughput,
    )  # fmt: skip


def test_the_report_sets_the_scales_the_throughput_and_both_export_floors_beside_their_goals():
    text = bench.render(_fake_report(overview_at_10x=22.0, overview_rate=150, xlsx_s=0.5))

    scales = text.split("## Cost against the amount of data", 1)[1].split("\n## ", 1)[0]
    assert "| plans | 1 | 3 | 10 | |" in scales
    assert "| · of them in the plan shown | 1,500 | 1,500 | 1,500 | |" in scales
    assert "| 总览 | 20.0 / — (8) | 21.0 / — (8) | 22.0 / — (8) | 1.10× / — |" in scales
    throughput = text.split("## Throughput", 1)[1].split("\n## ", 1)[0]
    assert "gunicorn 23.0.0 serving the project on 127.0.0.1 with 2 sync workers" in throughput
    assert "| `/dashboard/` | 总览 | 150.0 | 20.0 | 20.0 | 0 |" in throughput
    assert "| `/bench/floor/` | floor: HttpResponse('ok') | 400.0 | 5.0 | 5.0 | 0 |" in throughput
    assert "总览 at 38% of the floor's rate" in throughput
    assert re.search(
        r"\| floor \(XlsxWriter, constant_memory\) \| 0\.500 \| 0\.500 \| 1\.0 \|", text
    )
    assert "the export runs at 0.60× openpyxl's speed and at 0.50× XlsxWriter's" in text
    verdict = text.split("## Verdict", 1)[1]
    assert "- 台账 export against the XlsxWriter floor: met (0.50× its speed)" in verdict
    assert "- Cost against data (1×, 3×, 10×): met (widest spread 1.10×)" in verdict
    assert "- 总览 throughput: met (150 req/s; the floor 400 req/s)" in verdict


def test_the_verdict_says_which_new_goal_is_missed_and_why():
    report = _fake_report(overview_at_10x=40.0, overview_rate=60, xlsx_s=0.3)
    report.scales[2].pages[0].times_ms = [4.5] * 3  # the floor slower too: a busy machine

    text = bench.render(report)

    assert "The floor's own median moved 1.50× across the scales" in text

    verdict = text.split("## Verdict", 1)[1]
    assert "- 台账 export against the XlsxWriter floor: MISSED — 0.30× its speed < 0.5×" in verdict
    assert (
        "- Cost against data (1×, 3×, 10×): MISSED — 总览 2.00× (widest spread 2.00×; the floor itself moved 1.50×: a busy machine)"
        in verdict
    )
    assert "- 总览 throughput: MISSED — 60 req/s < 100 req/s (the floor 400 req/s)" in verdict


def test_the_report_says_when_the_scales_and_the_throughput_were_not_measured():
    report = _fake_report(overview_at_10x=22.0, overview_rate=150, xlsx_s=0.5)
    report.scales, report.scales_note = [], "it needs the empty database a build starts from"
    report.throughput, report.throughput_note = None, "asked not to (--no-throughput)"

    text = bench.render(report)

    assert "Not measured: it needs the empty database a build starts from." in text
    assert "Not measured: asked not to (--no-throughput)." in text
    assert "- Cost against data: not measured (it needs the empty database" in text
    assert "- 总览 throughput: not measured (asked not to (--no-throughput))" in text
