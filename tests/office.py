"""Files opened as users' office suites open them: LibreOffice converts a workbook or document
to PDF, poppler reads the PDF back, and tests/office_rows.py measures a workbook's rows in
LibreOffice. For tests marked `office` (tests/conftest.py fails them on CI when LibreOffice is
missing)."""

import json
import re
import subprocess
import tempfile
from pathlib import Path

ROWS_SCRIPT = Path(__file__).with_name("office_rows.py")


def to_pdf(path: Path) -> Path:
    """`path` converted to PDF beside it, by a headless LibreOffice with its own profile."""
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
         "pdf", "--outdir", str(path.parent), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = path.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {path.name}"
    return pdf


def pdf_pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    """The page count and the first page's size in points (width, height)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info.stdout, re.M)
    return pages, (float(size.group(1)), float(size.group(2)))


def pdf_text(pdf: Path, page: int | None = None, *, layout: bool = False) -> str:
    command = ["pdftotext", *(["-layout"] if layout else [])]
    if page is not None:
        command += ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        [*command, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def measured_rows(path: Path) -> dict:
    """tests/office_rows.py's measure of a workbook: each sheet's cells, the clipped ones and
    the least slack in points."""
    done = subprocess.run(
        ["/usr/bin/python3", str(ROWS_SCRIPT), str(path)],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return json.loads(done.stdout)["sheets"]
