"""A workbook the site writes, read back and described as plain data (values, styles, merges,
widths, heights, print settings), for tests that freeze a workbook's output in a golden file.

A golden file is rewritten, instead of compared, when UPDATE_GOLDEN=1 is set: do that only on
purpose, when the workbook is meant to change, and read the diff."""

import hashlib
import io
import json
import os
from pathlib import Path

from openpyxl import load_workbook

GOLDEN = Path(__file__).resolve().parent / "golden"


def _colour(colour) -> str | None:
    return None if colour is None else f"{colour.type}:{colour.value}"


def style_of(cell) -> dict | None:
    """A cell's style as read in read-only mode; None for a cell the file does not hold."""
    if not hasattr(cell, "style_array"):
        return None
    font, border, align, fill = cell.font, cell.border, cell.alignment, cell.fill
    return {
        "font": [font.name, font.sz, font.b, font.i, font.u, _colour(font.color)],
        "border": [
            [side.style, _colour(side.color)]
            for side in (border.left, border.right, border.top, border.bottom)
        ],
        "alignment": [
            align.horizontal,
            align.vertical,
            align.wrap_text,
            align.shrink_to_fit,
            align.indent,
        ],
        "fill": [fill.fill_type, _colour(getattr(fill, "fgColor", None))],
        "number_format": cell.number_format,
        "quote_prefix": bool(cell.style_array.quotePrefix),
        "protection": [cell.protection.locked, cell.protection.hidden],
    }


def describe(data: bytes, *, digest_rows_after: int | None = None) -> dict:
    """Everything a reader of the workbook sees, sheet by sheet. Cells are given as their
    value, data type and style (an index into the sheet's `styles`), read in read-only mode so
    that cells under a merge keep what was written in them; past row `digest_rows_after` a
    row's cells are given as a digest, to keep a golden file small."""
    book = load_workbook(io.BytesIO(data))
    raw = load_workbook(io.BytesIO(data), read_only=True)
    sheets = []
    for sheet in book.worksheets:
        styles: list[dict] = []
        keys: dict[str, int] = {}
        rows = []
        cells_read = raw[sheet.title].iter_rows(
            min_row=1, max_row=sheet.max_row, max_col=sheet.max_column
        )
        for row in cells_read:
            cells = []
            for cell in row:
                style = json.dumps(style_of(cell), ensure_ascii=False, sort_keys=True)
                if style not in keys:
                    keys[style] = len(styles)
                    styles.append(json.loads(style))
                cells.append([cell.value, cell.data_type, keys[style]])
            if digest_rows_after is not None and len(rows) >= digest_rows_after:
                text = json.dumps(cells, ensure_ascii=False, default=str)
                cells = hashlib.sha256(text.encode()).hexdigest()[:16]
            rows.append(cells)
        setup = sheet.page_setup
        sheets.append(
            {
                "title": sheet.title,
                "state": sheet.sheet_state,
                "dimensions": sheet.dimensions,
                "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
                "columns": {
                    key: [dim.width, dim.hidden, dim.customWidth]
                    for key, dim in sorted(sheet.column_dimensions.items())
                },
                "row_heights": {
                    str(key): [dim.height, dim.customHeight]
                    for key, dim in sorted(sheet.row_dimensions.items())
                    if dim.height is not None
                },
                "freeze_panes": sheet.freeze_panes,
                "print_title_rows": sheet.print_title_rows,
                "page_setup": [
                    setup.orientation,
                    setup.paperSize,
                    setup.fitToWidth,
                    setup.fitToHeight,
                    sheet.sheet_properties.pageSetUpPr.fitToPage
                    if sheet.sheet_properties.pageSetUpPr
                    else None,
                ],
                "print_options": [
                    sheet.print_options.horizontalCentered,
                    sheet.print_options.verticalCentered,
                ],
                "margins": [
                    sheet.page_margins.left,
                    sheet.page_margins.right,
                    sheet.page_margins.top,
                    sheet.page_margins.bottom,
                ],
                "validations": sorted(
                    [str(v.sqref), v.type, v.formula1, v.formula2, v.operator, v.allow_blank]
                    for v in sheet.data_validations.dataValidation
                ),
                "comments": [
                    [cell.coordinate, cell.comment.text]
                    for row in sheet.iter_rows()
                    for cell in row
                    if cell.comment is not None
                ],
                "protection": sheet.protection.sheet,
                "styles": styles,
                "rows": rows,
            }
        )
    return {"sheets": sheets}


def as_json(description: dict) -> dict:
    """The description as a golden file holds it (tuples as lists, decimals as text)."""
    return json.loads(json.dumps(description, ensure_ascii=False, default=str))


def golden(name: str, description: dict) -> dict:
    """tests/golden/<name>.json, written from `description` first when UPDATE_GOLDEN=1."""
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        text = json.dumps(as_json(description), ensure_ascii=False, indent=1)
        path.write_text(text + "\n", encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))
