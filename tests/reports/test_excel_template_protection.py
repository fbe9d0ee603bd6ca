"""The offline template's grey cells are locked by sheet protection without a password, and its
white cells are not: Excel, WPS and LibreOffice refuse an edit in a grey cell instead of the
import ignoring it. The protection survives a LibreOffice re-save, and a protected file (even
one protected with a password, which is not encryption) imports like any other.

The LibreOffice test (marked `office`) needs soffice on the PATH: without it the test is
skipped with the reason, and with CI=true it fails."""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from reports import package_checks
from reports.models import ProgressReport, TargetValue
from reports.workflow import submit_record
from tests import factories as f
from tests.reports.test_importing import (  # noqa: F401  (_in_2024_q4: the same open quarter)
    _in_2024_q4,
    county_filled,
    download,
    snapshot,
    success_message,
    upload,
)
from tests.services import in_ci

pytestmark = pytest.mark.django_db

# The columns a reporter fills in, by sheet; every other cell of the sheet is locked.
INPUT_COLUMNS = {"任务进展": "CDEFG", "指标数值": "CDEFGH"}
GREY_COLUMNS = {"任务进展": "ABH", "指标数值": "ABI"}


def locked_and_unlocked(sheet, rows) -> tuple[set[str], set[str]]:
    """The coordinates of the template's cells (header and `rows` data rows), locked or not."""
    locked, unlocked = set(), set()
    for row in sheet.iter_rows(min_row=1, max_row=rows + 1, max_col=sheet.max_column):
        for cell in row:
            (locked if cell.protection.locked else unlocked).add(cell.coordinate)
    return locked, unlocked


def expected_unlocked(name: str, rows: range) -> set[str]:
    return {f"{column}{row}" for column in INPUT_COLUMNS[name] for row in rows}


def assert_protected_as_written(book, *, task_rows: range, value_rows: range) -> None:
    """Both data sheets protected, their white cells (and only those) unlocked."""
    for name, rows in (("任务进展", task_rows), ("指标数值", value_rows)):
        sheet = book[name]
        assert sheet.protection.sheet is True, name
        locked, unlocked = locked_and_unlocked(sheet, max(rows, default=1) - 1)
        assert unlocked == expected_unlocked(name, rows), name
        header = {f"{column}1" for column in INPUT_COLUMNS[name] + GREY_COLUMNS[name]}
        assert header <= locked, name
        grey = {f"{column}{row}" for column in GREY_COLUMNS[name] for row in rows}
        assert grey <= locked, name


# --- as the site writes it -------------------------------------------------------------------


def test_the_grey_columns_are_locked_and_the_white_ones_open_on_protected_sheets(
    client, staff_county, plan
):
    book = load_workbook(io.BytesIO(download(client, staff_county)))
    assert_protected_as_written(book, task_rows=range(2, 5), value_rows=range(2, 4))
    for name in ("任务进展", "指标数值"):
        protection = book[name].protection
        assert protection.password is None  # no password: 填写说明 says how to lift it
        # Widths and heights may be changed, any cell selected (to read or copy a grey one)…
        assert protection.formatColumns is False and protection.formatRows is False
        assert protection.selectLockedCells is False and protection.selectUnlockedCells is False
        # … but no row or column inserted or deleted, nor the rows sorted: the import reads
        # rows by their hidden key, under the header it checks.
        assert protection.insertRows and protection.deleteRows and protection.insertColumns
        assert protection.deleteColumns and protection.sort and protection.formatCells
    assert book["_meta"].protection.sheet is True
    assert not any(cell.protection.locked is False for row in book["_meta"] for cell in row)


def test_the_drop_down_lists_and_number_rules_are_on_the_unlocked_cells(client, staff_county, plan):
    book = load_workbook(io.BytesIO(download(client, staff_county)))
    for name in ("任务进展", "指标数值"):
        sheet = book[name]
        ranges = [v.sqref for v in sheet.data_validations.dataValidation]
        assert ranges, name
        for sqref in ranges:
            for cell_range in sqref.ranges:
                for row, column in cell_range.cells:
                    cell = sheet.cell(row, column)
                    assert cell.protection.locked is False, (name, cell.coordinate)


