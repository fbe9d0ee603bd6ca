"""Which uploaded files a report may carry: checked by name, size and the file's own bytes.

PDF, Word, Excel and images only. The declared content type of an upload is never trusted: the
first bytes must match the extension (a renamed .exe or .html is refused), and Office files
that are ZIP packages must hold the part that makes them Word or Excel. Pure functions.
"""

import io
import zipfile
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_REPORT = 10

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
KINDS = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", (OLE,)),
    ".xls": ("application/vnd.ms-excel", (OLE,)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (ZIP,),
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ZIP_PART = {".docx": "word/", ".xlsx": "xl/"}
ALLOWED_TEXT = "PDF、Word（.doc/.docx）、Excel（.xls/.xlsx）、图片（.png/.jpg）"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


class UploadError(ValueError):
    pass


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def check_upload(name: str, data: bytes) -> CheckedFile:
    """The file's safe content type, or UploadError with a Chinese message naming the file."""
    clean_name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "附件"
    extension = _extension(clean_name)
    if len(clean_name) > 200:  # keep the extension, shorten what stands before it
        clean_name = clean_name[: 200 - len(extension)] + extension
    if extension not in KINDS:
        raise UploadError(f"“{clean_name}”的类型不允许上传，只接受 {ALLOWED_TEXT}。")
    if not data:
        raise UploadError(f"“{clean_name}”是空文件。")
    if len(data) > MAX_BYTES:
        raise UploadError(f"“{clean_name}”超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩后再上传。")
    content_type, signatures = KINDS[extension]
    if not any(data.startswith(signature) for signature in signatures):
        raise UploadError(f"“{clean_name}”的内容与扩展名 {extension} 不符，已拒绝。")
    if extension in ZIP_PART:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = package.namelist()
        except zipfile.BadZipFile as error:
            raise UploadError(f"“{clean_name}”已损坏，无法打开。") from error
        if not any(n.startswith(ZIP_PART[extension]) for n in names):
            raise UploadError(f"“{clean_name}”的内容与扩展名 {extension} 不符，已拒绝。")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise UploadError(f"“{clean_name}”含有宏，已拒绝。")
    return CheckedFile(clean_name, content_type, len(data))
