from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.exports import xlsx_response

from .. import dashboard as board
from .. import exports
from ..models import Plan
from ..permissions import can_manage_plans, can_view_dashboard


def _dashboard_for(request) -> board.Dashboard:
    if not can_view_dashboard(request.user):
        raise PermissionDenied
    scope = board.Scope.for_user(request.user)
    if scope is None:
        raise PermissionDenied
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        latest = (
            Plan.objects.filter(province=scope.province, year__lte=today.year)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        year = latest or today.year
    try:
        plan_id = int(request.GET.get("plan", ""))
    except ValueError:
        plan_id = None
    return board.build(scope=scope, year=year, today=today, plan_id=plan_id)


@require_GET
def dashboard(request):
    data = _dashboard_for(request)
    plan_years = set(
        Plan.objects.filter(province=data.scope.province).values_list("year", flat=True)
    )
    years = sorted(plan_years | {data.today.year, data.year}, reverse=True)
    return render(
        request,
        "plans/dashboard.html",
        {
            "board": data,
            "years": years,
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