def test_the_row_of_a_submitted_report_is_locked_as_well_as_grey(client, staff_county, plan):
    report = f.make_report(staff_county, plan, number=12, unit_name="卧龙区", quarter=4)
    submit_record(record=report, user=staff_county, version=1)
    sheet = load_workbook(io.BytesIO(download(client, staff_county)))["任务进展"]
    assert [c.protection.locked for c in sheet[3]] == [True] * 8  # 12 is the second task
    assert [c.protection.locked for c in sheet[2][2:7]] == [False] * 5
    assert sheet["C3"].fill.fgColor.rgb.endswith("E7E7E7")


def test_the_instructions_say_the_sheets_are_protected_without_a_password(
    client, staff_county, plan
):
    book = load_workbook(io.BytesIO(download(client, staff_county)))
    text = "".join(str(c.value or "").strip() for c in book["填写说明"]["A"])
    assert "设置了保护，没有密码" in text
    assert "“审阅”中点“撤消工作表保护”（WPS 为“撤销工作表保护”），不需要输入密码" in text
    assert "填报口径" not in text  # 口径 is a white cell, chosen from its list


# --- imported ---------------------------------------------------------------------------------


def test_a_protected_template_is_not_taken_for_a_file_with_a_password(client, staff_county, plan):
    data = county_filled(download(client, staff_county))
    package_checks.check_package("卧龙区填报模板.xlsx", data)  # no ImportRefused
    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert response.status_code == 302
    assert "新建 4 份" in success_message(response)


def test_a_sheet_protected_by_the_reporter_with_a_password_still_imports(
    client, staff_county, plan
):
    """A sheet's password is a hash in the sheet's XML, not encryption: the file reads as ever."""
    book = load_workbook(io.BytesIO(county_filled(download(client, staff_county))))
    for name in ("任务进展", "指标数值"):
        book[name].protection.password = "科技局2024"
    assert book["任务进展"].protection.password  # stored as its hash
    stream = io.BytesIO()
    book.save(stream)
    response = upload(client, staff_county, stream.getvalue(), f.period(plan, 2024, 4))
    assert response.status_code == 302
    assert ProgressReport.objects.count() == 2 and TargetValue.objects.count() == 2


# --- re-saved by LibreOffice -------------------------------------------------------------------


@pytest.fixture
def soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        reason = "LibreOffice is not installed: soffice is not on the PATH (apt-get install libreoffice-calc)"
        if in_ci():
            pytest.fail(f"CI=true and LibreOffice is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def resaved_by_libreoffice(soffice: str, data: bytes, tmp_path) -> bytes:
    """The workbook opened and saved as .xlsx by LibreOffice, with a profile of its own (so
    that a LibreOffice the developer has open, or another test run, is not disturbed)."""
    source, out = tmp_path / "卧龙区填报模板.xlsx", tmp_path / "out"
    source.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    converted = out / source.name
    assert converted.exists(), (result.returncode, result.stdout, result.stderr)
    return converted.read_bytes()


@pytest.mark.office
def test_a_template_saved_again_by_libreoffice_stays_protected_and_imports(
    client, staff_county, plan, soffice, tmp_path
):
    data = resaved_by_libreoffice(soffice, county_filled(download(client, staff_county)), tmp_path)
    book = load_workbook(io.BytesIO(data))
    assert_protected_as_written(book, task_rows=range(2, 5), value_rows=range(2, 4))
    for name in ("任务进展", "指标数值"):
        assert book[name].protection.formatColumns is False  # still allowed
        assert book[name].protection.insertRows  # still refused
    rules = {(v.type, str(v.sqref)) for v in book["任务进展"].data_validations.dataValidation}
    assert {("list", "D2:D4"), ("custom", "E2:E4")} <= rules
    assert len(book["指标数值"].data_validations.dataValidation) == 4

    response = upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert response.status_code == 302, response.context["refused"].message
    assert "新建 4 份、更新 0 份、未变 0 份（1 行留空，未导入）" in success_message(response)
    first = ProgressReport.objects.get(task=f.task(plan, 11))
    assert (first.progress, first.completion, first.percent) == (
        "出台大学生创业补贴办法，发放创业担保贷款 1200 万元。", "in_progress", 60,
    )  # fmt: skip
    turnover = TargetValue.objects.get(target=f.target(plan, "county-tech-contract-turnover"))
    assert (str(turnover.value), turnover.remarks) == ("1.25", "快报数")
    before = snapshot()
    upload(client, staff_county, data, f.period(plan, 2024, 4))
    assert snapshot() == before
