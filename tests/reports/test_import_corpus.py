"""The benchmark's corpus of hostile files (bench/import_corpus.py), at its normal size, through
the import page: each one is refused with a Chinese message and nothing is saved, and the
genuine filled template imports. No timing here: the figures are the benchmark's."""

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import excel_template, importing, package_checks, template_format, template_reading
from reports.models import ProgressReport, ReportEvent, ReportRevision, TargetValue
from tasks.models import Plan
from tests import factories as f

pytestmark = pytest.mark.django_db
IMPORT = reverse("reports:import")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
HOSTILE = [
    "far-cell", "far-cell-hidden", "far-cells-every-sheet", "far-column", "rows-without-numbers",
    "repeated-cell", "many-sheets", "many-shared-strings", "many-styles", "deep-xml", "zip-bomb",
    "zip-bomb-small-parts", "entity-expansion", "entity-quadratic", "huge-attribute",
    "many-rules", "huge-text", "within-limits", "within-limits-mixed", "shared-formula",
    "print-area",
]  # fmt: skip


def _bench_module():
    path = Path(settings.BASE_DIR) / "bench" / "import_corpus.py"
    spec = importlib.util.spec_from_file_location("bench_import", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _in_2024_q2():
    with time_machine.travel(
        dt.datetime(2024, 6, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, django_db_setup, django_db_blocker) -> dict:
    """Built once: the plan the session loaded is all it reads."""
    with django_db_blocker.unblock():
        plan = Plan.objects.get(code="innovation-2022")
        template = excel_template.build_template(unit=f.unit("卧龙区"), period=f.period(plan))
    cases = _bench_module().build_corpus(
        tmp_path_factory.mktemp("corpus"),
        template=template,
        limits=package_checks.PACKAGE_LIMITS,
        max_uncompressed=package_checks.MAX_UNCOMPRESSED,
    )
    return {case.name: case for case in cases}


def snapshot() -> tuple:
    return (
        ProgressReport.objects.count(),
        TargetValue.objects.count(),
        ReportRevision.objects.count(),
        ReportEvent.objects.count(),
    )


def upload(client, user, plan, case):
    client.force_login(user)
    upload = SimpleUploadedFile(case.path.name, case.path.read_bytes(), content_type=XLSX)
    return client.post(IMPORT, {"period": f.period(plan).pk, "file": upload})


def test_the_corpus_holds_the_control_and_every_hostile_file(corpus):
    assert sorted(corpus) == sorted(["control", *HOSTILE])
    assert not corpus["control"].hostile and all(corpus[name].hostile for name in HOSTILE)
    assert all(case.path.stat().st_size <= package_checks.MAX_BYTES for case in corpus.values())


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_file_is_refused_with_a_chinese_message_and_nothing_saved(
    client, staff_county, plan, corpus, name
):
    response = upload(client, staff_county, plan, corpus[name])
    assert response.status_code == 200
    refused = response.context["refused"]
    assert refused is not None, f"{name} was not refused"
    assert CHINESE.search(refused.message) and refused.message in response.content.decode()
    assert snapshot() == (0, 0, 0, 0)


def test_the_genuine_filled_template_imports(client, staff_county, plan, corpus):
    response = upload(client, staff_county, plan, corpus["control"])
    assert response.status_code == 302, response.context["refused"].message
    # 2024 Q2: three tasks and the county target reported every quarter (the yearly one in Q4)
    assert ProgressReport.objects.count() == 3 and TargetValue.objects.count() == 1


def test_a_far_cell_is_refused_by_the_package_check_before_any_sheet_is_parsed(
    monkeypatch, staff_county, plan, corpus
):
    """The issue's file: openpyxl, asked for its rows, makes a million empty ones first."""

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the package check should have refused")

    monkeypatch.setattr(template_reading, "load_workbook", never)
    for name in ("far-cell", "far-cell-hidden"):
        data = corpus[name].path.read_bytes()
        with pytest.raises(template_format.ImportRefused) as refused:
            package_checks.check_package("卧龙区填报模板.xlsx", data)
        assert refused.value.message == (
            "文件中有超出模板范围的单元格（工作表“任务进展”第1048576行），请使用本系统下载的模板。"
        )
        with pytest.raises(template_format.ImportRefused):
            importing.import_template(
                name="卧龙区填报模板.xlsx", data=data, unit=f.unit("卧龙区"),
                period=f.period(plan), user=staff_county,
            )  # fmt: skip


def test_the_benchmark_sizes_a_tree_without_limits_as_the_limits_are():
    sizes = vars(_bench_module().SIZES)
    assert sizes == {name: getattr(package_checks.PACKAGE_LIMITS, name) for name in sizes}
