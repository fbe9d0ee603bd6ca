"""Attachments: which files a report takes (by their bytes, not their declared type), what a
refused upload leaves behind (nothing), and how a file is served back (as a download, with its
Chinese name, never as a page the browser would run)."""

import io
import struct
import zipfile
import zlib
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.attachments import MAX_BYTES, MAX_FILES_PER_REPORT, UploadError, check_upload
from reports.models import Attachment, ProgressReport
from reports.workflow import add_attachments, approve_record, return_record, submit_record
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- real small files, built in memory ------------------------------------------------------


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return zipped({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "word/document.xml": "<w:document><w:body><w:p><w:r><w:t>二季度工作总结</w:t></w:r></w:p></w:body></w:document>".encode(),
    })  # fmt: skip


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "下达资金（万元）"])
    sheet.append(["重大科技专项一", 300])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def macro_xlsx() -> bytes:
    """A macro-enabled workbook (what Excel saves as .xlsm), renamed .xlsx."""
    return zipped({
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/vbaProject.bin": OLE + b"Attribute VB_Name = \"Module1\"",
    })  # fmt: skip


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


# --- check_upload, table-driven -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("进展报告.pdf", pdf(), PDF_TYPE),
        ("进展报告.PDF", pdf(), PDF_TYPE),
        ("现场照片.png", png(), "image/png"),
        ("现场照片.jpg", jpeg(), "image/jpeg"),
        ("现场照片.jpeg", jpeg(), "image/jpeg"),
        ("旧版通知.doc", OLE + b"\x00" * 64, "application/msword"),
        ("旧版台账.xls", OLE + b"\x00" * 64, "application/vnd.ms-excel"),
        ("工作总结.docx", docx(), DOCX_TYPE),
        ("项目清单.xlsx", xlsx(), XLSX_TYPE),
    ],
)
def test_check_upload_accepts_pdf_word_excel_and_images_by_their_bytes(name, data, content_type):
    checked = check_upload(name, data)
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(data))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", EXE, "的类型不允许上传，只接受 PDF、Word（.doc/.docx）、Excel"),
        ("通知.html", HTML, "的类型不允许上传"),
        ("通知.htm", HTML, "的类型不允许上传"),
        ("图标.svg", b"<svg onload='alert(1)'/>", "的类型不允许上传"),
        ("宏.xlsm", macro_xlsx(), "的类型不允许上传"),
        ("进展报告", pdf(), "的类型不允许上传"),  # no extension
        ("报告.pdf.exe", EXE, "的类型不允许上传"),
        ("伪装.pdf", HTML, "的内容与扩展名 .pdf 不符，已拒绝。"),
        ("伪装.exe.pdf", EXE, "的内容与扩展名 .pdf 不符，已拒绝。"),
        ("伪装.png", HTML, "的内容与扩展名 .png 不符，已拒绝。"),
        ("伪装.jpg", png(), "的内容与扩展名 .jpg 不符，已拒绝。"),
        ("伪装.doc", pdf(), "的内容与扩展名 .doc 不符，已拒绝。"),
        ("名单.docx", xlsx(), "的内容与扩展名 .docx 不符，已拒绝。"),
        ("总结.xlsx", docx(), "的内容与扩展名 .xlsx 不符，已拒绝。"),
        ("损坏.docx", b"PK\x03\x04" + b"\x00" * 40, "已损坏，无法打开。"),
        ("带宏.xlsx", macro_xlsx(), "含有宏，已拒绝。"),
        ("带宏.docx", zipped({"word/document.xml": b"<w/>", "word/vbaProject.bin": OLE}),
         "含有宏，已拒绝。"),
        ("带宏2.xlsx", zipped({"xl/workbook.xml": b"<w/>", "xl/VBAProject.BIN": OLE}),
         "含有宏，已拒绝。"),
        ("空文件.pdf", b"", "是空文件。"),
        ("超大.pdf", b"%PDF-" + b"0" * MAX_BYTES, "超过 10 MB，请压缩后再上传。"),
    ],
)  # fmt: skip
def test_check_upload_refuses_with_a_chinese_message_naming_the_file(name, data, message):
    with pytest.raises(UploadError) as refused:
        check_upload(name, data)
    assert str(refused.value).startswith(f"“{name}”") and message in str(refused.value)


def test_a_file_of_exactly_ten_megabytes_is_accepted_and_one_byte_more_is_not():
    assert check_upload("大.pdf", b"%PDF-" + b"0" * (MAX_BYTES - 5)).size == MAX_BYTES
    with pytest.raises(UploadError, match="超过 10 MB"):
        check_upload("大.pdf", b"%PDF-" + b"0" * (MAX_BYTES - 4))


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("C:\\Users\\张三\\Desktop\\进展.pdf", "进展.pdf"),
        ("../../etc/进展.pdf", "进展.pdf"),
        ("  进展.pdf  ", "进展.pdf"),
    ],
)
def test_check_upload_keeps_only_the_files_own_name(name, kept):
    assert check_upload(name, pdf()).name == kept


