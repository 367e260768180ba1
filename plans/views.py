from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from accounts.jurisdiction import jurisdiction_of
from core.exports import Sheet, xlsx_response
from core.forms import add_service_error
from core.listing import export_url, paginate, wants_export

from . import dashboard as board
from . import exports, indicators, services, tasks
from .filters import SalesPointFilter, TrainingFilter
from .forms import (
    AttendanceForm,
    AttendeeDistrictForm,
    PlanForm,
    SalesPointForm,
    TargetForm,
    TrainingForm,
)
from .models import (
    Attendance,
    Plan,
    SalesPoint,
    Target,
    TrainingAudience,
    TrainingEvent,
)
from .permissions import (
    can_manage_plans,
    can_manage_sales_points,
    can_manage_trainings,
    can_record_attendance,
    can_remove_attendance,
    can_view_dashboard,
    can_view_plans,
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_plan_for_user(user, pk: int) -> Plan:
    return get_object_or_404(Plan.objects.visible_to(user), pk=pk)


def get_target_for_user(user, pk: int) -> Target:
    return get_object_or_404(
        Target.objects.filter(plan__in=Plan.objects.visible_to(user)).select_related(
            "plan", "district"
        ),
        pk=pk,
    )


def get_training_for_user(user, pk: int) -> TrainingEvent:
    return get_object_or_404(TrainingEvent.objects.visible_to(user), pk=pk)


def get_attendance_for_user(user, pk: int) -> Attendance:
    return get_object_or_404(
        Attendance.objects.visible_to(user).select_related("event"), pk=pk
    )


def get_sales_point_for_user(user, pk: int) -> SalesPoint:
    return get_object_or_404(
        SalesPoint.objects.visible_to(user).select_related("commune", "district"),
        pk=pk,
    )


# Dashboard ------------------------------------------------------------------------------


def _dashboard_for(request) -> board.Dashboard:
    _require(can_view_dashboard(request.user))
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


# Plans and targets ----------------------------------------------------------------------


@require_GET
def plan_list(request):
    _require(can_view_plans(request.user))
    plans = (
        Plan.objects.visible_to(request.user)
        .select_related("province")
        .annotate(target_count=Count("targets"))
        .order_by("-year", "-issued_on", "-pk")
    )
    if wants_export(request):
        headers = [
            _("Year"),
            _("Document number"),
            _("Date issued"),
            _("Plan title"),
            _("Lead agency"),
            _("Signed by"),
            _("Status"),
            _("Targets"),
        ]
        rows = (
            (
                p.year,
                p.number,
                p.issued_on,
                p.title,
                p.lead_agency,
                p.signer,
                p.get_status_display(),
                p.target_count,
            )
            for p in plans
        )
        return xlsx_response(_("plans"), [Sheet(_("Plans"), headers, rows)])
    return render(
        request,
        "plans/plan_list.html",
        {
            "page_obj": paginate(request, plans),
            "export_url": export_url(request),
            "can_manage": can_manage_plans(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_create(request):
    _require(can_manage_plans(request.user))
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Plan saved. Now add its targets."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form})


@require_GET
def plan_detail(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    targets = plan.targets.select_related("district").order_by("pk")
    rows = [
        {"target": target, "indicator": indicators.get(target.indicator)}
        for target in targets
    ]
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "can_manage": can_manage_plans(request.user, plan),
            "target_form": TargetForm(plan=plan),
            "history": history_rows(plan),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    _require(can_manage_plans(request.user, plan))
    form = PlanForm(request.POST or None, instance=Plan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(plan=plan, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@require_POST
def plan_status(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    _require(can_manage_plans(request.user, plan))
    status = request.POST.get("status", "")
    try:
        services.set_plan_status(plan=plan, user=request.user, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Plan status changed."))
    return redirect(plan)


@require_POST
def plan_refresh(request, pk: int):
    """Queue the plan's progress job now instead of waiting for the night."""
    plan = get_plan_for_user(request.user, pk)
    _require(can_manage_plans(request.user, plan))
    tasks.enqueue_plan(plan.pk)
    messages.success(
        request, _("The figures are being recomputed; reload the page in a moment.")
    )
    return redirect(f"{reverse('plans:dashboard')}?year={plan.year}&plan={plan.pk}")


@require_http_methods(["GET", "POST"])
def target_create(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    _require(can_manage_plans(request.user, plan))
    form = TargetForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_target(plan=plan, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Target added."))
            return redirect(plan)
    return render(request, "plans/target_form.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int):
    target = get_target_for_user(request.user, pk)
    plan = target.plan
    _require(can_manage_plans(request.user, plan))
    form = TargetForm(
        request.POST or None, plan=plan, instance=Target.objects.get(pk=target.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_target(
                target=target, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Target saved."))
            return redirect(plan)
    return render(
        request,
        "plans/target_form.html",
        {"form": form, "plan": plan, "target": target},
    )


@require_POST
def target_delete(request, pk: int):
    target = get_target_for_user(request.user, pk)
    _require(can_manage_plans(request.user, target.plan))
    plan = services.delete_target(target=target, user=request.user)
    messages.success(request, _("Target removed."))
    return redirect(plan)


# Trainings ------------------------------------------------------------------------------


@require_GET
def training_list(request):
    _require(can_view_plans(request.user))
    filters = TrainingFilter(
        request.GET,
        queryset=TrainingEvent.objects.visible_to(request.user)
        .annotate(attendee_count=Count("attendance"))
        .order_by("-held_on", "-pk"),
        request=request,
    )
    trainings = filters.qs
    reach = jurisdiction_of(request.user)
    if reach.is_district:
        trainings = trainings.annotate(
            mine=Count(
                "attendance", filter=Q(attendance__district_id=reach.district_id)
            )
        )
    if wants_export(request):
        headers = [
            _("Date"),
            _("Training title"),
            _("Venue"),
            _("Audience"),
            _("Attendees"),
        ]
        rows = (
            (t.held_on, t.title, t.place, t.get_audience_display(), t.attendee_count)
            for t in trainings
        )
        return xlsx_response(_("trainings"), [Sheet(_("Trainings"), headers, rows)])
    return render(
        request,
        "plans/training_list.html",
        {
            "filter_form": filters.form,
            "page_obj": paginate(request, trainings),
            "export_url": export_url(request),
            "can_manage": can_manage_trainings(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def training_create(request):
    _require(can_manage_trainings(request.user))
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.create_training(
                user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Training saved. Now record who attended."))
            return redirect(training)
    return render(request, "plans/training_form.html", {"form": form})


def _attendance_forms(request, training, data=None):
    user = request.user
    district_form = None
    district = None
    if not jurisdiction_of(user).is_district:
        district_form = AttendeeDistrictForm(
            request.GET or None, province_id=training.province_id
        )
        if district_form.is_valid():
            district = district_form.cleaned_data["district"]
    candidates = services.attendee_candidates(training, user, district)
    form = None
    if candidates is not None:
        form = AttendanceForm(data, training=training, candidates=candidates)
    return district_form, form


@require_GET
def training_detail(request, pk: int):
    training = get_training_for_user(request.user, pk)
    return _render_training(request, training)


def _render_training(request, training, attendance_form=None, district_form=None):
    user = request.user
    attendance = training.attendance.select_related(
        "user", "producer", "district"
    ).order_by("district__code", "pk")
    reach = jurisdiction_of(user)
    if reach.is_district:
        attendance = attendance.filter(district_id=reach.district_id)
    can_record = can_record_attendance(user, training)
    if can_record and attendance_form is None:
        district_form, attendance_form = _attendance_forms(request, training)
    if wants_export(request):
        headers = [_("District"), _("Attendee"), _("Recorded by"), _("Recorded at")]
        rows = (
            (
                a.district.name,
                str(a.user or a.producer),
                str(a.recorded_by),
                a.recorded_at,
            )
            for a in attendance.select_related("recorded_by")
        )
        return xlsx_response(_("attendance"), [Sheet(_("Attendance"), headers, rows)])
    return render(
        request,
        "plans/training_detail.html",
        {
            "training": training,
            "attendance": attendance,
            "can_manage": can_manage_trainings(user, training),
            "can_record": can_record,
            "attendance_form": attendance_form,
            "district_form": district_form,
            "is_officers": training.audience == TrainingAudience.OFFICERS,
            "history": history_rows(training),
        },
    )


@require_http_methods(["GET", "POST"])
def training_edit(request, pk: int):
    training = get_training_for_user(request.user, pk)
    _require(can_manage_trainings(request.user, training))
    form = TrainingForm(
        request.POST or None, instance=TrainingEvent.objects.get(pk=training.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_training(
                training=training, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Training saved."))
            return redirect(training)
    return render(
        request, "plans/training_form.html", {"form": form, "training": training}
    )


@require_POST
def attendance_add(request, pk: int):
    training = get_training_for_user(request.user, pk)
    _require(can_record_attendance(request.user, training))
    district_form, form = _attendance_forms(request, training, data=request.POST)
    if form is None:
        messages.error(request, _("Choose a district first."))
        return redirect(training)
    if form.is_valid():
        chosen = list(form.cleaned_data["attendees"])
        is_officers = training.audience == TrainingAudience.OFFICERS
        try:
            created = services.add_attendance(
                training=training,
                user=request.user,
                officers=chosen if is_officers else (),
                producers=() if is_officers else chosen,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)s attendees recorded.") % {"count": len(created)},
            )
            query = request.GET.urlencode()
            return redirect(
                f"{training.get_absolute_url()}{'?' + query if query else ''}"
            )
    return _render_training(request, training, form, district_form)


@require_POST
def attendance_remove(request, pk: int):
    attendance = get_attendance_for_user(request.user, pk)
    _require(can_remove_attendance(request.user, attendance))
    training = services.remove_attendance(attendance=attendance, user=request.user)
    messages.success(request, _("Attendee removed."))
    return redirect(training)


# Sales points ---------------------------------------------------------------------------


@require_GET
def salespoint_list(request):
    _require(can_view_plans(request.user))
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
                p.district.name,
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
            "page_obj": paginate(request, points),
            "export_url": export_url(request),
            "filter_form": filters.form,
            "today": today,
            "can_manage": can_manage_sales_points(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def salespoint_create(request):
    _require(can_manage_sales_points(request.user))
    form = SalesPointForm(
        request.POST or None, province_id=jurisdiction_of(request.user).province_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            point = services.create_sales_point(
                user=request.user, data=form.cleaned_data
            )
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
    _require(can_manage_sales_points(request.user, point))
    form = SalesPointForm(
        request.POST or None,
        instance=SalesPoint.objects.get(pk=point.pk),
        province_id=point.district.parent_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_sales_point(
                point=point, user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sales point saved."))
            return redirect(point)
    return render(request, "plans/salespoint_form.html", {"form": form, "point": point})
