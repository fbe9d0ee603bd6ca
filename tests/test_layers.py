"""The one direction through the house (STYLE.md): tasks ← targets ← reports ← dashboards, with
demo/ and bench/ beside them. The contracts are in pyproject.toml; `make lint` runs them too."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_no_app_imports_one_to_its_right_and_no_module_cycle():
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter)], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken." in result.stdout
