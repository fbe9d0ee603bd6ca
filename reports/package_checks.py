"""Checking an uploaded file as a whole before openpyxl reads a byte of it: an .xlsx, not too
large, no ZIP bomb, no macros or password, and XML within what the template can hold
(reports/xlsx_safety.py). Limits are sized on the largest template (docs/import-safety.md)."""

import io
import zipfile
import zlib

from reports import xlsx_safety
from reports.template_format import ImportRefused

# Limits on what is opened at all (checked before openpyxl reads a byte). They are sized on the
# largest template the plan gives a unit (市科技局: 19 tasks, 26 values, the 填写说明 sheet of 26
# rows), with room to spare, and so that the worst file they let through costs a web worker about
# a tenth of a second: two such uploads at once must not hold up the login page for everyone
# (docs/import-safety.md has the figures).
MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 200
# As much as the upload itself: 1,000 characters in every text of 市科技局's 45 rows unpack to
# about 0.5 MB.
MAX_UNCOMPRESSED = 5 * 1024 * 1024
MAX_RATIO = 100
# A small part that compresses very well (a sheet of empty styled cells) is harmless; the ratio
# is checked on parts from this size up, and MAX_UNCOMPRESSED bounds the sum of all parts.
RATIO_CHECKED_FROM = 1024 * 1024
# A sheet of the template has a few dozen rows; a row further down is not ours.
MAX_ROWS = 200
EXCEL_CELL_CHARS = 32_767  # Excel keeps no more in a cell; a longer text was not typed there
# The largest template, every row wrong in every column, has fewer problems than this; a page of
# thousands (200 rows of nonsense) would only take a worker long to render.
MAX_LISTED_PROBLEMS = 200
# What the XML may hold (reports/xlsx_safety.py). In brackets, measured on 市科技局's template
# with a comment on every row (every record submitted): as this system writes it / once
# LibreOffice has saved it. Excel and WPS were not at hand to measure.
PACKAGE_LIMITS = xlsx_safety.Limits(
    rows=MAX_ROWS,
    columns=16,  # A–P: the template uses A–H; a note beside the table passes, and is not read
    sheets=8,  # (4 / 4): a sheet of notes passes, and is not read
    strings=2_000,  # (0 / 149)
    style_elements=1_000,  # (142 / 231)
    elements=6_000,  # (2,076 / 2,988)
    settings=3_000,  # (1,175 / 1,540)
    setting_chars=64 * 1024,  # (19,245 / 24,534)
    references=300,  # (58 / 13)
    formula_chars=20_000,  # (0 / 0: a formula is refused, cell by cell, when the rows are read)
    depth=32,  # (9 at most)
)

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


def _display_name(name: str) -> str:
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:100] or "文件"


def too_big_message(name: str) -> str:
    return f"“{_display_name(name)}”超过 {MAX_BYTES // (1024 * 1024)} MB，不是本系统的填报模板。"


def check_package(name: str, data: bytes) -> None:
    """Refuse (ImportRefused) what is not a plain .xlsx safe to open, before openpyxl opens it.

    The sizes checked are those the ZIP directory declares: zipfile stops reading a part at its
    declared size (and then fails on the checksum), so a part cannot unpack to more than that.
    Then every part is read once, in chunks, against PACKAGE_LIMITS (reports/xlsx_safety.py), so
    that openpyxl is only ever given a file whose work is bounded by what the template holds.
    """
    shown = _display_name(name)
    own = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()  # shown may be cut short
    extension = own.rsplit(".", 1)[-1].lower() if "." in own else ""
    if extension in ("xlsm", "xltm", "xlsb"):
        raise ImportRefused(
            f"“{shown}”是含宏的 Excel 文件（.{extension}），不能导入。"
            "请使用本系统下载的 .xlsx 模板填写。"
        )
    if extension in ("xls", "et"):
        raise ImportRefused(
            f"“{shown}”是旧版 .{extension} 格式，系统读取不了。请在 Excel 或 WPS 中打开它，"
            "另存为 .xlsx 后导入。"
        )
    if extension != "xlsx":
        raise ImportRefused(
            f"只能导入 .xlsx 格式的 Excel 文件（本系统下载的模板），“{shown}”不是。"
            "如为 .xls 或 .csv，请用本系统的模板重新填写。"
        )
    if not data:
        raise ImportRefused(f"“{shown}”是空文件。")
    if len(data) > MAX_BYTES:
        raise ImportRefused(too_big_message(name))
    if data.startswith(OLE):
        # Excel keeps a password-protected workbook in an OLE compound file whose streams are
        # named EncryptionInfo and EncryptedPackage; a plain OLE file is an old .xls.
        raise ImportRefused(
            f"“{shown}”设置了打开密码（已加密），系统无法读取。请在 Excel 中取消密码"
            "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）并另存为 .xlsx 后再导入。"
            if "EncryptedPackage".encode("utf-16-le") in data
            else f"“{shown}”设置了密码保护或是旧版 .xls 格式，系统无法读取。"
            "请取消密码并另存为 .xlsx 后再导入。"
        )
    if not data.startswith(ZIP):
        raise ImportRefused(f"“{shown}”不是有效的 .xlsx 文件，请使用本系统下载的模板。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ImportRefused(f"“{shown}”包含的部件过多（{len(entries)} 个），已拒绝。")
            if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
                raise ImportRefused(
                    f"“{shown}”解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，已拒绝。"
                )
            for entry in entries:
                if entry.file_size >= RATIO_CHECKED_FROM and (
                    entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
                ):
                    raise ImportRefused(f"“{shown}”的压缩比异常（疑似压缩炸弹），已拒绝。")
                if entry.flag_bits & 0x1:
                    raise ImportRefused(f"“{shown}”已加密，系统无法读取，请取消密码后再导入。")
                if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    # Excel and WPS only deflate; bzip2 and LZMA unpack several times slower.
                    raise ImportRefused(
                        f"“{shown}”使用了 Excel 不使用的压缩方式，已拒绝。请使用本系统下载的模板。"
                    )
            names = {e.filename for e in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise ImportRefused(f"“{shown}”含有宏（VBA），已拒绝。请使用本系统下载的模板。")
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise ImportRefused(f"“{shown}”不是有效的 .xlsx 文件，请使用本系统下载的模板。")
            if b"macroEnabled" in package.read("[Content_Types].xml"):
                raise ImportRefused(f"“{shown}”是含宏的工作簿，已拒绝。请使用本系统下载的模板。")
            xlsx_safety.check_parts(package, PACKAGE_LIMITS, shown=shown)
    except xlsx_safety.UnsafePackage as error:
        raise ImportRefused(error.message) from error
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        RuntimeError,
        ValueError,
        EOFError,
        NotImplementedError,
        zlib.error,
    ) as error:
        raise ImportRefused(f"“{shown}”已损坏，无法打开。") from error