def test_a_long_file_name_is_shortened_but_keeps_its_extension():
    name = "南阳市科技局关于重大科技专项实施进展情况的报告" * 10 + ".pdf"  # 234 characters
    checked = check_upload(name, pdf())
    assert len(checked.name) <= 200 and checked.name.endswith(".pdf")
    assert checked.content_type == PDF_TYPE


# --- uploads through the report form --------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def report_url(plan, number=1):
    return reverse("reports:report-edit", args=[f.period(plan).pk, f.task(plan, number).pk])


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_report(client, plan, files, **fields):
    data = {"progress": "已完成专项资金下达。", "completion": "in_progress", "percent": "60",
            "save": "", "attachments": files} | fields  # fmt: skip
    return client.post(report_url(plan), data)


def attachments_block(response) -> str:
    page = response.content.decode()
    for block in page.split('<div class="form-field')[1:]:
        block = block.split("</div>")[0]
        if 'name="attachments"' in block:
            return block
    raise AssertionError("the page has no attachments field")


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("二季度进展报告.pdf", pdf(), PDF_TYPE),
        ("现场照片.png", png(), "image/png"),
        ("工作总结.docx", docx(), DOCX_TYPE),
        ("项目清单.xlsx", xlsx(), XLSX_TYPE),
    ],
)
def test_the_report_form_takes_pdf_png_docx_and_xlsx(
    client, plan, staff_kjj, media, name, data, content_type
):
    client.force_login(staff_kjj)
    # The browser's declared type is never believed: what is stored comes from the bytes.
    response = post_report(client, plan, [upload(name, data, content_type="text/html")])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        name, content_type, len(data)
    )  # fmt: skip
    assert attachment.report.task.number == 1 and attachment.uploaded_by == staff_kjj
    assert stored_files(media) == [media / attachment.file.name]
    assert (media / attachment.file.name).read_bytes() == data
    assert name not in attachment.file.name  # stored under a random name
    assert name in client.get(report_url(plan)).content.decode()


def test_several_files_are_taken_in_one_post(client, plan, staff_kjj, media):
    client.force_login(staff_kjj)
    files = [upload("报告.pdf", pdf()), upload("照片.png", png()), upload("清单.xlsx", xlsx())]
    assert post_report(client, plan, files).status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "报告.pdf", "清单.xlsx", "照片.png"
    ]  # fmt: skip
    assert len(stored_files(media)) == 3


REFUSED = [
    ("setup.exe", EXE, "“setup.exe”的类型不允许上传"),
    ("通知.html", HTML, "“通知.html”的类型不允许上传"),
    ("伪装.pdf", HTML, "“伪装.pdf”的内容与扩展名 .pdf 不符，已拒绝。"),
    ("名单.docx", xlsx(), "“名单.docx”的内容与扩展名 .docx 不符，已拒绝。"),
    ("带宏.xlsx", macro_xlsx(), "“带宏.xlsx”含有宏，已拒绝。"),
    ("空文件.pdf", b"", "所提交的是空文件。"),
    ("超大.pdf", b"%PDF-" + b"0" * MAX_BYTES, "“超大.pdf”超过 10 MB，请压缩后再上传。"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_a_refused_file_shows_why_beside_the_field_and_nothing_is_saved(
    client, plan, staff_kjj, media, name, data, message
):
    client.force_login(staff_kjj)
    response = post_report(client, plan, [upload("好的附件.pdf", pdf()), upload(name, data)],
                           submit="")  # fmt: skip
    assert response.status_code == 200
    block = attachments_block(response)
    assert block.startswith(" has-error") and message in block
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "data", "message"), REFUSED[:3])
def test_a_refused_file_leaves_an_existing_draft_as_it_was(
    client, plan, staff_kjj, media, name, data, message
):
    report = f.make_report(staff_kjj, plan)
    client.force_login(staff_kjj)
    response = post_report(client, plan, [upload(name, data)], progress="改过的进展",
                           version="1")  # fmt: skip
    assert message in attachments_block(response)
    assert "改过的进展" in response.content.decode()  # the typed text stays in the form
    report.refresh_from_db()
    assert (report.progress, report.version) == (f.REPORT_CONTENT["progress"], 1)
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_more_than_ten_files_are_refused(client, plan, staff_kjj, media):
    client.force_login(staff_kjj)
    files = [upload(f"附件{i}.pdf", pdf()) for i in range(MAX_FILES_PER_REPORT + 1)]
    response = post_report(client, plan, files)
    assert response.status_code == 200
    assert "每份报告最多 10 个附件。" in attachments_block(response)
    assert not ProgressReport.objects.exists() and stored_files(media) == []


