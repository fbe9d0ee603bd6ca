"""Dashboards for leadership: overview, one target, one unit, the county scoreboard.

Every signed-in user with a role may read them: they show approved figures and reporting
standing only, never a draft. Each page runs a fixed number of queries.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from dashboards import chart_text, charts, dashboard
from dashboards.assessment import figure_from_json
from dashboards.exporting import demo_data_present
from dashboards.page_cache import cached_page, viewer_scope
from dashboards.scoreboard import county_scoreboard, scoreboard_workbook, scoreboard_years
from dashboards.verdicts import progress_from, state_for, stored_compliance, stored_results
from reports.access import scope_for
from targets import progress
from targets.goals import thresholds
from targets.models import Target
from tasks.context_processors import current_plan
from tasks.links import link_maker
from tasks.models import Plan, ReportingPeriod, Unit
from tasks.periods import display_label, open_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_for(request) -> Plan:
    if scope_for(request).viewer.role is None:
        raise PermissionDenied(_("您的账号还没有分配角色，请联系管理员。"))
    plan = current_plan(request)
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    return plan


def _day(request, plan: Plan) -> tuple[dt.date, ReportingPeriod | None]:
    """The date the dashboard judges at: today, or the end of a quarter that has started, as
    the user picked; the plan's stored verdicts are brought up to date first (they normally
    are: dashboards/verdicts.py) and say on the page when a refresh is still running."""
    today = plan.judged_on(timezone.localdate())
    request.verdicts = state_for(plan, today)
    chosen = request.GET.get("as_of", "")
    if chosen.isdecimal():
        period = get_object_or_404(ReportingPeriod, pk=int(chosen), plan=plan, starts_on__lte=today)
        return period.ends_on, period
    return today, None


def _asked(day: dt.date, chosen: ReportingPeriod | None, **more) -> dict:
    """What a page was asked for, as its cache key has it (dashboards/page_cache.py)."""
    return {"day": day.isoformat(), "as_of": chosen.pk if chosen else None, **more}


def _hover(result) -> str:
    """The hover text of a target's bar: its parts escaped, joined by Plotly's <br>."""
    p, t = result.progress, result.target
    measure = t.value_measure if t.accumulation != "growth" else "%"
    parts = [t.label, _("目标：%(goal)s") % {"goal": t.goal_display}]
    if p.current is not None:
        current = f"{charts.number_label(p.current)} {measure}"
        parts.append(_("当前：%(value)s") % {"value": current})
    if p.expected is not None and t.scope != Target.Scope.EACH_COUNTY:
        expected = f"{charts.number_label(p.expected)} {measure}"
        parts.append(_("按进度应达：%(value)s") % {"value": expected})
    if p.reason:
        parts.append(p.reason)
    parts.append(_("状态：%(status)s") % {"status": p.label})
    return "<br>".join(charts.safe(part) for part in parts)


@require_safe
def overview(request):
    plan = _plan_for(request)
    day, chosen = _day(request, plan)
    return cached_page(
        request, "overview", _asked(day, chosen), lambda: (_("总览"), *_overview(plan, day, chosen))
    )


def _overview(plan: Plan, day: dt.date, chosen) -> tuple[str, dict]:
    data = dashboard.overview(plan, day)
    sections = []
    for index, (name, results) in enumerate(data.sections):
        rows = [
            {
                "label": f"{r.target.number}. {r.target.label}",
                "actual_pct": dashboard.completion_pct(r),
                "expected_pct": dashboard.expected_pct(r),
                "status": r.progress.status,
                "status_label": r.progress.label,
                "hover": _hover(r),
            }
            for r in results
        ]
        table = [(r, dashboard.completion_pct(r)) for r in results]
        summary = chart_text.targets_summary(
            title=name, statuses=[r.progress.status for r in results]
        )
        sections.append(
            (name, f"chart-section-{index}", charts.bullet_figure(rows), summary, table)
        )
    compliance_rows = [
        {"unit": r.unit.name, "on_time": r.on_time, "late": r.late, "missing": r.missing}
        for r in data.compliance_rows
    ]
    on_track, warning = thresholds()
    return (
        "dashboards/overview.html",
        {
            "plan": plan,
            "day": day,
            "chosen": chosen,
            "periods": dashboard.as_of_choices(plan, timezone.localdate()),
            "counts": data.counts,
            "sections": sections,
            "period": data.period,
            "compliance": data.compliance_rows,
            "compliance_figure": charts.compliance_figure(compliance_rows),
            "compliance_label": chart_text.compliance_summary(compliance_rows),
            "task_rows": data.task_rows,
            "task_counts": data.task_counts,
            "lagging_tasks": [
                (task, _names(lag.reported_lagging), _names(lag.not_reported))
                for task, lag in data.lagging_tasks
            ],
            "on_track_pct": int(on_track * 100),
            "warning_pct": int(warning * 100),
            "final": day > plan.period_end,
        },
    )


NAMES_SHOWN = 5  # units named in a line before "等 N 个单位"


def _names(units: list[Unit]) -> str:
    """一、二、三 — or the first NAMES_SHOWN and how many there are in all."""
    names = "、".join(u.name for u in units[:NAMES_SHOWN])
    if len(units) > NAMES_SHOWN:
        return _("%(names)s等 %(n)d 个单位") % {"names": names, "n": len(units)}
    return names


@require_safe
def target_detail(request, pk):
    plan = _plan_for(request)
    day, chosen = _day(request, plan)
    return cached_page(
        request, "target", _asked(day, chosen, pk=pk), lambda: _target_detail(plan, pk, day, chosen)
    )


def _target_detail(plan: Plan, pk: int, day: dt.date, chosen) -> tuple[str, str, dict]:
    target = get_object_or_404(
        Target.objects.select_related("section", "reporting_unit").prefetch_related(
            "units__members", "tasks", "quotes"
        ),
        pk=pk,
        plan=plan,
    )
    result = stored_results(plan, day, targets=[target], figures=True)[0]
    value_url = link_maker("reports:record-detail", "value")
    county_figures = (f for c in result.counties for f in c.figures)
    for figure in (*result.figures, *result.benchmark, *county_figures):
        figure.url = value_url(figure.value_id)
    context = {
        "plan": plan,
        "target": target,
        "result": result,
        "day": day,
        "chosen": chosen,
        "periods": dashboard.as_of_choices(plan, timezone.localdate()),
    }
    if target.scope == Target.Scope.EACH_COUNTY:
        context.update(_county_context(target, plan, result, day))
    else:
        context.update(_trajectory_context(target, result))
    return target.label, "dashboards/target_detail.html", context


def _county_context(target, plan, result, day) -> dict:
    """Each county on the latest year any county's figures cover, judged on that year alone
    (a year ended short is 未达成 for that year), as stored; once the plan is over, the
    verdict over the whole period stands beside it (every year must meet the requirement)."""
    year = result.detail["year"]
    value_url = link_maker("reports:record-detail", "value")
    rows = []
    for county in result.counties:
        figure = county.detail["year_figure"]
        figure = figure_from_json(figure) if figure else None
        if figure:
            figure.url = value_url(figure.value_id)
        rows.append((county, figure, progress_from(county.detail["year_progress"])))
    title = _("%(year)s年 %(target)s") % {"year": year, "target": target.label}
    statuses = [p.status for _, _, p in rows]
    return {
        "year": year,
        "county_rows": rows,
        "year_met": sum(r[2].status in (progress.MET, progress.LIKELY) for r in rows),
        "final": day >= plan.period_end,
        "figure": charts.county_bars_figure(
            names=[c.unit.name for c, _, _ in rows],
            values=[f.value if f else None for _, f, _ in rows],
            statuses=statuses,
            status_labels=[p.label for _, _, p in rows],
            line=target.value,
            unit=target.value_measure,
            title=title,
        ),
        "figure_label": chart_text.county_summary(
            title=title,
            statuses=statuses,
            line=target.value,
            unit=target.value_measure,
        ),
    }


def _trajectory_context(target, result) -> dict:
    """Quarter by quarter, as stored: what the figures covering that quarter show, against
    where the target should have been; a quarter no figure covers has no point."""
    points = result.detail["trajectory"]
    labels = [display_label(label) for label, _, _ in points]
    actual = [Decimal(a) if a is not None else None for _, a, _ in points]
    expected = [Decimal(e) if e is not None else None for _, _, e in points]
    unit = "%" if target.accumulation == "growth" else target.value_measure
    names = {"annual": _("实际（年初至今累计）"), "cumulative": _("实际（期内累计）")}
    return {
        "figure": charts.trajectory_figure(
            labels=labels,
            actual=actual,
            expected=expected,
            target=target.value if target.accumulation != "benchmark" else None,
            unit=unit,
            actual_name=names.get(target.accumulation, _("实际")),
        ),
        "figure_label": chart_text.trajectory_summary(
            title=target.label,
            labels=labels,
            actual=actual,
            expected=expected,
            target=target.value if target.accumulation != "benchmark" else None,
            unit=unit,
        ),
        "series_rows": list(zip(labels, actual, expected, strict=True)),
        "series_measure": unit,
    }


@require_safe
def unit_dashboard(request, pk):
    plan = _plan_for(request)
    day, chosen = _day(request, plan)
    scope = scope_for(request)
    return cached_page(
        request,
        "unit",
        _asked(day, chosen, pk=pk),
        lambda: _unit_dashboard(plan, pk, day, chosen, scope.may_read),
        scope=viewer_scope(scope.viewer),
    )


def _unit_dashboard(plan: Plan, pk: int, day: dt.date, chosen, may_read) -> tuple:
    unit = get_object_or_404(Unit.objects.countable(), pk=pk)
    tasks, periods, codes, labels = dashboard.unit_heatmap(plan, unit, day, may_read)
    names = [f"{t.number}. {t.title}" for t in tasks]
    columns = [p.display_label for p in periods]
    figure = (
        charts.heatmap_figure(rows=names, columns=columns, codes=codes, labels=labels)
        if tasks and periods
        else None
    )
    results = [
        r
        for r in stored_results(plan, day)
        if r.target.reporting_unit_id == unit.pk or any(c.unit.pk == unit.pk for c in r.counties)
    ]
    own = []
    for r in results:
        county = next((c for c in r.counties if c.unit.pk == unit.pk), None)
        own.append((r.target, county.progress if county else r.progress))
    record = dashboard.unit_record(plan, unit, day)
    return (
        unit.name,
        "dashboards/unit_dashboard.html",
        {
            "plan": plan,
            "unit": unit,
            "day": day,
            "chosen": chosen,
            "figure": figure,
            "figure_label": chart_text.heatmap_summary(
                title=_("重点任务各季度完成情况"),
                rows=names,
                columns=columns,
                labels=labels,
            ),
            "heat_rows": list(zip(tasks, labels, strict=True)),
            "periods": periods,
            "own": own,
            "record": record,
            "as_of_periods": dashboard.as_of_choices(plan, timezone.localdate()),
        },
    )


@require_safe
def scoreboard(request):
    plan = _plan_for(request)
    today = plan.judged_on(timezone.localdate())
    request.verdicts = state_for(plan, today)
    years = scoreboard_years(plan, today)
    if not years:
        raise Http404(_("还没有可以评比的年度。"))
    chosen = request.GET.get("year", "")
    year = int(chosen) if chosen.isdecimal() and int(chosen) in years else years[-1]
    order = request.GET.get("sort", "rank")
    order = order if order in SCOREBOARD_ORDERS else "rank"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            scoreboard_workbook(
                _scoreboard_rows(plan, year, order), year, as_of=today, demo=demo_data_present()
            ),
            content_type=XLSX,
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{year}年度县市区创新创业行动考核评比.xlsx"
        )
        return response
    return cached_page(
        request,
        "scoreboard",
        {"day": today.isoformat(), "year": year, "sort": order},
        lambda: (
            _("县市区考核评比"),
            "dashboards/scoreboard.html",
            {
                "plan": plan,
                "year": year,
                "years": years,
                "rows": _scoreboard_rows(plan, year, order),
                "order": order,
                "today": today,
            },
        ),
        charts=False,
    )


SCOREBOARD_ORDERS = ("rank", "on_time", "turnover", "name")


@require_safe
def plans(request):
    """各方案总览: every plan's target status counts, lagging tasks and reporting compliance
    on one page, each linking into its plan — for the plan office, leaders and admins."""
    viewer = scope_for(request).viewer
    if not viewer.reads_everything:
        raise PermissionDenied(_("只有审核员、领导和管理员可以查看各方案总览。"))
    today = timezone.localdate()
    summaries = []
    for plan in Plan.objects.defer("text").order_by("archived_at", "-issued_on", "code"):
        day = plan.judged_on(today)  # an archived plan: its final verdicts, as archived
        state_for(plan, day)
        summaries.append(dashboard.plan_summary(plan, day))
    return render(
        request,
        "dashboards/plans.html",
        {
            "active": [s for s in summaries if not s.plan.is_archived],
            "archived": [s for s in summaries if s.plan.is_archived],
            "today": today,
            "names_shown": NAMES_SHOWN,
        },
    )


@require_safe
def compliance(request):
    """报送情况: which units have reported for a period, from their stored reporting records
    (dashboards/verdicts.py) — for the plan office, leaders and admins."""
    viewer = scope_for(request).viewer
    if not viewer.reads_everything:
        raise PermissionDenied(_("只有审核员、领导和管理员可以查看全市报送情况。"))
    plan = _plan_for(request)
    today = plan.judged_on(timezone.localdate())
    request.verdicts = state_for(plan, today)
    periods = list(ReportingPeriod.objects.in_plan(plan))
    started = [p for p in periods if p.starts_on <= today]
    chosen = request.GET.get("period", "")
    if chosen.isdecimal():
        period = get_object_or_404(ReportingPeriod, pk=int(chosen), plan=plan)
    else:
        period = open_period(started, today) or (started[-1] if started else None)
    # Each unit's name leads where the viewer may go: a reviewer to the unit's reports in the
    # queue, leaders and admins to the unit's dashboard.
    links = "queue" if viewer.is_reviewer else "dashboard"
    return cached_page(
        request,
        "compliance",
        {"day": today.isoformat(), "period": period.pk if period else None},
        lambda: (_("报送情况"), "dashboards/compliance.html",
                 _compliance(plan, periods, period, today, links)),
        scope=links,
        charts=False,
    )  # fmt: skip


def _compliance(plan: Plan, periods, period, today: dt.date, links: str) -> dict:
    rows = stored_compliance(plan, [period], today)[period.pk] if period else []
    rows.sort(key=lambda r: (-r.missing, -r.late, r.unit.sort_order))
    return {
        "period": period,
        "periods": periods,
        "rows": rows,
        "totals": {
            "owed": sum(r.owed for r in rows),
            "on_time": sum(r.on_time for r in rows),
            "late": sum(r.late for r in rows),
            "missing": sum(r.missing for r in rows),
        },
        "overdue": period is not None and today > period.due_on,
        "links_to_queue": links == "queue",
        # The unit's dashboard as of the period's end once it has started (a dashboard judges
        # no day that has not begun).
        "as_of": period.pk if period is not None and period.starts_on <= today else None,
    }


def _scoreboard_rows(plan: Plan, year: int, order: str) -> list:
    rows = county_scoreboard(plan, year)
    keys = {
        "rank": lambda r: r.rank,
        "on_time": lambda r: -r.on_time_rate,
        "turnover": lambda r: -(r.turnover or 0),
        "name": lambda r: r.unit.sort_order,
    }
    rows.sort(key=keys[order])
    return rows
