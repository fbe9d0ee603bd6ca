"""Row heights a workbook needs, measured by LibreOffice itself: run with the system Python that
has LibreOffice's UNO bridge (Debian's python3-uno), not the project's virtualenv.

    /usr/bin/python3 tests/office_rows.py book.xlsx

It opens the workbook in a headless LibreOffice, and for every cell that holds text (a merged
range counts once, at its first cell) copies the text, font and wrapping into a scratch sheet
whose column is as wide as the cell (a merged range: as wide as its columns together), lets
LibreOffice size that row to its text (optimal height) and compares it with the height the
workbook gives the cell (a merged range: its rows together). It prints one JSON object:
{"sheets": {name: {"cells": n, "clipped": [[cell, have_pt, need_pt, text], ...],
"least_slack_pt": x}}}. LibreOffice lays the text out with the fonts this machine has in place
of the workbook's (宋体 falls back to Noto CJK), as a user's LibreOffice or WPS without 宋体
would.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue

HUNDREDTHS_MM_PER_PT = 2540 / 72


def _property(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(profile: str):
    pipe = f"rows{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(120):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    else:
        process.kill()
        raise SystemExit("LibreOffice did not start")
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    return process, desktop


def _merged_ranges(sheet, used):
    """The merged ranges of a sheet, by their first cell, as (first_col, first_row, last_col,
    last_row). `used` is the used area's last cell."""
    ranges = {}
    for row in range(used.EndRow + 1):
        for col in range(used.EndColumn + 1):
            cell = sheet.getCellByPosition(col, row)
            if not cell.getIsMerged() or any(
                r[0] <= col <= r[2] and r[1] <= row <= r[3] for r in ranges.values()
            ):
                continue
            cursor = sheet.createCursorByRange(cell)
            cursor.collapseToMergedArea()
            address = cursor.getRangeAddress()
            if address.EndColumn > col or address.EndRow > row:
                ranges[(col, row)] = (col, row, address.EndColumn, address.EndRow)
    return ranges


def measure(path: str) -> dict:
    profile = tempfile.mkdtemp(prefix="lo-rows-")
    process, desktop = _connect(profile)
    try:
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        document = desktop.loadComponentFromURL(url, "_blank", 0, (_property("Hidden", True),))
        sheets = document.Sheets
        names = list(sheets.ElementNames)
        result = {}
        for name in names:
            result[name] = _measure_sheet(document, sheets.getByName(name))
        document.close(True)
        return {"sheets": result}
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        process.wait(timeout=30)


def _measure_sheet(document, sheet) -> dict:
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    used = cursor.getRangeAddress()
    rows, columns = sheet.getRows(), sheet.getColumns()
    widths = [columns.getByIndex(c).Width for c in range(used.EndColumn + 1)]
    heights = [rows.getByIndex(r).Height for r in range(used.EndRow + 1)]
    merged = _merged_ranges(sheet, used)
    covered = {
        (c, r)
        for (c0, r0, c1, r1) in merged.values()
        for c in range(c0, c1 + 1)
        for r in range(r0, r1 + 1)
        if (c, r) != (c0, r0)
    }
    cells = []
    for row in range(used.EndRow + 1):
        for col in range(used.EndColumn + 1):
            if (col, row) in covered:
                continue
            cell = sheet.getCellByPosition(col, row)
            text = cell.getString()
            if not text:
                continue
            c0, r0, c1, r1 = merged.get((col, row), (col, row, col, row))
            cells.append(
                (
                    cell,
                    text,
                    sum(widths[c0 : c1 + 1]),
                    sum(heights[r0 : r1 + 1]),
                    f"{_column_name(col)}{row + 1}"
                    + (f":{_column_name(c1)}{r1 + 1}" if (c1, r1) != (col, row) else ""),
                )
            )
    scratch_name = f"scratch{uuid.uuid4().hex[:8]}"
    document.Sheets.insertNewByName(scratch_name, document.Sheets.Count)
    scratch = document.Sheets.getByName(scratch_name)
    # One scratch column per distinct width; one scratch row per cell, each on its own row.
    by_width = {}
    for entry in cells:
        by_width.setdefault(entry[2], len(by_width))
    for width, index in by_width.items():
        scratch.getColumns().getByIndex(index).Width = width
    properties = (
        "CharFontName", "CharFontNameAsian", "CharHeight", "CharHeightAsian", "CharWeight",
        "CharWeightAsian", "IsTextWrapped", "ParaIndent", "ParaLeftMargin", "ParaRightMargin",
        "ParaTopMargin", "ParaBottomMargin", "VertJustify", "HoriJustify",
    )  # fmt: skip
    for index, (cell, text, width, _have, _ref) in enumerate(cells):
        target = scratch.getCellByPosition(by_width[width], index)
        for prop in properties:
            try:
                target.setPropertyValue(prop, cell.getPropertyValue(prop))
            except Exception:
                pass
        target.setString(text)
    scratch_rows = scratch.getRows()
    if cells:
        every = scratch.getCellRangeByPosition(0, 0, len(by_width) - 1, len(cells) - 1)
        every.getRows().OptimalHeight = True
    clipped, least = [], None
    for index, (_cell, text, _width, have, ref) in enumerate(cells):
        need = scratch_rows.getByIndex(index).Height
        slack = (have - need) / HUNDREDTHS_MM_PER_PT
        least = slack if least is None else min(least, slack)
        if need > have:
            clipped.append(
                [ref, round(have / HUNDREDTHS_MM_PER_PT, 1),
                 round(need / HUNDREDTHS_MM_PER_PT, 1), text[:40]]
            )  # fmt: skip
    document.Sheets.removeByName(scratch_name)
    return {
        "cells": len(cells),
        "clipped": clipped,
        "least_slack_pt": None if least is None else round(least, 1),
    }


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1]), ensure_ascii=False))
