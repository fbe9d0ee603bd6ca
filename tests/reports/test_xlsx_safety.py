"""The XML checks made on an uploaded .xlsx before openpyxl opens it (reports/xlsx_safety.py),
on small packages built here; the whole corpus goes through the import in test_import_corpus."""

import io
import zipfile

import pytest

from reports import package_checks
from reports.xlsx_safety import MAIN, Limits, UnsafePackage, check_parts

LIMITS = Limits(
    rows=10, columns=4, sheets=2, strings=5, style_elements=20, elements=200, settings=60,
    setting_chars=200, references=10, formula_chars=100, depth=8,
)  # fmt: skip
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="任务进展" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def sheet(rows: str, *, before: str = "") -> str:
    return f'<worksheet xmlns="{MAIN}">{before}<sheetData>{rows}</sheetData></worksheet>'


def check(parts: dict[str, str | bytes], limits: Limits = LIMITS) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, body in (
            {"xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": RELS} | parts
        ).items():
            package.writestr(name, body)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as package:
        check_parts(package, limits, shown="填报.xlsx")


def refusal(parts: dict, limits: Limits = LIMITS) -> str:
    with pytest.raises(UnsafePackage) as refused:
        check(parts, limits)
    return refused.value.message


def test_rows_and_columns_up_to_the_limits_pass():
    rows = "".join(f'<row r="{r}"><c r="D{r}"><v>1</v></c></row>' for r in range(1, 11))
    check({"xl/worksheets/sheet1.xml": sheet(rows, before='<dimension ref="A1:D10"/>')})


@pytest.mark.parametrize(
    ("xml", "where"),
    [
        (sheet('<row r="11"><c r="A11"/></row>'), "（工作表“任务进展”第11行）"),
        (sheet('<row r="1"><c r="E1"/></row>'), "（工作表“任务进展”第E列）"),
        (sheet('<row r="1"><c r="A1048576"/></row>'), "（工作表“任务进展”第1048576行）"),
        (sheet("", before='<dimension ref="A1:XFD1048576"/>'), "（工作表“任务进展”第1048576行）"),
        (sheet("<row/>" * 11), "（工作表“任务进展”第11行）"),  # rows counted without r=
        (sheet("<row><c/><c/><c/><c/><c/></row>"), "（工作表“任务进展”第E列）"),
        # openpyxl matches SpreadsheetML rows under any prefix
        (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="99"/></x:sheetData></x:worksheet>',
         "（工作表“任务进展”第99行）"),
    ],
)  # fmt: skip
def test_a_cell_beyond_the_template_is_refused_and_named_by_its_sheet(xml, where):
    message = refusal({"xl/worksheets/sheet1.xml": xml})
    assert message == f"文件中有超出模板范围的单元格{where}，请使用本系统下载的模板。"


def test_rows_of_another_namespace_are_not_counted_as_openpyxl_does_not_read_them():
    check({"xl/drawings/drawing1.xml": '<d xmlns="urn:other"><row r="99999"/></d>'})


def test_many_cells_at_one_place_are_refused_though_each_says_the_same_column():
    message = refusal(
        {"xl/worksheets/sheet1.xml": sheet('<row r="2">' + '<c r="A2"/>' * 5 + "</row>")}
    )
    assert "第2行的单元格超过 4 个" in message


@pytest.mark.parametrize("reference", ["1A", "A0x", "AAAA1", "A1234567890"])
def test_a_cell_reference_openpyxl_cannot_read_is_refused(reference):
    message = refusal({"xl/worksheets/sheet1.xml": sheet(f'<row r="1"><c r="{reference}"/></row>')})
    assert "无效的单元格位置" in message


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst/>',
        b'  \n<!DOCTYPE sst [<!ENTITY a "aaaa">]><sst/>',  # no declaration, white space first
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE sst [<!ENTITY a "a">]><sst/>'.encode(
            "utf-16"
        ),  # invisible to a search for the bytes "<!DOCTYPE"
        b'<!DOCTYPE sst SYSTEM "http://example.org/evil.dtd"><sst/>',
    ],
    ids=["entities", "after-white-space", "utf-16", "external"],
)
def test_any_dtd_is_refused(body):
    assert "DTD" in refusal({"xl/sharedStrings.xml": body})


