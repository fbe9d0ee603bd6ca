import datetime as dt
from types import SimpleNamespace

from reports.history import changes

LABELS = {"progress": "工作进展", "percent": "完成进度（%）", "problems": "存在问题"}


def revision(version, content, name="张三"):
    user = SimpleNamespace(first_name=name, get_username=lambda: "zhangsan")
    return SimpleNamespace(version=version, content=content, changed_by=user,
                           changed_at=dt.datetime(2024, 6, version))  # fmt: skip


def test_the_first_version_lists_what_was_filled_and_later_ones_only_what_changed():
    result = changes(
        [
            revision(1, {"progress": "起步", "percent": 10, "problems": ""}),
            revision(3, {"progress": "推进", "percent": 10, "problems": "资金"}, name="李四"),
            revision(4, {"progress": "推进", "percent": 10, "problems": "资金"}),
        ],
        LABELS,
    )
    assert [(c.version, c.by) for c in result] == [(1, "张三"), (3, "李四"), (4, "张三")]
    assert result[0].fields == [("工作进展", "", "起步"), ("完成进度（%）", "", 10)]
    assert result[1].fields == [("工作进展", "起步", "推进"), ("存在问题", "", "资金")]
    assert result[2].fields == []


def test_values_are_shown_through_the_display_function():
    result = changes([revision(1, {"percent": 50})], {"percent": "进度"},
                     display=lambda name, value: f"{value}%")  # fmt: skip
    assert result[0].fields == [("进度", "", "50%")]
