"""Which outside services this machine offers to the tests.

On a developer's machine a test that needs a missing service is skipped with the reason; with
CI=true it fails instead, so CI can never pass by skipping (see conftest.py).
"""

import os
import shutil
import socket
import subprocess
from urllib.parse import urlparse

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def redis_missing() -> str | None:
    if port_open(REDIS_TEST_URL, 6379):
        return None
    return f"Redis is not reachable at {REDIS_TEST_URL}"


def browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM_PATH) or shutil.which(CHROMIUM_PATH)):
        return f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def office_missing() -> str | None:
    """LibreOffice, poppler's PDF tools and the system Python's UNO bridge (tests/office.py)."""
    for tool, package in (
        ("soffice", "libreoffice-calc-nogui libreoffice-writer-nogui"),
        ("pdftotext", "poppler-utils"),
        ("pdfinfo", "poppler-utils"),
    ):
        if not shutil.which(tool):
            return f"{tool} not found (apt-get install {package})"
    check = subprocess.run(
        ["/usr/bin/python3", "-c", "import uno"], capture_output=True, check=False
    )
    if check.returncode:
        return "the system Python cannot import uno (apt-get install python3-uno)"
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    for family, package in (
        ("Noto Sans CJK", "fonts-noto-cjk"),
        ("Carlito", "fonts-crosextra-carlito"),
    ):
        if family not in fonts:
            return f"the font {family} is missing (apt-get install {package})"
    return None


def postgres_missing(vendor: str) -> str | None:
    if vendor == "postgresql":
        return None
    return "runs only against PostgreSQL: set DATABASE_URL (make test runs a PostgreSQL pass)"


if __name__ == "__main__":
    # `python -m tests.services postgres URL`: exit 0 when the server answers.
    import sys

    kind, url = sys.argv[1], sys.argv[2]
    sys.exit(0 if port_open(url, {"postgres": 5432, "redis": 6379}[kind]) else 1)
