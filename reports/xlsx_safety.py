"""Whether the XML inside an uploaded .xlsx is small and plain enough to hand to openpyxl.

openpyxl does as much work as a file declares, not as much as it holds: one filled cell at row
1,048,576 of a 16 KB file makes it produce a million empty rows (17–28 s in a web worker); a
styles part of 60,000 formats, or 500,000 shared strings, takes seconds to load before a single
cell is read; a DTD can declare entities that expand to megabytes (expat >= 2.4 stops a
billion-laughs file only after 8 MiB, older builds not at all). The template this system hands
out has four sheets of a few dozen rows and eight columns, no DTD, a few hundred styles.

So every part of the package is read once here, before openpyxl sees it, with expat in chunks
of 64 KB, counting as it goes and stopping at the first thing beyond what the template can
contain. The work is bounded by the limits, not by the file. A part that is not XML (an image,
printer settings) ends its own scan at its first byte: openpyxl does not read those, and fails
on any it would have to read. Messages are Chinese, as in reports/importing.py.

The rules follow what openpyxl 3.1 acts on, even in read-only mode: rows and cells (<row>, <c>
of SpreadsheetML, in any part, as its worksheet parser matches them wherever they stand),
<dimension>, shared strings (<si>), sheets (<sheet>), xl/styles.xml, every other element it
turns into an object (counted as settings, with their attributes and text), the cell lists of
sqref="A1 A2 …" (a range object each), and formulas: each cell of a shared formula has the
master's text translated anew, so a long master over many cells costs their product.
"""

import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from openpyxl.utils import column_index_from_string, get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
# expat with namespace_separator=" " names an element "namespace local".
ROW, CELL, STRING, FORMULA = f"{MAIN} row", f"{MAIN} c", f"{MAIN} si", f"{MAIN} f"
DIMENSION, SHEET = f"{MAIN} dimension", f"{MAIN} sheet"
SHEET_ID = f"{RELATIONSHIPS} id"
RELATIONSHIP = f"{PACKAGE_RELATIONSHIPS} Relationship"
STYLES = "xl/styles.xml"
WORKBOOK, WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
CHUNK = 64 * 1024
# openpyxl's own pattern for a cell reference (openpyxl.utils.cell.COORD_RE).
COORDINATE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class Limits:
    """What one file may hold; reports/importing.py sets them from the template."""

    rows: int  # last row of a sheet, and rows in one sheet
    columns: int  # last column, and cells in one row
    sheets: int
    strings: int  # shared strings (<si>)
    style_elements: int  # elements of xl/styles.xml
    elements: int  # elements in all parts together
    settings: int  # elements that are neither rows, cells nor shared strings
    setting_chars: int  # characters of their attribute values and text
    references: int  # cells and ranges listed in sqref attributes
    formula_chars: int  # characters of formulas, a shared one counted for each of its cells
    depth: int


