import datetime as dt

import pytest
from django.core.management import call_command

from demo.models import DemoDataset
from demo.seeding import clear_demo, seed_demo
from reports.duties import compliance
from reports.models import ProgressReport, ReportEvent, TargetValue
from targets.models import Target
from tasks.models import ReportingPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 1)  # after the last quarter, 2025 Q4, has ended


@pytest.fixture
def seeded(plan):
    return seed_demo(plan=plan, seed=7, today=TODAY)


def values_snapshot():
    return sorted(
        TargetValue.objects.values_list(
            "target__key",
            "unit__name",
            "period__year",
            "period__quarter",
            "series",
            "value",
            "status",
        )
    )


def test_it_creates_reports_and_values_for_every_unit_over_every_quarter(seeded, plan):
    assert seeded.reports > 1000 and seeded.values > 400
    periods = ReportingPeriod.objects.in_plan(plan)
    assert set(ProgressReport.objects.values_list("period", flat=True)) == set(
        periods.values_list("pk", flat=True)
    )
    latest = periods.last()
    for row in compliance(latest):
        assert row.owed > 0
    reporting_units = {r.unit.name for r in compliance(latest)}
    assert set(ProgressReport.objects.values_list("unit__name", flat=True)) == reporting_units


def test_its_figures_arrive_as_statistics_are_published(plan):
    seed_demo(plan=plan, seed=7, today=dt.date(2026, 12, 1))
    values = TargetValue.objects.select_related("target", "period")

    def of(key, **lookups):
        return values.filter(target__key=key, series="actual", **lookups)

    # Yearly targets: one figure a year, at the year's end, in the fourth quarter.
    yearly = values.filter(target__cadence="annual")
    assert set(yearly.values_list("period__quarter", flat=True)) == {4}
    assert all(v.covers_to == dt.date(v.period.year, 12, 31) for v in yearly)
    # A flow as 1—N月累计, and the last quarter published only to October.
    turnover = of("tech-contract-turnover", period__year=2025, period__quarter=4).first()
    assert turnover is None or (turnover.form, turnover.covers_to) == ("ytd", dt.date(2025, 10, 31))
    assert of("tech-contract-turnover", form="ytd").count() > 10
    # A forecast in a year-end summary; a growth target published as growth rates.
    assert set(of("high-tech-enterprises", period__year=2025).values_list("quality", flat=True)) <= {
        "estimate"}  # fmt: skip
    assert set(of("rd-growth").values_list("form", flat=True)) == {"growth"}
    # A year never reported; a total stated as a total to date; a total that includes earlier
    # builds; the provincial average not yet out for the last year.
    assert not of("municipal-major-specials", period__year=2023).exists()
    assert of("provincial-key-projects", form="to_date").exists()
    assert set(of("academician-workstations").values_list("form", flat=True)) <= {"level"}
    benchmark = values.filter(target__key="rd-intensity", series="benchmark")
    assert benchmark.exists() and not benchmark.filter(period__year=2025).exists()


def test_it_is_deterministic_for_a_seed(plan):
    seed_demo(plan=plan, seed=7, today=TODAY)
    first = values_snapshot()
    clear_demo()
    assert not TargetValue.objects.exists()
    seed_demo(plan=plan, seed=7, today=TODAY)
    assert values_snapshot() == first
    clear_demo()
    seed_demo(plan=plan, seed=8, today=TODAY)
    assert values_snapshot() != first


def test_it_is_plausible_late_returned_and_unfinished_reports_are_all_there(seeded, plan):
    statuses = set(ProgressReport.objects.values_list("status", flat=True))
    assert {"approved", "submitted", "returned", "draft"} <= statuses
    assert ProgressReport.objects.filter(is_late=True).exists()
    resubmitted = ReportEvent.objects.filter(action="return", report__status="approved")
    assert resubmitted.exists()
    county = Target.objects.get(plan=plan, key="county-tech-contract-turnover")
    per_county = TargetValue.objects.filter(target=county, period__year=2024)
    assert per_county.values("unit").distinct().count() == 18


def test_its_events_carry_the_dates_of_their_quarter(seeded):
    report = ProgressReport.objects.filter(status="approved").select_related("period").first()
    created = report.events.get(action="create").at.date()
    assert report.period.starts_on <= created <= report.period.ends_on
    assert report.submitted_at.date() >= report.period.ends_on - dt.timedelta(days=10)


def test_running_it_twice_changes_nothing(seeded, plan):
    before = ProgressReport.objects.count()
    assert seed_demo(plan=plan, seed=7, today=TODAY).skipped
    assert ProgressReport.objects.count() == before


def test_it_keeps_real_reports_and_clearing_removes_only_the_demo(plan, staff_kjj):
    real = f.make_report(staff_kjj, plan, year=2023, quarter=3)
    seed_demo(plan=plan, seed=7, today=TODAY)
    assert ProgressReport.objects.get(pk=real.pk).progress == real.progress
    clear_demo()
    assert list(ProgressReport.objects.values_list("pk", flat=True)) == [real.pk]
    assert not DemoDataset.objects.exists()
    assert not Target.objects.filter(baseline_source__startswith="演示").exists()


def test_every_page_says_demo_data_while_it_is_present(client, leader, seeded):
    client.force_login(leader)
    banner = "演示数据：本系统当前的进展和数值为自动生成的演示数据"
    assert banner in client.get("/").content.decode()
    assert banner in client.get("/units/").content.decode()
    clear_demo()
    assert banner not in client.get("/").content.decode()


def test_the_command_seeds_once_and_clears(capsys, plan):
    call_command("seed_demo", "--dry-run")
    assert "试运行" in capsys.readouterr().out and not DemoDataset.objects.exists()
    call_command("seed_demo")
    assert "已生成演示数据" in capsys.readouterr().out
    call_command("seed_demo")
    assert "未重复生成" in capsys.readouterr().out
    call_command("seed_demo", "--clear")
    assert not DemoDataset.objects.exists()


def test_the_high_tech_anchor_of_353_at_the_end_of_2021_is_the_baseline(seeded, plan):
    target = Target.objects.get(plan=plan, key="high-tech-enterprises")
    assert (target.baseline_value, target.baseline_on) == (353, dt.date(2021, 12, 31))
    assert "353" in target.baseline_source