def test_files_already_attached_count_towards_the_ten(client, plan, staff_kjj, media):
    report = f.make_report(staff_kjj, plan)
    data = pdf()
    add_attachments(report=report, user=staff_kjj,
                    files=[(check_upload(f"旧{i}.pdf", data), data) for i in range(9)])  # fmt: skip
    client.force_login(staff_kjj)
    two = [upload("新1.pdf", pdf()), upload("新2.pdf", pdf())]
    response = post_report(client, plan, two, version="1")
    assert "每份报告最多 10 个附件。" in attachments_block(response)
    assert report.attachments.count() == 9 and len(stored_files(media)) == 9
    response = post_report(client, plan, [upload("新1.pdf", pdf())], version="1")
    assert response.status_code == 302 and report.attachments.count() == 10


def test_a_submitted_report_takes_no_more_files(client, plan, staff_kjj, media):
    report = f.make_report(staff_kjj, plan)
    submit_record(record=report, user=staff_kjj, version=1)
    client.force_login(staff_kjj)
    response = post_report(client, plan, [upload("补充.pdf", pdf())], version="2")
    assert response.status_code == 302  # sent to the report's page, nothing taken
    assert not Attachment.objects.exists() and stored_files(media) == []


# --- downloads ------------------------------------------------------------------------------


def attach(report, user, name, data):
    return add_attachments(report=report, user=user, files=[(check_upload(name, data), data)])[0]


def disposition(response) -> tuple[str, str]:
    """(kind, file name) from a Content-Disposition header, decoding RFC 5987 names."""
    kind, _, params = response["Content-Disposition"].partition(";")
    params = params.strip()
    if params.startswith("filename*="):
        encoding, _, quoted = params.removeprefix("filename*=").partition("''")
        assert encoding.lower() == "utf-8"
        return kind, unquote(quoted)
    return kind, params.removeprefix("filename=").strip('"')


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("二季度进展报告（定稿）.pdf", pdf(), PDF_TYPE),
        ("现场照片.png", png(), "image/png"),
        ("工作总结.docx", docx(), DOCX_TYPE),
        ("项目清单.xlsx", xlsx(), XLSX_TYPE),
    ],
)
def test_a_download_is_an_attachment_with_its_chinese_name_and_stored_type(
    client, plan, staff_kjj, name, data, content_type
):
    attachment = attach(f.make_report(staff_kjj, plan), staff_kjj, name, data)
    client.force_login(staff_kjj)
    response = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert disposition(response) == ("attachment", name)
    assert response["Content-Type"] == content_type == attachment.content_type
    assert not response["Content-Type"].startswith("text/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data
    response.close()


def test_a_download_sends_the_stored_type_as_it_is(client, plan, staff_kjj):
    """What the browser gets is what the upload check stored, never a sniffed type."""
    attachment = attach(f.make_report(staff_kjj, plan), staff_kjj, "报告.pdf", pdf())
    Attachment.objects.filter(pk=attachment.pk).update(content_type="application/x-custom")
    client.force_login(staff_kjj)
    response = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/x-custom"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize(
    ("role", "state", "code"),
    [
        ("staff_kjj", "draft", 200),
        ("reviewer", "draft", 200),
        ("leader", "draft", 200),
        ("admin_user", "draft", 200),
        ("staff_county", "draft", 404),  # another unit's draft, on a task both units share
        ("staff_county", "returned", 404),
        ("staff_county", "submitted", 404),  # 卧龙区 assists on task 15, it does not lead it
        ("staff_county", "approved", 200),
        ("outsider", "approved", 404),
    ],
)
def test_only_those_who_may_read_the_report_download_its_files(
    request, client, plan, staff_kjj, reviewer, role, state, code
):
    report = f.make_report(staff_kjj, plan, number=15)
    attachment = attach(report, staff_kjj, "技术合同登记汇总.xlsx", xlsx())
    if state != "draft":
        report = submit_record(record=report, user=staff_kjj, version=1)
    if state == "returned":
        return_record(record=report, user=reviewer, comment="请补充。")
    if state == "approved":
        approve_record(record=report, user=reviewer)
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("reports:attachment", args=[attachment.pk]))
    assert response.status_code == code
    if code == 404:
        assert "技术合同登记汇总" not in response.content.decode()
    response.close()


def test_the_lead_unit_downloads_a_co_units_submitted_file_but_not_its_draft(
    client, plan, staff_kjj, staff_county
):
    report = f.make_report(staff_county, plan, number=15, unit_name="卧龙区")
    attachment = attach(report, staff_county, "卧龙区合同清单.pdf", pdf())
    address = reverse("reports:attachment", args=[attachment.pk])
    client.force_login(staff_kjj)
    assert client.get(address).status_code == 404
    submit_record(record=report, user=staff_county, version=1)
    response = client.get(address)
    assert response.status_code == 200 and disposition(response)[1] == "卧龙区合同清单.pdf"
    response.close()


def test_a_missing_attachment_is_not_found(client, staff_kjj):
    client.force_login(staff_kjj)
    assert client.get(reverse("reports:attachment", args=[999999])).status_code == 404
