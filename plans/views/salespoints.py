from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.audit import history_rows
from core.exports import Sheet, xlsx_response
from core.forms import add_service_error
from core.listing import list_context, wants_export

from .. import services
from ..filters import SalesPointFilter
from ..forms import SalesPointForm
from ..models import SalesPoint
from ..permissions import can_manage_sales_points, can_view_plans


def get_sales_point_for_user(user, pk: int) -> SalesPoint:
    return get_object_or_404(
        SalesPoint.objects.visible_to(user).select_related("commune", "district"),
        pk=pk,
    )


@require_GET
def salespoint_list(request):
    if not can_view_plans(request.user):
        raise PermissionDenied
    filters = SalesPointFilter(
        request.GET,
        queryset=SalesPoint.objects.visible_to(request.user)
        .select_related("commune", "district")
        .order_by("district__code", "name", "pk"),
        request=request,
    )
    points = filters.qs
    today = timezone.localdate()
    if wants_export(request):
        headers = [
            _("Name"),
            _("Kind"),
            _("Address"),
            _("Commune"),
            _("District"),
            _("Opened on"),
            _("Closed on"),
            _("Note"),
        ]
        rows = (
            (
                p.name,
                p.get_kind_display(),
                p.address,
                p.commune.name,
                (p.district or p.commune).name,
                p.opened_on,
                p.closed_on,
                p.note,
            )
            for p in points
        )
        return xlsx_response(
            _("sales-points"), [Sheet(_("Sales points"), headers, rows)]
        )
    return render(
        request,
        "plans/salespoint_list.html",
        {
            **list_context(request, filters),
            "today": today,
            "can_manage": can_manage_sales_points(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def salespoint_create(request):
    if not can_manage_sales_points(request.user):
        raise PermissionDenied
    form = SalesPointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.create_sales_point(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sales point saved."))
            return redirect(point)
    return render(request, "plans/salespoint_form.html", {"form": form})


@require_GET
def salespoint_detail(request, pk: int):
    point = get_sales_point_for_user(request.user, pk)
    return render(
        request,
        "plans/salespoint_detail.html",
        {
            "point": point,
            "is_open": point.is_open_on(timezone.localdate()),
            "can_manage": can_manage_sales_points(request.user, point),
            "history": history_rows(point),
        },
    )


@require_http_methods(["GET", "POST"])
def salespoint_edit(request, pk: int):
    point = get_sales_point_for_user(request.user, pk)
    if not can_manage_sales_points(request.user, point):
        raise PermissionDenied
    form = SalesPointForm(
        request.POST or None,
        instance=SalesPoint.objects.get(pk=point.pk),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_sales_point(
                point=point, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sales point saved."))
            return redirect(point)
    return render(request, "plans/salespoint_form.html", {"form": form, "point": point})
