"""Browser test of quarterly reporting, the way the people who use it work through it.

A 填报员 reports a task and a target value; the 审核员 returns the report with a comment; the
填报员 reads the comment, fixes the report and submits it again; the 审核员 approves both; the
record's 修改历史 shows every step. Also: the inbox and the report form fit a 375-px phone, and
a report form's errors appear in Chinese beside the field.

Chromium launch, screenshots on failure and the DJANGO_ALLOW_ASYNC_UNSAFE handling come from
tests/test_browser.py (its fixtures are imported here, not copied).
"""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports import workflow
from reports.models import ProgressReport, TargetValue, WorkflowRecord
from tasks.models import ReportingPeriod, Task, Unit
from tests import test_browser as shared
from tests.test_browser import PHONE, log_in, overflow_report

# Chromium (module-scoped), pages with a screenshot on failure, and the demo accounts: the
# fixtures of tests/test_browser.py, made visible to pytest in this module by name.
browser = shared.browser
new_page = shared.new_page
demo_accounts = shared.demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD_LABEL = "2024年第二季度"  # 2024-04-01 … 2024-06-30, due 2024-07-10
TASK_TITLE = "实施重大科技专项"  # task 1, led by 市科技局
TARGET_LABEL = "科技型中小企业数量"  # reported by 市科技局 every quarter, in 家

FIRST_PROGRESS = "已组织申报省级重大科技专项3项，市级重大科技专项立项5项。"
FIXED_PROGRESS = (
    "已组织申报省级重大科技专项3项，市级重大科技专项立项5项，"
    "下达专项资金1200万元（宛财科〔2024〕8号）。"
)
RETURN_COMMENT = "请补充专项资金下达情况及文号。"


@pytest.fixture(autouse=True)
def reporting_season():
    """Every test runs on 2024-06-20, inside the reporting period of 2024 Q2.

    The real date (late 2026) is after every period's due date, so without this each
    submission would be marked 逾期报送 and the inbox would open on 2025 Q4. time_machine
    patches the clock of the whole process, so the live server (a thread of this process)
    sees the same date as the test; tick=True lets time run on from there, so events get
    ordered timestamps. Chromium keeps its real clock, which does not matter here: Django
    sends its cookies with Max-Age, which takes precedence over the (2024) Expires date.
    """
    with time_machine.travel(dt.datetime(2024, 6, 20, 9, tzinfo=SHANGHAI), tick=True):
        yield


def expect(target, **kwargs):
    # Imported here, like the launch in tests/test_browser.py, so that this module still
    # imports (and conftest can skip it) where playwright is not installed.
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target, **kwargs)


def the_period():
    return ReportingPeriod.objects.get(starts_on=dt.date(2024, 4, 1))


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def nav_link(page, name):
    return page.get_by_role("navigation", name="主菜单").get_by_role("link", name=name)


def duty(page, title):
    """The inbox entry for a task or target, found by its exact title."""
    return page.locator("li.duty").filter(has=page.locator(".duty-title", has_text=exactly(title)))


