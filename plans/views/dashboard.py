from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.jurisdiction import acting_day_in, jurisdiction_of, last_year_acting
from core import clock
from core.exports import xlsx_response

from .. import dashboard as board
from .. import exports
from ..models import Plan
from ..permissions import can_manage_plans, can_view_dashboard


def _year(request, user) -> int:
    """The year asked for, or the latest year with a plan of the user's provinces."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is not None and 2000 <= year <= 2100:
        return year
    last_year = last_year_acting(user) or clock.today().year
    day = acting_day_in(user, last_year)
    latest = (
        Plan.objects.filter(
            province__in=jurisdiction_of(user, day).work_provinces,
            year__lte=last_year,
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or last_year


def _dashboard_for(request) -> board.Dashboard:
    """The dashboard of the year as the user's jurisdiction was then: the 2021 plan of
    the former Đồng Tháp stays readable by the officers of the merged province, and a
    former district officer still reads their district's 2021 numbers."""
    year = _year(request, request.user)
    scope = board.Scope.for_user(request.user, year)
    if scope is None or not can_view_dashboard(request.user, year):
        raise PermissionDenied
    try:
        plan_id = int(request.GET.get("plan", ""))
    except ValueError:
        plan_id = None
    return board.build(
        scope=scope, year=year, today=timezone.localdate(), plan_id=plan_id
    )


def _area_sorts(request, data: board.Dashboard, areas: board.AreaTable) -> dict:
    """The sortable headers of the area table: for each, the link that sorts by it (a
    second click reverses) and the current direction (for aria-sort)."""

    def header(key: str, label) -> dict:
        params = request.GET.copy()
        params["area_sort"] = f"-{key}" if areas.sort == key else key
        direction = "none"
        if areas.sort in (key, f"-{key}"):
            direction = "descending" if areas.sort.startswith("-") else "ascending"
        return {
            "label": label,
            "url": f"?{params.urlencode()}#district-heading",
            "direction": direction,
        }

    return {
        "name": header("name", _("Commune") if data.by_commune else _("District")),
        "former": header("former", _("Formerly")),
        "columns": [header(column.key, column.label) for column in data.columns],
    }


@require_GET
def dashboard(request):
    data = _dashboard_for(request)
    provinces = data.scope.province_ids | jurisdiction_of(request.user).work_provinces
    # The plans of the provinces the user acts for, and of those they succeeded.
    plan_years = set(
        Plan.objects.filter(province__in=provinces).values_list("year", flat=True)
    )
    years = sorted(plan_years | {data.today.year, data.year}, reverse=True)
    areas = board.arrange_areas(
        data,
        query=request.GET.get("area_q", "")[:100],
        group=request.GET.get("area_group", ""),
        sort=request.GET.get("area_sort", ""),
    )
    return render(
        request,
        "plans/dashboard.html",
        {
            "board": data,
            "years": years,
            "areas": areas,
            "area_sorts": _area_sorts(request, data, areas),
            "expiring": data.expiring[: board.LIST_LIMIT],
            "expiring_count": data.expiring.count(),
            "expired": data.expired[: board.LIST_LIMIT],
            "expired_count": data.expired.count(),
            "expiring_days": board.EXPIRING_DAYS,
            "list_limit": board.LIST_LIMIT,
            "kinds": exports.KIND_LABELS,
            "can_manage": can_manage_plans(request.user, data.plan),
        },
    )


@require_GET
def dashboard_export(request):
    """The dashboard's tables as one workbook, or one table with ?table=<key>."""
    data = _dashboard_for(request)
    sheets = exports.dashboard_sheets(data)
    table = request.GET.get("table")
    if table:
        if table not in sheets:
            raise Http404
        chosen = [sheets[table]]
    else:
        chosen = list(sheets.values())
    return xlsx_response(f"ocop-dashboard-{data.year}", chosen)
