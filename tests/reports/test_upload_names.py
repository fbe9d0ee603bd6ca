"""Any file name a user's computer can produce gets its upload, under a name shortened sensibly,
or a Chinese message on the page; never a bare 400 or 500, and nothing half-saved.

The 400 came from Django's multipart parser (headers of one part over 1024 bytes: 300 Chinese
characters and a .docx's Content-Type), the 500 from its temporary-file handler (a file over
2.5 MB whose name has no extension but a dot, "附件1.关于……"): see nanyang_tracker/uploads.py.
The bodies here are built as a browser builds them (HTML's multipart/form-data rules: the name
raw in UTF-8, a quote as %22, CR and LF as %0D and %0A), and also sent by Django's test client.
"""

import io
import re
import unicodedata
import zipfile

import pytest
from django.urls import reverse

from reports import excel_template
from reports.attachments import MAX_NAME, clean_name
from reports.models import Attachment, ProgressReport, TargetValue
from tests import factories as f
from tests.reports.test_attachments import attachments_block, docx, pdf, stored_files, xlsx

pytestmark = pytest.mark.django_db

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "南阳市科学技术局关于报送二〇二五年第四季度创新创业行动重点任务进展情况及下步工作计划的报告"
LONG = (TITLE * 10)[:300]  # 300 Chinese characters, 900 bytes in UTF-8
BIG = 3 * 1024 * 1024  # over FILE_UPLOAD_MAX_MEMORY_SIZE: Django writes it to a temporary file


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def browser_body(fields: dict, field: str, name: str, data: bytes, content_type: str):
    """A multipart body as Chrome, Firefox and Safari send it."""
    boundary = "----WebKitFormBoundaryq3Nn8JxNa2bYx0Tz"
    sent = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{sent}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class NamedFile(io.BytesIO):
    """A file for the test client that keeps its name as given (SimpleUploadedFile would cut
    it to 255 characters before it is sent)."""

    def __init__(self, data: bytes, name: str, content_type: str):
        super().__init__(data)
        self.name, self.content_type = name, content_type


def report_url(plan):
    return reverse("reports:report-edit", args=[f.period(plan).pk, f.task(plan, 1).pk])


REPORT_FIELDS = {"progress": "已完成专项资金下达。", "completion": "in_progress", "percent": "60",
                 "save": ""}  # fmt: skip


def post_report_as_browser(client, plan, name, data, content_type=PDF_TYPE):
    body, multipart = browser_body(REPORT_FIELDS, "attachments", name, data, content_type)
    return client.generic("POST", report_url(plan), body, multipart)


def padded(data: bytes, size: int) -> bytes:
    """The file made `size` bytes long, still a valid file of its kind."""
    if not size:
        return data
    if data.startswith(b"PK"):  # a Word package: add an uncompressed picture
        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer, "a") as package:
            package.writestr("word/media/image1.png", b"\0" * size, zipfile.ZIP_STORED)
        return buffer.getvalue()
    return data + b"\0" * (size - len(data))


# --- names that are uploaded, under the name kept ------------------------------------------

ACCEPTED = [
    # (what the user's computer calls it, what is kept)
    pytest.param(LONG + ".docx", LONG[: MAX_NAME - 6] + "….docx", id="300-chinese-docx"),
    pytest.param(LONG + ".pdf", LONG[: MAX_NAME - 5] + "….pdf", id="300-chinese-pdf"),
    pytest.param("报" * 83 + ".pdf", "报" * 83 + ".pdf", id="253-bytes-chinese"),  # ext4's most
    pytest.param("a" * 251 + ".pdf", "a" * 195 + "….pdf", id="255-bytes"),
    pytest.param(
        "第1季度:进展*终稿?<定稿>|审核.pdf",
        "第1季度:进展*终稿?<定稿>|审核.pdf",
        id="windows-forbidden",
    ),  # fine on Linux and macOS
    pytest.param('关于"双创"工作的报告.pdf', '关于"双创"工作的报告.pdf', id="quotes"),  # as %22
    pytest.param("C:\\Users\\张三\\Desktop\\进展.pdf", "进展.pdf", id="old-browser-path"),
    pytest.param("报告\x07终稿\x1b.pdf", "报告终稿.pdf", id="control-characters"),
    pytest.param("报告\n终稿.pdf", "报告终稿.pdf", id="newline"),  # sent as %0A
    pytest.param(".pdf", "附件.pdf", id="only-an-extension"),
    pytest.param("进展📈报告✅.pdf", "进展📈报告✅.pdf", id="emoji"),
    pytest.param(
        unicodedata.normalize("NFD", "Café 한글 汇报.pdf"), "Café 한글 汇报.pdf", id="nfd"
    ),
    pytest.param("进展报告.pdf. . ", "进展报告.pdf", id="trailing-dots"),
]


@pytest.mark.parametrize("size", [0, BIG], ids=["small", "3MB"])
@pytest.mark.parametrize(("name", "kept"), ACCEPTED)
def test_the_report_form_keeps_the_file_under_a_sensible_name(
    client, plan, staff_kjj, media, name, kept, size
):
    client.force_login(staff_kjj)
    data = padded(docx() if name.endswith(".docx") else pdf(), size)
    kind = DOCX_TYPE if name.endswith(".docx") else PDF_TYPE
    response = post_report_as_browser(client, plan, name, data, kind)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == kept and len(kept) <= MAX_NAME
    assert unicodedata.is_normalized("NFC", attachment.original_name)
    assert (attachment.content_type, attachment.size) == (kind, len(data))
    assert len(data) >= size  # over 2.5 MB: through a temporary file
    assert stored_files(media) == [media / attachment.file.name]
    assert (media / attachment.file.name).read_bytes() == data


