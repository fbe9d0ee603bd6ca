import io
import os

import docx
import pytest
from openpyxl import Workbook, load_workbook

from dashboards.excel import LedgerRow as ExportRow
from dashboards.excel import TargetRow, write_workbook
from dashboards.ledger_pages import A3, A4, SCREEN
from tasks.ledger_files import LedgerFileError, read_ledger
from tests.ledger_builders import (
    HEADER,
    PLANS,
    add_table,
    as_read,
    cells,
    docx_bytes,
    ledger,
    plan_text,
    xlsx_bytes,
)

BOTH = pytest.mark.parametrize("plan", list(PLANS))
SHEET = "重点任务台账"
# Columns in another order, in the names other offices use, with a column the ledger lacks.
ORDER = ["完成时限", "序号", "责任单位", "主要任务", "推 进 措 施", "填报单位"]
FIELD_OF = {"完成时限": 4, "序号": 0, "责任单位": 2, "主要任务": 1, "推 进 措 施": 3}


def circulated_xlsx(rows: list[dict], *, spans: dict[int, int], repeat_header_after: int) -> bytes:
    """A 台账 as offices pass it round: a title merged across, the columns in another order,
    a section heading merged across, some tasks' columns merged over the rows of their units,
    the header repeated mid-sheet, a blank row, and 序号 typed every way Excel keeps them."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["南阳市重点任务分工台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ORDER))
    sheet.append(ORDER)
    sheet.append(["（一）第一部分任务"])
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(ORDER))
    numbers = {3: "3.", 4: "４", 5: 5.0}  # as typed, as a full-width digit, as Excel's float
    for row in rows:
        values = cells(row)
        values[0] = numbers.get(row["number"], values[0])
        first = sheet.max_row + 1
        span = spans.get(row["number"], 1)
        for unit in range(span):
            line = [values[FIELD_OF[name]] if name in FIELD_OF else f"单位{unit}" for name in ORDER]
            if unit:  # merged cells below the first keep no value of their own
                line = [
                    None if name in FIELD_OF else value
                    for name, value in zip(ORDER, line, strict=True)
                ]
            sheet.append(line)
        if span > 1:
            for column, name in enumerate(ORDER, start=1):
                if name in FIELD_OF:
                    sheet.merge_cells(
                        start_row=first, start_column=column, end_row=first + span - 1,
                        end_column=column,
                    )  # fmt: skip
        if row["number"] == repeat_header_after:
            sheet.append([name.replace(" ", "") for name in ORDER])  # the next page's header
            sheet.append([])
    return xlsx_bytes(book)


@BOTH
def test_a_circulated_workbook_reads_back_as_the_ledger_each_task_once(plan):
    rows = ledger(plan)
    data = circulated_xlsx(rows, spans={2: 3, 7: 2, 11: 3}, repeat_header_after=9)
    read = read_ledger("台账.xlsx", data)
    assert as_read(read) == as_read(rows)
    assert read[0].where == "工作表“重点任务台账”第4行"
    assert read[2].where == "工作表“重点任务台账”第8行"  # task 1's row, then task 2's three


def test_the_workbook_built_really_merges_and_repeats_what_the_reader_must_undo():
    data = circulated_xlsx(ledger("innovation-2022"), spans={2: 3}, repeat_header_after=9)
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    assert "A5:A7" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["B6"].value is None  # task 2's 序号 only in its first row
    assert sum(1 for r in sheet.iter_rows(values_only=True) if r[1] == "序号") == 2


def circulated_docx(rows: list[dict], *, split: int, merged: int) -> bytes:
    """The 台账 in a Word document: a title paragraph, the table cut in two at a page break
    with its header repeated, one task's columns merged down over the rows of two units, and
    the header repeated again inside the second table."""
    document = docx.Document()
    document.add_paragraph("南阳市重点任务分工台账")
    header = [*HEADER, "配合事项"]
    first, second = rows[:split], rows[split:]

    def table_rows(part):
        lines, merge = [header], {}
        for row in part:
            if row["number"] == merged:
                merge[len(lines)] = 2
                lines += [[*cells(row), "甲"], ["", "", "", "", "", "乙"]]
            else:
                lines.append([*cells(row), ""])
        return lines, merge

    lines, merge = table_rows(first)
    add_table(document, lines, merge=merge)
    document.add_paragraph("")
    lines, merge = table_rows(second)
    middle = len(lines) // 2 + 1
    if all(index < middle for index in merge):
        lines.insert(middle, header)  # a header row repeated inside one table
    add_table(document, lines, merge=merge)
    return docx_bytes(document)


@BOTH
def test_a_word_ledger_in_two_tables_with_merged_cells_reads_back_as_the_ledger(plan):
    rows = ledger(plan)
    data = circulated_docx(rows, split=len(rows) // 2, merged=2)
    read = read_ledger("台账.docx", data)
    assert as_read(read) == as_read(rows)
    assert read[0].where == "第1个表格第2行"
    assert read[-1].where.startswith("第2个表格第")


def test_the_word_table_built_gives_a_merged_cell_in_each_row_it_spans():
    data = circulated_docx(ledger("innovation-2022"), split=11, merged=2)
    table = docx.Document(io.BytesIO(data)).tables[0]
    assert [c.text for c in table.rows[3].cells][:2] == [c.text for c in table.rows[2].cells][:2]
    assert table.rows[3].cells[5].text == "乙"


def test_a_word_table_without_a_header_continues_the_table_before_it():
    rows = ledger("innovation-2022")
    document = docx.Document()
    add_table(document, [HEADER] + [cells(row) for row in rows[:10]])
    add_table(document, [cells(row) for row in rows[10:]])
    assert as_read(read_ledger("台账.docx", docx_bytes(document))) == as_read(rows)


def test_a_word_table_merged_across_for_a_section_heading_is_skipped():
    rows = ledger("innovation-2022")
    document = docx.Document()
    table = add_table(document, [HEADER, ["（一）加强科技攻关"], *[cells(row) for row in rows]])
    table.cell(1, 0).merge(table.cell(1, 4))
    assert as_read(read_ledger("台账.docx", docx_bytes(document))) == as_read(rows)


@BOTH
def test_the_plans_own_text_reads_back_as_its_ledger(plan):
    data = plan_text(plan).encode("utf-8")
    assert as_read(read_ledger("plan.txt", data)) == as_read(ledger(plan))


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_text_ledger_is_read_in_the_encodings_offices_save(encoding):
    rows = ledger("digital-2026")
    data = plan_text("digital-2026").replace("\n", "\r\n").encode(encoding)
    assert as_read(read_ledger("台账.TXT", data)) == as_read(rows)


def test_stray_paragraph_tags_are_removed_and_line_breaks_inside_a_cell_kept():
    data = sheet_of(HEADER, [1, "任务", " 市科技局 ", "<p>第一段</p>\r\n第二段  末</P>", " 长期 "])
    (row,) = read_ledger("台账.xlsx", data)
    assert (row.units_text, row.measures, row.deadline_text) == (
        "市科技局", "第一段\n第二段  末", "长期"
    )  # fmt: skip


# This product's own export, read back (dashboards/excel.py).


def exported(rows: list[ExportRow], layout) -> bytes:
    stream = io.BytesIO()
    target = TargetRow("高新技术企业", None, None, None, None, "无数据", "正文")
    write_workbook(stream, title="台账", ledger=rows, targets=[target], target_title="目标指标",
                   layout=layout, header="2025年第三季度", demo=True)  # fmt: skip
    return stream.getvalue()


def export_rows(tasks: list[dict], units: dict[int, int]) -> list[ExportRow]:
    rows = []
    for task in tasks:
        for unit in range(units.get(task["number"], 1)):
            rows.append(
                ExportRow(task["number"], task["title"], task["units_text"], task["measures"],
                          task["deadline_text"], progress="本季度推进" * 40, problems="无",
                          completion="进行中", unit=f"县{unit}")
            )  # fmt: skip
    return rows


@pytest.mark.parametrize("layout", [A4, A3, SCREEN], ids=lambda layout: layout.key)
def test_this_products_export_reads_back_as_its_tasks_once_each(layout):
    tasks = ledger("innovation-2022")[:6]
    data = exported(export_rows(tasks, {2: 20, 5: 3}), layout)
    assert as_read(read_ledger("台账.xlsx", data)) == as_read(tasks)


def test_a_task_the_export_cuts_over_pages_reads_back_once_from_its_parts():
    tasks = ledger("innovation-2022")[:3]
    data = exported(export_rows(tasks, {2: 30}), A4)
    sheet = load_workbook(io.BytesIO(data))[SHEET]
    titles = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert f"{tasks[1]['title']}（续）" in titles  # the export did cut the task
    read = read_ledger("台账.xlsx", data)
    assert as_read(read) == as_read(tasks)
    assert read[1].where == "工作表“重点任务台账”第4行"


# What the reader refuses, and how it says so.


def sheet_of(*lines) -> bytes:
    book = Workbook()
    book.active.title = SHEET
    for line in lines:
        book.active.append(list(line))
    return xlsx_bytes(book)


ROW_1 = [1, "实施重大科技专项", "市科技局", "措施一", "长期"]
ROW_2 = [2, "实行“揭榜挂帅”", "市科技局", "措施二", "长期"]


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(LedgerFileError) as raised:
        read_ledger(name, data)
    return str(raised.value)


@pytest.mark.parametrize("name", ["台账.xlsx", "台账.docx"])
def test_random_bytes_named_as_an_office_file_are_refused_as_unreadable(name):
    message = refusal(name, os.urandom(2000))
    assert message.startswith("无法打开") and "已损坏" in message


def test_a_truncated_workbook_is_refused_as_unreadable():
    data = sheet_of(HEADER, ROW_1)
    assert "已损坏" in refusal("台账.xlsx", data[: len(data) // 2])


@pytest.mark.parametrize(
    ("name", "says"),
    [("台账.pdf", "不支持的文件类型“台账.pdf”"), ("台账.xls", "另存为.xlsx"), ("台账", "不支持")],
)
def test_a_kind_of_file_it_does_not_read_is_refused_by_name(name, says):
    assert says in refusal(name, b"data")


def test_a_file_without_a_header_row_is_refused():
    message = refusal("台账.xlsx", sheet_of(["任务", "单位"], ROW_1))
    assert message == "未找到表头：台账须有“序号”“重点任务”“责任单位”“推进措施”“完成时限”列"


def test_a_number_given_twice_for_different_tasks_names_both_rows():
    message = refusal("台账.xlsx", sheet_of(HEADER, ROW_1, ROW_2, [1, *ROW_2[1:]]))
    assert message == (
        "工作表“重点任务台账”第4行：序号1已在工作表“重点任务台账”第2行用于另一项任务，两行内容不同"
    )


def test_a_task_repeated_later_under_its_own_number_is_a_duplicate():
    message = refusal(
        "台账.txt",
        "\n".join("\t".join(map(str, r)) for r in (HEADER, ROW_1, ROW_2, ROW_1)).encode(),
    )
    assert message == "第4行：序号1与第2行重复"


@pytest.mark.parametrize("missing", ["完成时限", "推进措施"])
def test_a_header_without_the_deadline_or_measures_column_names_it(missing):
    keep = [i for i, name in enumerate(HEADER) if name != missing]
    data = sheet_of([HEADER[i] for i in keep], [ROW_1[i] for i in keep])
    message = refusal("台账.xlsx", data)
    assert message.startswith(f"工作表“重点任务台账”第1行的表头缺少“{missing}”列")


@pytest.mark.parametrize("number", ["一", "1.5", "0", "第1项", -3])
def test_a_number_that_is_no_positive_integer_is_refused_with_its_row(number):
    message = refusal("台账.xlsx", sheet_of(HEADER, ROW_1, [number, *ROW_2[1:]]))
    assert message == f"工作表“重点任务台账”第3行：序号“{number}”不是正整数"


@pytest.mark.parametrize(("column", "name"), [(1, "重点任务"), (2, "责任单位")])
def test_a_task_without_its_title_or_units_is_refused_with_its_row(column, name):
    row = list(ROW_2)
    row[column] = ""
    message = refusal("台账.xlsx", sheet_of(HEADER, ROW_1, row))
    assert message == f"工作表“重点任务台账”第3行：序号2的“{name}”为空"


def test_a_row_of_task_text_without_a_number_is_refused():
    message = refusal("台账.xlsx", sheet_of(HEADER, ROW_1, ["", *ROW_2[1:]]))
    assert message == "工作表“重点任务台账”第3行：缺少序号"


def test_numbers_need_not_start_at_one_and_a_sheet_without_a_header_is_passed_over():
    book = Workbook()
    book.active.append(["说明"])
    ledger_sheet = book.create_sheet(SHEET)
    for line in (HEADER, [7, *ROW_1[1:]], [8, *ROW_2[1:]]):
        ledger_sheet.append(line)
    read = read_ledger("台账.xlsx", xlsx_bytes(book))
    assert [(r.number, r.title) for r in read] == [(7, ROW_1[1]), (8, ROW_2[1])]


@pytest.mark.parametrize(
    ("names", "order"),
    [
        (["编号", "任务名称", "牵头单位", "工作措施", "时间节点"], [0, 1, 2, 3, 4]),
        (["责任部门", "序 号", "具体措施", "工作任务", "完成时间（年月）"], [2, 0, 3, 1, 4]),
    ],
)
def test_the_header_is_found_by_the_names_offices_give_its_columns(names, order):
    data = sheet_of(["标题"], names, [ROW_1[i] for i in order])
    (row,) = read_ledger("台账.xlsx", data)
    assert (row.number, row.title, row.units_text, row.measures, row.deadline_text) == tuple(ROW_1)


def test_a_number_merged_over_rows_that_differ_in_their_measures_names_both_rows():
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    for line in (HEADER, ROW_1, [None, None, None, "另一措施", "长期"]):
        sheet.append(line)
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    message = refusal("台账.xlsx", xlsx_bytes(book))
    assert message == (
        "工作表“重点任务台账”第3行：序号1已在工作表“重点任务台账”第2行用于另一项任务，两行内容不同"
    )


def test_a_ledger_with_lead_and_co_unit_columns_lists_the_lead_first():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "重点任务", "牵头单位", "配合单位", "推进措施", "完成时限"])
    sheet.append(
        [1, "实施重大科技专项", "市科技局", "市财政局、市税务局", "组织实施。", "2026年底"]
    )
    sheet.append([2, "建设算力中心", "市数据局", None, "建成。", "2027年底"])
    rows = read_ledger("台账.xlsx", xlsx_bytes(book))
    assert [r.units_text for r in rows] == ["市科技局、市财政局、市税务局", "市数据局"]