class UnsafePackage(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_parts(package: zipfile.ZipFile, limits: Limits, *, shown: str) -> None:
    """Read every part of the package; UnsafePackage at the first limit passed.

    The workbook and its relationships are read first, so that a far cell can be named by its
    sheet. `shown` is the file's name as the user knows it, for the messages.
    """
    names = {info.filename: info for info in package.infolist()}
    scan = _Scan(limits, shown)
    first = [name for name in (WORKBOOK, WORKBOOK_RELS) if name in names]
    for name in first + [n for n in names if n not in first]:
        scan.part(package, names[name])


class _Scan:
    """Counts over the whole file; one expat parser per part."""

    def __init__(self, limits: Limits, shown: str):
        self.limits, self.shown = limits, shown
        self.elements = self.settings = self.setting_chars = self.references = 0
        self.sheets = self.strings = self.formula_chars = 0
        self.sheet_ids: dict[str, str] = {}  # relationship id → sheet name (workbook.xml)
        self.sheet_parts: dict[str, str] = {}  # part name → sheet name (workbook's rels)

    def part(self, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        part = _Part(self, info.filename)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text, parser.buffer_size = True, CHUNK  # a text in one call, not per line
        parser.StartDoctypeDeclHandler = part.doctype
        parser.EntityDeclHandler = part.entity
        parser.StartElementHandler = part.start
        parser.EndElementHandler = part.end
        parser.CharacterDataHandler = part.text
        try:
            with package.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError:
            return  # not XML, or broken XML: openpyxl refuses it if it reads it at all

    def refuse(self, message: str):
        raise UnsafePackage(message)

    def refuse_too_large(self, what: str):
        self.refuse(
            f"“{self.shown}”中的{what}超出了模板所能容纳的范围，已拒绝。"
            "请使用本系统下载的模板填写。"
        )


class _Part:
    """The handlers for one part: depth, rows and cells, and the file's counts."""

    def __init__(self, scan: _Scan, name: str):
        self.scan, self.limits, self.name = scan, scan.limits, name
        self.sheet = scan.sheet_parts.get(name)
        self.depth = 0
        self.inside = 0  # depth of the <c> or <si> being read, 0 outside one
        self.row = self.rows = 0  # openpyxl's row counter, and rows seen
        self.column = self.cells = 0  # the same within the current row
        self.styles = 0
        self.formula: str | None = None  # the shared index of the <f> being read, or ""
        self.formula_length = 0
        self.masters: dict[str, int] = {}  # shared formula index → length of its text

    # --- what no template holds ---

    def doctype(self, *_args):
        self.scan.refuse(
            f"“{self.scan.shown}”中含有 DTD（文档类型声明），可用来声明无限展开的实体"
            "（“实体膨胀”攻击）；Excel 保存的文件不会有，已拒绝。请使用本系统下载的模板。"
        )

    def entity(self, *_args):  # only inside a DTD, refused above; kept should expat change
        self.doctype()

    # --- elements ---

    def start(self, name: str, attributes: dict) -> None:
        scan, limits = self.scan, self.limits
        self.depth += 1
        if self.depth > limits.depth:
            scan.refuse(
                f"“{scan.shown}”的 XML 嵌套超过 {limits.depth} 层，不是 Excel 保存的文件，"
                "已拒绝。请使用本系统下载的模板。"
            )
        scan.elements += 1
        if scan.elements > limits.elements:
            scan.refuse_too_large(f"内容（超过 {limits.elements} 个 XML 元素）")
        if self.name == STYLES:
            self.styles += 1
            if self.styles > limits.style_elements:
                scan.refuse_too_large(f"单元格格式（样式表超过 {limits.style_elements} 项）")
        if self.inside:
            if name == FORMULA:
                shared = attributes.get("t") == "shared"
                self.formula, self.formula_length = attributes.get("si", "") if shared else "", 0
            return  # else the value or text of a cell or string: counted, nothing to check
        if name == CELL:
            self.inside = self.depth
            self._cell(attributes.get("r"))
        elif name == ROW:
            self._row(attributes.get("r"))
        elif name == STRING:
            self.inside = self.depth
            scan.strings += 1
            if scan.strings > limits.strings:
                scan.refuse_too_large(f"文字（共享字符串超过 {limits.strings} 条）")
        else:
            self._structure(name, attributes)

    def end(self, name: str) -> None:
        if self.formula is not None and name == FORMULA:
            self._formula_read()
        if self.inside == self.depth:
            self.inside = 0
        self.depth -= 1

    def text(self, data: str) -> None:
        if not self.inside:
            self._setting_chars(len(data))
        elif self.formula is not None:
            self.formula_length += len(data)

    def _formula_read(self) -> None:
        """openpyxl (worksheet/_reader.py parse_formula) keeps the first text of a shared
        formula and translates it for every later cell that names the same index."""
        index, length, work = self.formula, self.formula_length, self.formula_length
        if index:
            if index in self.masters:
                work += self.masters[index]
            elif length:
                self.masters[index] = length
        self.formula = None
        self.scan.formula_chars += work
        if self.scan.formula_chars > self.limits.formula_chars:
            self.scan.refuse_too_large("公式")

    def _setting_chars(self, count: int) -> None:
        self.scan.setting_chars += count
        if self.scan.setting_chars > self.limits.setting_chars:
            self.scan.refuse_too_large("格式、批注、数据验证等设置")

    def _structure(self, name: str, attributes: dict) -> None:
        scan, limits = self.scan, self.limits
        scan.settings += 1
        if scan.settings > limits.settings:
            scan.refuse_too_large("格式、批注、数据验证等设置")
        if attributes:
            self._setting_chars(sum(map(len, attributes.values())))
            if "sqref" in attributes:
                scan.references += attributes["sqref"].count(" ") + 1
                if scan.references > limits.references:
                    scan.refuse_too_large("数据验证、条件格式等设置所列的单元格")
        if name == DIMENSION:
            self._dimension(attributes.get("ref") or "")
        elif name == SHEET:
            scan.sheets += 1
            if scan.sheets > limits.sheets:
                scan.refuse(
                    f"“{scan.shown}”有超过 {limits.sheets} 个工作表，本系统的模板只有 4 个，"
                    "已拒绝。请使用本系统下载的模板。"
                )
            if self.name == WORKBOOK and attributes.get(SHEET_ID):
                scan.sheet_ids[attributes[SHEET_ID]] = attributes.get("name", "")
        elif name == RELATIONSHIP and self.name == WORKBOOK_RELS:
            sheet = scan.sheet_ids.get(attributes.get("Id", ""))
            target = attributes.get("Target", "")
            if sheet is not None and target:
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                scan.sheet_parts[part] = sheet

    # --- rows and cells, as openpyxl counts them (worksheet/_reader.py) ---

    def _row(self, number: str | None) -> None:
        self.row = self.row + 1 if number is None else self._number(number)
        self.rows += 1
        self.column = self.cells = 0
        if self.row > self.limits.rows:
            self._far(row=self.row)
        if self.rows > self.limits.rows:
            self.scan.refuse(
                f"文件中{self._where()}的行数超过 {self.limits.rows} 行，超出了模板的范围，"
                "请使用本系统下载的模板。"
            )

    def _cell(self, reference: str | None) -> None:
        if reference is None:
            self.column += 1
        else:
            column, row = self._coordinate(reference)
            self.column = column
            if row > self.limits.rows:
                self._far(row=row)
        self.cells += 1
        if self.column > self.limits.columns:
            self._far(column=self.column)
        if self.cells > self.limits.columns:
            self.scan.refuse(
                f"文件中{self._where()}第{self.row}行的单元格超过 {self.limits.columns} 个，"
                "超出了模板的范围，请使用本系统下载的模板。"
            )

    def _dimension(self, reference: str) -> None:
        """<dimension ref="A1:H30">: the used range the file declares, checked before its rows."""
        for corner in reference.split(":")[:2]:
            column, row = self._coordinate(corner)
            if row > self.limits.rows:
                self._far(row=row)
            if column > self.limits.columns:
                self._far(column=column)

    def _coordinate(self, reference: str) -> tuple[int, int]:
        match = COORDINATE.match(reference)
        if match is None or len(match[2]) > 9:
            self._invalid(reference)
        return column_index_from_string(match[1].upper()), int(match[2])

    def _number(self, text: str) -> int:
        # openpyxl also takes "5.0" for row 5.
        whole = text.strip().removesuffix(".0")
        if not whole.isdecimal() or len(whole) > 9:
            self._invalid(text)
        return int(whole)

    def _invalid(self, reference: str):
        self.scan.refuse(
            f"文件中{self._where()}有无效的单元格位置（{reference[:20]}），请使用本系统下载的模板。"
        )

    def _far(self, *, row: int | None = None, column: int | None = None):
        where = f"第{row}行" if row is not None else f"第{get_column_letter(column)}列"
        self.scan.refuse(
            f"文件中有超出模板范围的单元格（{self._where()}{where}），请使用本系统下载的模板。"
        )

    def _where(self) -> str:
        return f"工作表“{self.sheet}”" if self.sheet else ""
