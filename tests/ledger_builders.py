"""The plans' ledgers as tests build them into files: the rows of ledger.json, and Word tables."""

import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANS = {
    "innovation-2022": ROOT / "fixtures" / "innovation-2022",
    "digital-2026": ROOT / "tests" / "data" / "digital-2026",
}
FIELDS = ("number", "title", "units_text", "measures", "deadline_text")
HEADER = ["序号", "重点任务", "责任单位", "推进措施", "完成时限"]


def ledger(plan: str) -> list[dict]:
    return json.loads((PLANS[plan] / "ledger.json").read_text(encoding="utf-8"))


def plan_data(plan: str) -> dict:
    return json.loads((PLANS[plan] / "plan.json").read_text(encoding="utf-8"))


def plan_text(plan: str) -> str:
    return (PLANS[plan] / "plan.txt").read_text(encoding="utf-8")


def as_read(rows) -> list[tuple]:
    """Rows (ledger.json's dicts or read LedgerRows) as the tuples of their five columns."""
    return [
        tuple(row[f] if isinstance(row, dict) else getattr(row, f) for f in FIELDS) for row in rows
    ]


def seed_measures(row: dict) -> str:
    """推进措施 as the 台账 wrote it: the cells whose note says so began with a stray <p>."""
    return f"<p>{row['measures']}" if "段落标记<p>" in row.get("note", "") else row["measures"]


def cells(row: dict) -> list:
    return [
        row["number"],
        row["title"],
        row["units_text"],
        seed_measures(row),
        row["deadline_text"],
    ]


def add_table(document, rows: list[list], *, merge: dict[int, int] | None = None):
    """A table of `rows` (text) in `document`; `merge` maps a row index to how many rows its
    first five cells are merged down over (the rows below leave those cells empty)."""
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for index, values in enumerate(rows):
        for column, value in enumerate(values):
            if value not in (None, ""):
                table.cell(index, column).text = str(value)
    for index, span in (merge or {}).items():
        for column in range(5):
            table.cell(index, column).merge(table.cell(index + span - 1, column))
    return table


def docx_bytes(document) -> bytes:
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def xlsx_bytes(book) -> bytes:
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