def test_depth_is_limited_in_every_part():
    check({"docProps/custom.xml": "<a>" * 8 + "</a>" * 8})
    assert "嵌套超过 8 层" in refusal({"docProps/custom.xml": "<a>" * 9 + "</a>" * 9})


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si>" * 6 + "</sst>"},
         "共享字符串超过 5 条"),
        ({"xl/styles.xml": f'<styleSheet xmlns="{MAIN}">' + "<xf/>" * 20 + "</styleSheet>"},
         "样式表超过 20 项"),
        ({"xl/other.xml": "<a>" + "<b/>" * 70 + "</a>"}, "格式、批注、数据验证等设置"),
        ({"xl/other.xml": f'<a b="{"x" * 201}"/>'}, "格式、批注、数据验证等设置"),
        ({"xl/other.xml": f"<a>{'x' * 201}</a>"}, "格式、批注、数据验证等设置"),
        ({"xl/other.xml": f'<a sqref="{" ".join(["A1"] * 11)}"/>'}, "所列的单元格"),
        ({"xl/worksheets/sheet1.xml": sheet('<row r="1"><c r="A1"><is>' + "<r/>" * 250 + "</is></c></row>")},
         "超过 200 个 XML 元素"),
        ({"xl/workbook.xml": f'<workbook xmlns="{MAIN}"><sheets>' + "<sheet/>" * 3 + "</sheets></workbook>"},
         "有超过 2 个工作表"),
    ],
    ids=["strings", "styles", "settings", "attributes", "setting-text", "references", "elements",
         "sheets"],
)  # fmt: skip
def test_each_count_has_its_limit(parts, expected):
    assert expected in refusal(parts)


def test_a_part_that_is_not_xml_is_left_to_openpyxl():
    check({"xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4})


def test_the_genuine_template_passes_the_import_limits(client, staff_county, plan):
    client.force_login(staff_county)
    data = client.get("/reporting/template/").content
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        check_parts(package, package_checks.PACKAGE_LIMITS, shown="模板.xlsx")


def _formulas(*cells: str) -> dict:
    row = "".join(f'<c r="{chr(65 + n)}1">{cell}</c>' for n, cell in enumerate(cells))
    return {"xl/worksheets/sheet1.xml": sheet(f'<row r="1">{row}</row>')}


def test_a_shared_formula_counts_its_text_once_for_every_cell_that_uses_it():
    master = '<f t="shared" si="0" ref="A1:C1">' + "B2+" * 11 + "1</f>"  # 34 characters
    check(_formulas(master, '<f t="shared" si="0"/>'))  # 68
    assert "中的公式" in refusal(_formulas(master, *['<f t="shared" si="0"/>'] * 2))  # 102


def test_formulas_of_cells_that_are_not_shared_count_their_own_text():
    check(_formulas(*[f"<f>{'1+' * 12}1</f>"] * 4))  # 100 characters
    assert "中的公式" in refusal(_formulas(*[f"<f>{'1+' * 12}12</f>"] * 4))


def test_the_text_of_cells_and_shared_strings_is_not_counted_as_settings():
    long = "进" * 5_000
    check({
        "xl/worksheets/sheet1.xml": sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{long}</t></is></c></row>'),
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>{long}</t></si></sst>',
    })  # fmt: skip


def test_rows_that_repeat_one_number_are_counted_all_the_same():
    message = refusal({"xl/worksheets/sheet1.xml": sheet('<row r="3"/>' * 11)})
    assert message == (
        "文件中工作表“任务进展”的行数超过 10 行，超出了模板的范围，请使用本系统下载的模板。"
    )
