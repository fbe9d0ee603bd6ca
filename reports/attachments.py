"""Which uploaded files a report may carry: checked by name, size and the file's own bytes.

PDF, Word, Excel and images only. The declared content type of an upload is never trusted: the
first bytes must match the extension (a renamed .exe or .html is refused), and Office files
that are ZIP packages must hold the part that makes them Word or Excel. Pure functions.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_REPORT = 10
MAX_NAME = 200  # Attachment.original_name
SHOWN_NAME = 60  # in a message, a longer name is shortened

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


# What a browser sends for a quote, CR and LF in a file name (HTML's multipart/form-data rules).
BROWSER_ESCAPES = {"%22": '"', "%0D": "", "%0A": ""}
EXTENSION = re.compile(r"(.*?)(\.[A-Za-z0-9]{1,8})", re.S)


def _split(name: str) -> tuple[str, str]:
    """(stem, extension); the extension is a dot and 1–8 letters or digits at the end, so
    "附件1.关于……的报告" has none, and ".pdf" is a PDF without a name."""
    match = EXTENSION.fullmatch(name)
    return (match.group(1), match.group(2)) if match else (name, "")


def clean_name(name: str) -> str:
    """The name to keep for an uploaded file, whatever the user's computer called it.

    Only its own name, without folders (an old browser sends C:\\…\\name); NFC, so that text
    a Mac sends decomposed (NFD) reads and compares as typed; no control or invisible
    characters (Django drops them too), runs of spaces made one; no dots or spaces at the end
    (Windows drops them). At most MAX_NAME characters: a longer name keeps its beginning and
    its extension, with "…" where it was cut, never inside an accented letter. A name with
    nothing before its extension is called 附件.
    """
    name = unicodedata.normalize("NFC", name or "")
    for escape, char in BROWSER_ESCAPES.items():
        name = name.replace(escape, char)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c if c.isprintable() else " " if c.isspace() else "" for c in name)
    name = " ".join(name.split()).rstrip(". ")
    stem, extension = _split(name)
    stem = stem.strip() or "附件"
    if len(stem) + len(extension) > MAX_NAME:
        stem = stem[: MAX_NAME - len(extension) - 1]
        while stem and (unicodedata.category(stem[-1]).startswith("M") or stem[-1] == " "):
            stem = stem[:-1]  # a mark without its letter, or a space before the "…"
        stem += "…"
    return stem + extension


def shown_name(name: str) -> str:
    """A cleaned name as a message shows it: a long one cut short, its extension kept."""
    if len(name) <= SHOWN_NAME:
        return name
    stem, extension = _split(name)
    return stem[: SHOWN_NAME - len(extension) - 1] + "…" + extension


def too_big_message(name: str) -> str:
    shown = shown_name(clean_name(name))
    return f"“{shown}”超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩后再上传。"


def check_upload(name: str, data: bytes) -> CheckedFile:
    """The file's safe content type and the name to keep (clean_name), or UploadError with a
    Chinese message naming the file."""
    kept = clean_name(name)
    shown = shown_name(kept)
    extension = _split(kept)[1].lower()
    if extension not in KINDS:
        raise UploadError(f"“{shown}”的类型不允许上传，只接受 {ALLOWED_TEXT}。")
    if not data:
        raise UploadError(f"“{shown}”是空文件。")
    if len(data) > MAX_BYTES:
        raise UploadError(too_big_message(name))
    content_type, signatures = KINDS[extension]
    if not any(data.startswith(signature) for signature in signatures):
        raise UploadError(f"“{shown}”的内容与扩展名 {extension} 不符，已拒绝。")
    if extension in ZIP_PART:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = package.namelist()
        except zipfile.BadZipFile as error:
            raise UploadError(f"“{shown}”已损坏，无法打开。") from error
        if not any(n.startswith(ZIP_PART[extension]) for n in names):
            raise UploadError(f"“{shown}”的内容与扩展名 {extension} 不符，已拒绝。")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise UploadError(f"“{shown}”含有宏，已拒绝。")
    return CheckedFile(kept, content_type, len(data))