def test_the_test_client_upload_of_a_300_character_name_is_taken_too(client, plan, staff_kjj):
    client.force_login(staff_kjj)
    upload = NamedFile(docx(), LONG + ".docx", DOCX_TYPE)
    response = client.post(report_url(plan), REPORT_FIELDS | {"attachments": [upload]})
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == LONG[: MAX_NAME - 6] + "….docx"


# --- names that are refused, with the reason beside the field -------------------------------

REFUSED = [
    pytest.param("进展报告", "“进展报告”的类型不允许上传", id="no-extension"),
    pytest.param("附件1." + TITLE, f"“附件1.{TITLE}”的类型不允许上传", id="a-dot-no-extension"),
    pytest.param(LONG + ".exe", f"“{LONG[:55]}….exe”的类型不允许上传", id="300-chinese-exe"),
]


@pytest.mark.parametrize("size", [0, BIG], ids=["small", "3MB"])
@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_name_that_cannot_be_taken_is_refused_beside_the_field_and_nothing_is_saved(
    client, plan, staff_kjj, media, name, message, size
):
    client.force_login(staff_kjj)
    response = post_report_as_browser(client, plan, name, padded(pdf(), size))
    assert response.status_code == 200
    block = attachments_block(response)
    assert block.startswith(" has-error") and message in block
    assert len(re.search(r"“(.*?)”", block).group(1)) <= 60  # a long name is shown cut short
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_name_longer_than_any_computer_makes_gets_the_chinese_400_page_and_saves_nothing(
    client, plan, staff_kjj, media
):
    client.force_login(staff_kjj)
    response = post_report_as_browser(client, plan, TITLE * 100 + ".pdf", pdf())  # 12 KB
    assert response.status_code == 400
    assert "400.html" in [t.name for t in response.templates]
    assert "请求有误" in response.content.decode()
    assert not ProgressReport.objects.exists() and stored_files(media) == []


# --- the Excel import -------------------------------------------------------------------------


def post_import_as_browser(client, plan, name, data):
    fields = {"period": f.period(plan).pk}
    body, multipart = browser_body(fields, "file", name, data, XLSX_TYPE)
    return client.generic("POST", reverse("reports:import"), body, multipart)


@pytest.mark.parametrize(
    "name",
    [LONG + ".xlsx", '关于"双创"的模板.xlsx', ".xlsx", "模板\x07.xlsx", "填报📈.xlsx"],
    ids=["300-chinese", "quotes", "only-an-extension", "control-character", "emoji"],
)
def test_the_import_takes_its_template_whatever_the_file_is_called(
    client, plan, staff_county, name
):
    template = excel_template.build_template(unit=f.unit("卧龙区"), period=f.period(plan))
    client.force_login(staff_county)
    response = post_import_as_browser(client, plan, name, template)
    assert response.status_code == 302  # imported: nothing filled in, so nothing created
    assert response["Location"].startswith(reverse("reports:import"))


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("进展报告", 0, "只能导入 .xlsx 格式的 Excel 文件"),
        ("附件1." + TITLE, BIG, "只能导入 .xlsx 格式的 Excel 文件"),
        (LONG + ".xlsx", 0, "不是有效的 .xlsx 文件"),
    ],
    ids=["no-extension", "a-dot-no-extension-3MB", "300-chinese-not-a-workbook"],
)
def test_the_import_refuses_what_is_not_its_template_in_chinese_whatever_its_name(
    client, plan, staff_county, name, size, message
):
    client.force_login(staff_county)
    response = post_import_as_browser(client, plan, name, padded(pdf(), size))
    assert response.status_code == 200
    page = response.content.decode()
    assert "没有导入：" in page and message in page
    assert not ProgressReport.objects.exists() and not TargetValue.objects.exists()


def test_the_test_client_import_of_a_300_character_name_is_read(client, plan, staff_county):
    client.force_login(staff_county)
    upload = NamedFile(xlsx(), LONG + ".xlsx", XLSX_TYPE)
    response = client.post(reverse("reports:import"), {"period": f.period(plan).pk, "file": upload})
    assert response.status_code == 200 and "没有导入：" in response.content.decode()


# --- clean_name, table-driven ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("进展.PDF", "进展.PDF"),
        ("报告.pdf.exe", "报告.pdf.exe"),
        ("a.tar.gz", "a.tar.gz"),
        ("  ", "附件"),
        ("", "附件"),
        ("../../etc/进展.pdf", "进展.pdf"),
        ("报告\u3000终稿\u00a0.pdf", "报告 终稿.pdf"),
        ("报告\u200b\ufeff.pdf", "报告.pdf"),
        ("e" + "\u0301" * 3 + ".pdf", "é\u0301\u0301.pdf"),
        (("é" * 250) + ".pdf", "é" * 195 + "….pdf"),
        (unicodedata.normalize("NFD", "é" * 250) + ".pdf", "é" * 195 + "….pdf"),
        ("x" * 193 + "e\u0301\u0301\u0301yyyy.pdf", "x" * 193 + "é….pdf"),  # no lone mark
        ("附件1." + TITLE, "附件1." + TITLE),
        ("🎉" * 300 + ".xlsx", "🎉" * 194 + "….xlsx"),
    ],
    ids=lambda value: ascii(value)[:40],
)
def test_clean_name_keeps_a_readable_name_of_at_most_200_characters(name, kept):
    assert clean_name(name) == kept
    assert len(clean_name(name)) <= MAX_NAME