def record_pk(page, kind):
    match = re.search(rf"/records/{kind}/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


def status_label(page):
    """The status badge at the top of a record's page."""
    return page.locator("main h1 + p .state").first


def review_table(page, heading):
    return page.locator(f"h2:has-text('{heading}') + .table-wrap table.queue")


def test_a_report_is_submitted_returned_fixed_approved_and_its_history_shows_every_step(
    live_server, demo_accounts, new_page
):
    base = live_server.url
    period = the_period()

    # --- 1. kjj reports task 1 and the target 高新技术企业数量 ------------------------------
    kjj = new_page()
    log_in(kjj, base, "kjj", "/")
    nav_link(kjj, "我的填报").click()
    kjj.wait_for_url(f"{base}/reporting/")
    expect(kjj.locator("h1")).to_contain_text("我的填报 · 市科技局")
    # On 2024-06-20 the open period is 2024 Q2; choose it in the selector all the same.
    expect(kjj.locator("select#period option:checked")).to_have_text(exactly(PERIOD_LABEL))
    kjj.select_option("select#period", label=PERIOD_LABEL)
    kjj.locator("form.filters").get_by_role("button", name="切换").click()
    kjj.wait_for_url(f"{base}/reporting/?period={period.pk}")
    expect(kjj.locator(".period-status")).to_contain_text(f"{PERIOD_LABEL} 报送截止 2024年7月10日")
    expect(kjj.locator(".period-status")).to_contain_text("还剩 20 天")

    task_duty = duty(kjj, TASK_TITLE)
    expect(task_duty).to_have_count(1)
    expect(task_duty.locator(".duty-state .state")).to_have_text("未填报")
    task_duty.get_by_role("link", name="填报", exact=True).click()
    kjj.wait_for_url(re.compile(rf"/reporting/{period.pk}/tasks/\d+/$"))
    expect(kjj.locator("h1")).to_contain_text(TASK_TITLE)
    expect(kjj.get_by_label("逾期补报")).to_have_count(0)  # on time: nothing to confirm

    kjj.get_by_label("工作进展").fill(FIRST_PROGRESS)
    kjj.get_by_label("完成情况").select_option(label="推进中")
    kjj.get_by_label("完成进度").fill("60")
    kjj.get_by_label("存在问题").fill("部分项目资金拨付进度偏慢。")
    kjj.get_by_label("下步计划").fill("督促项目单位加快实施，三季度完成中期检查。")
    kjj.get_by_role("button", name="报送审核").click()
    kjj.wait_for_url(re.compile(r"/records/report/\d+/$"))
    report_pk = record_pk(kjj, "report")
    expect(kjj.locator("ul.messages")).to_contain_text("已报送，等待审核。")
    expect(status_label(kjj)).to_have_text("已报送")
    expect(kjj.locator("main")).not_to_contain_text("逾期报送")
    expect(kjj.locator("dl.facts")).to_contain_text(FIRST_PROGRESS)
    expect(kjj.get_by_role("button", name="审核通过")).to_have_count(0)  # not for reporters

    nav_link(kjj, "我的填报").click()
    kjj.wait_for_url(f"{base}/reporting/")
    expect(duty(kjj, TASK_TITLE).locator(".duty-state .state")).to_have_text("已报送")
    expect(duty(kjj, TASK_TITLE).get_by_role("link", name="查看")).to_be_visible()
    expect(kjj.locator(".period-status")).to_contain_text("已报送 1 项")

    value_duty = duty(kjj, TARGET_LABEL)
    expect(value_duty).to_have_count(1)
    expect(value_duty.locator(".duty-state .state")).to_have_text("未填报")
    value_duty.get_by_role("link", name="填报", exact=True).click()
    kjj.wait_for_url(re.compile(rf"/reporting/{period.pk}/targets/\d+/$"))
    expect(kjj.locator("h1")).to_have_text(TARGET_LABEL)
    kjj.get_by_label("数值（家）").fill("402")
    kjj.get_by_label("数据来源").fill("全国科技型中小企业信息服务平台入库名单")
    kjj.get_by_label("数据性质").select_option(label="正式")
    kjj.get_by_role("button", name="报送审核").click()
    kjj.wait_for_url(re.compile(r"/records/value/\d+/$"))
    value_pk = record_pk(kjj, "value")
    expect(kjj.locator("ul.messages")).to_contain_text("已报送，等待审核。")
    expect(status_label(kjj)).to_have_text("已报送")
    expect(kjj.locator("dl.facts")).to_contain_text("402")

    # --- 2. the reviewer returns the task report with a comment --------------------------
    rev = new_page()
    log_in(rev, base, "reviewer", "/")
    nav_link(rev, "待审核").click()
    rev.wait_for_url(f"{base}/review/")
    reports = review_table(rev, "任务进展报告")
    expect(reports.locator("tbody tr")).to_have_count(1)
    report_row = reports.locator("tbody tr").first
    expect(report_row).to_contain_text(f"1. {TASK_TITLE}")
    expect(report_row).to_contain_text("市科技局")
    expect(report_row).to_contain_text(PERIOD_LABEL)
    expect(report_row).to_contain_text("已报送")
    values = review_table(rev, "指标数据")
    expect(values.locator("tbody tr")).to_have_count(1)
    expect(values.locator("tbody tr").first).to_contain_text(TARGET_LABEL)
    expect(values.locator("tbody tr").first).to_contain_text("402 家")

    report_row.get_by_role("link", name=f"1. {TASK_TITLE}").click()
    rev.wait_for_url(f"{base}/records/report/{report_pk}/")
    expect(status_label(rev)).to_have_text("已报送")
    review_box = rev.locator("section.review-box")
    review_box.get_by_label("退回意见").fill(RETURN_COMMENT)
    review_box.get_by_role("button", name="退回修改").click()
    rev.wait_for_url(f"{base}/records/value/{value_pk}/")  # on to the next in the queue
    expect(rev.locator("ul.messages")).to_contain_text("已退回 市科技局。")
    expect(status_label(rev)).to_have_text("已报送")
    rev.goto(f"{base}/records/report/{report_pk}/")
    expect(status_label(rev)).to_have_text("已退回")
    expect(rev.locator("aside.note")).to_contain_text(RETURN_COMMENT)
    expect(rev.locator("section.review-box")).to_have_count(0)

    # --- 3. kjj reads the comment, fixes the report and submits it again ----------------
    kjj.reload()  # the value's page; the inbox is one click away
    nav_link(kjj, "我的填报").click()
    kjj.wait_for_url(f"{base}/reporting/")
    task_duty = duty(kjj, TASK_TITLE)
    expect(task_duty.locator(".duty-state .state").first).to_have_text("已退回")
    expect(task_duty.locator(".returned-comment")).to_have_text(f"退回意见：{RETURN_COMMENT}")
    task_duty.get_by_role("link", name="继续填报").click()
    kjj.wait_for_url(re.compile(rf"/reporting/{period.pk}/tasks/\d+/$"))
    expect(kjj.locator("p.muted .state")).to_have_text("已退回")
    expect(kjj.locator("aside.note")).to_contain_text(RETURN_COMMENT)
    progress = kjj.get_by_label("工作进展")
    expect(progress).to_have_value(FIRST_PROGRESS)
    expect(kjj.get_by_label("完成进度")).to_have_value("60")
    progress.fill(FIXED_PROGRESS)
    kjj.get_by_role("button", name="报送审核").click()
    kjj.wait_for_url(f"{base}/records/report/{report_pk}/")
    expect(kjj.locator("ul.messages")).to_contain_text("已报送，等待审核。")
    expect(status_label(kjj)).to_have_text("已报送")
    expect(kjj.locator("dl.facts")).to_contain_text(FIXED_PROGRESS)
    expect(kjj.locator("aside.note")).to_have_count(0)

    # --- 4. the reviewer approves the report on its page, the value from the queue ------
    nav_link(rev, "待审核").click()
    rev.wait_for_url(f"{base}/review/")
    reports = review_table(rev, "任务进展报告")
    expect(reports.locator("tbody tr")).to_have_count(1)
    reports.get_by_role("link", name=f"1. {TASK_TITLE}").click()
    rev.wait_for_url(f"{base}/records/report/{report_pk}/")
    expect(rev.locator("dl.facts")).to_contain_text(FIXED_PROGRESS)
    since_return = rev.locator("section.since-return")  # what changed since the return
    expect(since_return).to_contain_text(RETURN_COMMENT)
    expect(since_return.locator("td.old")).to_contain_text(FIRST_PROGRESS)
    expect(since_return.locator("td.new")).to_contain_text(FIXED_PROGRESS)
    rev.locator("section.review-box").get_by_role("button", name="审核通过").click()
    rev.wait_for_url(f"{base}/records/value/{value_pk}/")  # on to the next in the queue
    expect(rev.locator("ul.messages")).to_contain_text("已审核通过。")
    rev.goto(f"{base}/records/report/{report_pk}/")
    expect(status_label(rev)).to_have_text("已审核")

    nav_link(rev, "待审核").click()
    rev.wait_for_url(f"{base}/review/")
    expect(review_table(rev, "任务进展报告")).to_contain_text("没有符合条件的报告。")
    value_row = review_table(rev, "指标数据").locator("tbody tr")
    expect(value_row).to_have_count(1)
    value_row.get_by_role("checkbox").check()
    rev.get_by_role("button", name="审核通过所选").click()
    rev.wait_for_load_state()
    expect(rev.locator("ul.messages")).to_contain_text("已审核通过 1 份。")
    assert rev.url == f"{base}/review/"
    expect(review_table(rev, "指标数据")).to_contain_text("没有符合条件的报告。")

    # kjj's inbox shows both as approved; nothing is left to report for them.
    nav_link(kjj, "我的填报").click()
    kjj.wait_for_url(f"{base}/reporting/")
    for title in (TASK_TITLE, TARGET_LABEL):
        expect(duty(kjj, title).locator(".duty-state .state")).to_have_text("已审核")
        expect(duty(kjj, title).get_by_role("link", name="查看")).to_be_visible()
        expect(duty(kjj, title).get_by_role("link", name=re.compile("填报"))).to_have_count(0)

    # --- 5. 修改历史 shows every step and what changed ------------------------------------
    duty(kjj, TASK_TITLE).get_by_role("link", name="查看").click()
    kjj.wait_for_url(f"{base}/records/report/{report_pk}/")
    expect(status_label(kjj)).to_have_text("已审核")
    kjj.get_by_role("link", name="修改历史").click()
    kjj.wait_for_url(f"{base}/records/report/{report_pk}/history/")

    steps = kjj.locator("section.card", has=kjj.locator("h2", has_text="流转记录"))
    rows = steps.locator("tbody tr")
    expect(rows).to_have_count(6)
    cells = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in rows.all()]
    assert [(c[1], c[2]) for c in cells] == [
        ("市科技局填报员", "创建"),
        ("市科技局填报员", "报送"),
        ("市科技局审核员", "退回"),
        ("市科技局填报员", "保存"),
        ("市科技局填报员", "报送"),
        ("市科技局审核员", "审核通过"),
    ], cells
    assert [c[3] for c in cells] == ["草稿", "已报送", "已退回", "已退回", "已报送", "已审核"], (
        cells
    )
    assert [c[4] for c in cells] == ["", "", RETURN_COMMENT, "", "", ""], cells
    assert all(c[0].startswith("2024-06-20 ") for c in cells), cells

    content = kjj.locator("section.card", has=kjj.locator("h2", has_text="内容修改"))
    changes = content.locator("article.change")
    expect(changes).to_have_count(2)  # newest first: the fix (version 4), then the first text
    fix = changes.nth(0)
    expect(fix.locator("h3")).to_contain_text("版本 4 · 市科技局填报员")
    fix_rows = fix.locator("tbody tr")
    expect(fix_rows).to_have_count(1)  # only 工作进展 changed
    expect(fix_rows.locator("td").nth(0)).to_have_text("工作进展")
    expect(fix_rows.locator("td.old")).to_have_text(FIRST_PROGRESS)
    expect(fix_rows.locator("td.new")).to_have_text(FIXED_PROGRESS)
    first = changes.nth(1)
    expect(first.locator("h3")).to_contain_text("版本 1 · 市科技局填报员")
    expect(first).to_contain_text(FIRST_PROGRESS)
    expect(first).to_contain_text("推进中")

    # --- the 领导 sees the approved figure on the overview ---------------------------------
    leader = new_page()
    log_in(leader, live_server.url, "leader", f"/dashboard/?as_of={period.pk}")
    row = leader.locator("table.dash-table tr", has_text=f"6. {TARGET_LABEL}")
    expect(row).to_contain_text("402 家")
    expect(row.locator(".status")).not_to_have_text("无数据")
    leader.wait_for_function(
        "Array.from(document.querySelectorAll('div[data-chart]'))"
        ".every(d => d.querySelector('svg.main-svg'))"
    )
    assert leader.locator("div[data-chart]").count() >= 7
    grid = leader.locator(".task-tile", has_text=TASK_TITLE)
    expect(grid.locator(".tile-status")).to_have_text("推进中")

    # --- and in the database -----------------------------------------------------------
    report = ProgressReport.objects.get(pk=report_pk)
    assert (report.task.title, report.unit.name, report.period_id) == (
        TASK_TITLE,
        "市科技局",
        period.pk,
    )
    assert report.status == WorkflowRecord.Status.APPROVED
    assert report.version == 6
    assert report.progress == FIXED_PROGRESS
    assert (report.completion, report.percent) == (ProgressReport.Completion.IN_PROGRESS, 60)
    assert report.is_late is False
    assert report.review_comment == ""
    assert list(
        report.events.order_by("at", "pk").values_list(
            "action", "from_status", "to_status", "version", "comment", "actor__username"
        )
    ) == [
        ("create", "", "draft", 1, "", "kjj"),
        ("submit", "draft", "submitted", 2, "", "kjj"),
        ("return", "submitted", "returned", 3, RETURN_COMMENT, "reviewer"),
        ("save", "returned", "returned", 4, "", "kjj"),
        ("submit", "returned", "submitted", 5, "", "kjj"),
        ("approve", "submitted", "approved", 6, "", "reviewer"),
    ]
    assert list(report.revisions.values_list("version", "content__progress")) == [
        (1, FIRST_PROGRESS),
        (4, FIXED_PROGRESS),
    ]

    value = TargetValue.objects.get(pk=value_pk)
    assert (value.target.label, value.unit.name, value.period_id, value.series) == (
        TARGET_LABEL,
        "市科技局",
        period.pk,
        TargetValue.Series.ACTUAL,
    )
    assert value.status == WorkflowRecord.Status.APPROVED
    assert value.value == Decimal("402")
    assert value.is_late is False
    assert list(
        value.events.order_by("at", "pk").values_list("action", "version", "actor__username")
    ) == [("create", 1, "kjj"), ("submit", 2, "kjj"), ("approve", 3, "reviewer")]


