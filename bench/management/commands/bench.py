"""manage.py bench: build a large dataset, measure the pages and the 台账 export against floors
measured in the same run, and write docs/benchmarks.md. The work is in bench/harness.py."""

import shlex
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import harness as bench
from reports.models import ProgressReport


class Command(BaseCommand):
    help = (
        "Benchmark: builds 10 plans × 200 counties × 15 quarters of data (for a dedicated "
        "database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench), measures the "
        "pages and the 台账 export against floors, the pages at 1×, 3× and 10× the demo data, "
        "总览's requests per second from gunicorn, and writes docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=10, help="plans (default 10)")
        parser.add_argument(
            "--units",
            type=int,
            default=200,
            help="county-level units in 各县市区政府（管委会） (default 200)",
        )
        parser.add_argument("--periods", type=int, default=15, help="quarters seeded (max 15)")
        parser.add_argument(
            "--repeats", type=int, default=30, help="timed requests per page (default 30)"
        )
        parser.add_argument(
            "--output",
            default="docs/benchmarks.md",
            help="where the results go (default docs/benchmarks.md, from the project folder)",
        )
        parser.add_argument(
            "--skip-build", action="store_true", help="measure the dataset already built"
        )
        parser.add_argument(
            "--no-scales",
            action="store_true",
            help="skip timing the pages at 1×, 3× and 10× the demo data (each built in a "
            "transaction rolled back before the build, about 2 minutes)",
        )
        parser.add_argument(
            "--scale-repeats",
            type=int,
            default=15,
            help="timed rounds of every page at each of those scales (default 15)",
        )
        parser.add_argument(
            "--no-throughput",
            action="store_true",
            help="skip the requests/s of 总览 and the floor from gunicorn (2 workers, "
            "production settings) on a database of its own with the demo data, created and "
            "dropped (<database>_throughput on PostgreSQL; about 1½ minutes)",
        )
        parser.add_argument(
            "--throughput-seconds",
            type=float,
            default=10.0,
            help="seconds each URL is loaded for, after 2 s of warm-up (default 10)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run on a database that already has reports (it adds to it)",
        )

    def handle(self, *args, **options):
        plans, units, periods = options["plans"], options["units"], options["periods"]
        repeats, scale_repeats = options["repeats"], options["scale_repeats"]
        seconds = options["throughput_seconds"]
        if min(plans, units, repeats, scale_repeats) < 1 or not 1 <= periods <= 15 or seconds <= 0:
            raise CommandError(
                "--plans, --units, --repeats, --scale-repeats ≥ 1; --periods from 1 to 15; "
                "--throughput-seconds > 0."
            )
        has_reports = ProgressReport.objects.exists()
        if options["skip_build"]:
            if not has_reports:
                raise CommandError("Nothing to measure: the database has no reports.")
            if not bench.is_bench_database() and not options["force"]:
                raise CommandError(
                    "This database was not built by manage.py bench; it is measured only with "
                    "--force."
                )
        elif has_reports and not options["force"]:
            raise CommandError(
                "The database already has reports: run bench on a dedicated, empty database "
                "(e.g. createdb -h 127.0.0.1 -U postgres bench; DATABASE_URL=postgres://"
                "postgres@127.0.0.1:5432/bench manage.py migrate), or add --force."
            )
        output = Path(options["output"])
        if not output.is_absolute():
            output = Path(settings.BASE_DIR) / output
        # The test client asks for host "testserver".
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        log = self.stdout.write
        started = bench.now()
        given = sys.argv[2:] if sys.argv[1:2] == ["bench"] else []
        command = " ".join(["manage.py bench", *(shlex.quote(a) for a in given)])

        build = None
        demo_queries: dict[str, int] = {}
        scales: list = []
        scales_note = "asked not to (--no-scales)" if options["no_scales"] else ""
        if not options["skip_build"] and not has_reports:
            log("Queries per page on the demonstration data (rolled back)…")
            demo_queries = bench.demo_query_counts(periods=periods)
            log("  " + ", ".join(f"{k} {v}" for k, v in demo_queries.items()))
            if not options["no_scales"]:
                log(
                    f"Pages at {', '.join(f'{n}×' for n in bench.SCALES)} the demonstration "
                    "data (each rolled back)…"
                )
                tick = time.perf_counter()
                scales = bench.measure_scales(repeats=scale_repeats, log=log)
                log(f"  ({time.perf_counter() - tick:.0f} s)")
        elif not scales_note:
            scales_note = "it needs the empty database a build starts from"
        if not options["skip_build"]:
            log(f"Building {plans} plans × {units} counties × {periods} quarters…")
            build = bench.build_dataset(plans=plans, units=units, periods=periods, log=log)
            log(f"Built in {build.seconds:.0f} s.")
        counts = bench.dataset_counts()
        log(
            f"Dataset: {counts['reports']:,} reports, {counts['values']:,} values, "
            f"{counts['events']:,} events, {counts['revisions']:,} revisions."
        )

        load = {"before the pages": bench.load_average()}
        log(f"Pages: 3 warm-up rounds, then {repeats} timed rounds of every page…")
        tick = time.perf_counter()
        pages, note = bench.measure_pages(repeats=repeats, log=log)
        log(f"  ({time.perf_counter() - tick:.0f} s)")
        log("台账 export…")
        export = bench.measure_export(runs=min(5, repeats), log=log)
        load["after the export"] = bench.load_average()
        log("Stored verdicts: refresh after one approval, full rebuild…")
        refresh = bench.measure_refresh(log=log)
        wire = bench.measure_wire()
        log(f"  wire: first visit {wire.first_visit / 1024:.0f} KiB, repeat "
            f"{wire.repeat_visit / 1024:.0f} KiB")  # fmt: skip
        throughput, throughput_note = None, "asked not to (--no-throughput)"
        if not options["no_throughput"]:
            load["before the throughput"] = bench.load_average()
            log("Throughput: gunicorn on a database of the demonstration data…")
            throughput = bench.measure_throughput(seconds=seconds, log=log)
        report = bench.Report(
            command=command,
            started=started,
            machine=bench.machine_info(),
            counts=counts,
            build=build,
            pages=pages,
            page_note=note,
            demo_queries=demo_queries,
            export=export,
            repeats=repeats,
            load=load,
            refresh=refresh,
            wire=wire,
            scales=scales,
            scales_note=scales_note,
            scale_repeats=scale_repeats,
            throughput=throughput,
            throughput_note=throughput_note,
        )
        for result in bench.slow_pages(report):
            log(f"Profiling {result.page.key}…")
            report.profiles[result.page.key] = bench.profile_page(result.page)
        if report.export_misses():
            log("Profiling the export…")
            report.profiles["export"] = bench.profile_export()
        bench.write_report(report, output)
        for result in pages:
            if result.page.key.startswith("floor"):
                continue
            misses = report.page_misses(result)
            log(f"{result.page.key}: " + ("met" if not misses else "; ".join(misses)))
        misses = report.export_misses() + report.xlsx_misses()
        log("export: " + ("met" if not misses else "; ".join(misses)))
        if scales:
            misses = report.scale_misses()
            log("cost against data: " + ("met" if not misses else "; ".join(misses)))
        if throughput is not None:
            misses = report.throughput_misses()
            log("throughput: " + ("met" if not misses else "; ".join(misses)))
        self.stdout.write(self.style.SUCCESS(f"Written {output}"))
