"""The plan text, read independently of the application's loader, for tests to compare against."""

import re
from pathlib import Path

FIXTURE_TEXT = Path(__file__).resolve().parent.parent / "fixtures" / "innovation-2022" / "plan.txt"
SHARED_SEED = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "action-plan-2022.txt"
)


def plan_text() -> str:
    return FIXTURE_TEXT.read_text(encoding="utf-8")


def ledger_rows() -> list[list[str]]:
    """The 附件 table: every line that starts with a 序号 and a tab, split into its five cells."""
    annex = plan_text().split("附件：南阳市创新创业行动实施方案重点任务分工台账", 1)[1]
    return [line.split("\t") for line in annex.splitlines() if re.match(r"^\d+\t", line)]