def test_on_a_phone_the_inbox_and_report_form_fit_and_errors_show_beside_the_field(
    live_server, demo_accounts, new_page
):
    from django.contrib.auth import get_user_model

    base = live_server.url
    period = the_period()
    users = get_user_model().objects
    kjj_user, reviewer = users.get(username="kjj"), users.get(username="reviewer")
    unit = Unit.objects.get(name="市科技局")
    task = Task.objects.get(number=1)
    # A returned report, so the inbox and the form also carry the reviewer's comment, with a
    # pasted link: one long unbroken word, which must wrap rather than widen the page.
    report = workflow.create_report(
        task=task,
        unit=unit,
        period=period,
        user=kjj_user,
        content={
            "progress": FIRST_PROGRESS,
            "completion": ProgressReport.Completion.IN_PROGRESS,
            "percent": 60,
            "problems": "",
            "next_steps": "",
        },
    )
    report = workflow.submit_record(record=report, user=kjj_user, version=report.version)
    report = workflow.return_record(
        record=report,
        user=reviewer,
        comment=RETURN_COMMENT
        + "另请对照立项文件 https://kjj.nanyang.gov.cn/zhuanxiang/2024/wan-caike-2024-008-lixiang.pdf"
        + " 说明各县区专项资金配套到位情况。",
    )

    page = new_page(viewport=PHONE)
    log_in(page, base, "kjj", "/reporting/")
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    expect(duty(page, TASK_TITLE).locator(".returned-comment")).to_contain_text(RETURN_COMMENT)
    expect(page.locator("li.duty")).not_to_have_count(0)
    report_ = overflow_report(page)
    assert report_["scrollWidth"] <= report_["innerWidth"] + 1, report_

    duty(page, TASK_TITLE).get_by_role("link", name="继续填报").click()
    page.wait_for_url(f"{base}/reporting/{period.pk}/tasks/{task.pk}/")
    expect(page.locator("aside.note")).to_contain_text(RETURN_COMMENT)
    report_ = overflow_report(page)
    assert report_["scrollWidth"] <= report_["innerWidth"] + 1, report_
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    report_ = overflow_report(page)
    assert report_["scrollWidth"] <= report_["innerWidth"] + 1, report_

    # Leave 工作进展 empty and give an impossible percentage: the page comes back with each
    # error in Chinese, in the field's own block, right under the field; the rest is kept.
    page.get_by_label("工作进展").fill("")
    page.get_by_label("完成进度").fill("150")
    page.get_by_label("存在问题").fill("资金拨付偏慢。")
    page.get_by_role("button", name="报送审核").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/reporting/{period.pk}/tasks/{task.pk}/"

    progress = page.get_by_label("工作进展")
    progress_block = page.locator(".form-field", has=progress)
    expect(progress_block).to_have_class(re.compile(r"\bhas-error\b"))
    progress_error = progress_block.locator(".field-error")
    expect(progress_error).to_have_text("请填写工作进展。")
    expect(progress_error).to_be_visible()
    field_box, error_box = progress.bounding_box(), progress_error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40, (
        field_box,
        error_box,
    )
    assert abs(error_box["x"] - field_box["x"]) < 20, (field_box, error_box)

    percent_block = page.locator(".form-field", has=page.get_by_label("完成进度"))
    expect(percent_block.locator(".field-error")).to_have_text("完成进度应在 0 到 100 之间。")
    expect(page.locator(".field-error")).to_have_count(2)
    expect(page.get_by_label("存在问题")).to_have_value("资金拨付偏慢。")
    expect(page.locator("aside.note")).to_contain_text(RETURN_COMMENT)
    report_ = overflow_report(page)
    assert report_["scrollWidth"] <= report_["innerWidth"] + 1, report_

    report.refresh_from_db()
    assert (report.status, report.version, report.progress) == (
        WorkflowRecord.Status.RETURNED,
        3,
        FIRST_PROGRESS,
    )
