"""manage.py bench at a tiny scale: the dataset is built as documented, every figure is measured
and docs/benchmarks.md is written. Nothing here is timed: the figures only have to exist."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from bench import harness as bench
from demo.seeding import seed_demo
from reports.models import ProgressReport, ReportEvent, ReportRevision
from targets.models import Target
from tasks.models import Plan, Task, Unit

pytestmark = pytest.mark.django_db


def test_the_benchmark_builds_its_dataset_measures_and_writes_the_report(settings, tmp_path):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS]  # the command's change is undone after
    output = tmp_path / "benchmarks.md"
    call_command(
        "bench",
        "--plans=2",
        "--units=5",
        "--periods=2",
        "--repeats=2",
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
    assert "the export runs at" in text


def test_it_refuses_a_database_that_has_reports_unless_forced(settings, tmp_path, plan):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS]
    bench.bench_users()
    seed_demo(plan=plan, seed=1, today=bench.seed_cutoff(plan, 1))
    with pytest.raises(CommandError, match="already has reports"):
        call_command("bench", f"--output={tmp_path / 'b.md'}")
    with pytest.raises(CommandError, match="not built by"):
        call_command("bench", "--skip-build", f"--output={tmp_path / 'b.md'}")
    assert not (tmp_path / "b.md").exists()
