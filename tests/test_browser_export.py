"""Browser test: an admin exports the 台账 and the downloaded file opens as a workbook."""

import io

import pytest
from openpyxl import load_workbook

from tests import test_browser as shared
from tests.test_browser import log_in

browser = shared.browser
new_page = shared.new_page
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_admin_exports_the_2025_q4_ledger_and_opens_the_download(
    live_server, new_page, demo_accounts, tmp_path
):
    page = new_page()
    log_in(page, live_server.url, "admin", "/")
    page.get_by_role("link", name="导出台账").click()
    page.select_option("select[name=period]", label="2025年第四季度")
    page.get_by_role("button", name="开始导出").click()
    # No Redis here: the job runs as the request commits; with a worker the page would refresh
    # itself until the file is ready.
    download_link = page.get_by_role("link", name="下载").first
    download_link.wait_for(timeout=30000)
    assert "已完成" in page.locator("table").inner_text()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == (
        "南阳市创新创业行动实施方案重点任务分工台账（2025年第四季度）.xlsx"
    )
    path = tmp_path / "downloaded.xlsx"
    download.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    ledger = book["重点任务台账"]
    assert ledger["A1"].value == "南阳市创新创业行动实施方案重点任务分工台账（2025年第四季度）"
    assert [c.value for c in ledger[2]][:5] == [
        "序号",
        "重点任务",
        "责任单位",
        "推进措施",
        "完成时限",
    ]
    assert ledger.page_setup.orientation == "landscape"
    assert book["目标指标"].max_row == 32
