from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from accounts.jurisdiction import jurisdiction_of
from core.exports import Sheet, xlsx_response
from core.forms import add_service_error
from core.listing import list_context, wants_export

from .. import services
from ..filters import TrainingFilter
from ..forms import AttendanceForm, AttendeeAreaForm, TrainingForm
from ..models import Attendance, TrainingAudience, TrainingEvent
from ..permissions import (
    attendance_areas,
    can_manage_trainings,
    can_record_attendance,
    can_remove_attendance,
    can_view_plans,
)


def get_training_for_user(user, pk: int) -> TrainingEvent:
    return get_object_or_404(TrainingEvent.objects.visible_to(user), pk=pk)


def get_attendance_for_user(user, pk: int) -> Attendance:
    return get_object_or_404(
        Attendance.objects.visible_to(user).select_related("event"), pk=pk
    )


def _own_area(reach) -> str | None:
    """The level of a local officer's own area ("district" or "commune"): the
    attendees they record are those of their own area. None for the province."""
    if reach.is_provincial:
        return None
    if reach.is_district:
        return "district"
    return "commune" if reach.is_commune else None


def _own_attendance(reach, prefix: str = "") -> Q:
    """Attendance rows of a local officer's own districts and communes."""
    condition = Q(pk__in=[])
    if reach.acting.districts:
        condition |= Q(**{f"{prefix}district__in": reach.acting.districts})
    if reach.acting.communes:
        condition |= Q(**{f"{prefix}commune__in": reach.acting.communes})
    return condition


@require_GET
def training_list(request):
    if not can_view_plans(request.user):
        raise PermissionDenied
    trainings = (
        TrainingEvent.objects.visible_to(request.user)
        .annotate(attendee_count=Count("attendance"))
        .order_by("-held_on", "-pk")
    )
    reach = jurisdiction_of(request.user)
    own_area = _own_area(reach)
    if own_area:
        trainings = trainings.annotate(
            mine=Count("attendance", filter=_own_attendance(reach, "attendance__"))
        )
    filters = TrainingFilter(request.GET, queryset=trainings, request=request)
    trainings = filters.qs
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
            **list_context(request, filters),
            "can_manage": can_manage_trainings(request.user),
            "own_area": own_area,
        },
    )


@require_http_methods(["GET", "POST"])
def training_create(request):
    if not can_manage_trainings(request.user):
        raise PermissionDenied
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.create_training(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Training saved. Now record who attended."))
            return redirect(training)
    return render(request, "plans/training_form.html", {"form": form})


def _attendance_forms(request, training, data=None):
    """The area picker (a provincial officer's, or that of an officer of several
    communes), the attendance form once the area is known, and the area."""
    user = request.user
    areas = attendance_areas(user, training)
    area_form, area = None, None
    own = (
        None
        if jurisdiction_of(user).acts_for_province(training.province_id)
        else list(areas[:2])
    )
    if own is not None and len(own) == 1:
        area = own[0]
    elif own is None or own:
        area_form = AttendeeAreaForm(
            request.GET or None, training=training, areas=areas
        )
        if area_form.is_valid():
            area = area_form.area
    form = None
    if area is not None:
        candidates = services.attendee_candidates(training, user, area)
        if candidates is not None:
            form = AttendanceForm(data, training=training, candidates=candidates)
    return area_form, form, area


@require_GET
def training_detail(request, pk: int):
    training = get_training_for_user(request.user, pk)
    return _render_training(request, training)


def _render_training(request, training, attendance_form=None, area_form=None):
    user = request.user
    attendance = training.attendance.select_related(
        "user", "producer", "district", "commune"
    ).order_by("district__code", "commune__name", "pk")
    reach = jurisdiction_of(user)
    own_area = _own_area(reach)
    if own_area and not reach.acts_for_province(training.province_id):
        attendance = attendance.filter(_own_attendance(reach))
    can_record = can_record_attendance(user, training)
    if can_record and attendance_form is None:
        area_form, attendance_form, _area = _attendance_forms(request, training)
    if wants_export(request):
        headers = [
            _("Commune") if training.by_commune else _("District"),
            _("Attendee"),
            _("Recorded by"),
            _("Recorded at"),
        ]
        rows = (
            (
                a.area.name,
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
            "area_form": area_form,
            "area_query": _area_query(area_form),
            "own_area": own_area,
            "is_officers": training.audience == TrainingAudience.OFFICERS,
            "history": history_rows(training),
        },
    )


def _area_query(area_form) -> str:
    """The picked area as a query string ("?commune=12"), kept when recording."""
    if area_form is None or not area_form.is_bound or not area_form.is_valid():
        return ""
    if area_form.area is None:
        return ""
    return "?" + urlencode({area_form.area_field: area_form.area.pk})


@require_http_methods(["GET", "POST"])
def training_edit(request, pk: int):
    training = get_training_for_user(request.user, pk)
    if not can_manage_trainings(request.user, training):
        raise PermissionDenied
    form = TrainingForm(
        request.POST or None, instance=TrainingEvent.objects.get(pk=training.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_training(
                training=training, user=request.user, **form.cleaned_data
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
    if not can_record_attendance(request.user, training):
        raise PermissionDenied
    area_form, form, area = _attendance_forms(request, training, data=request.POST)
    if form is None:
        messages.error(
            request,
            _("Choose a commune first.")
            if training.by_commune
            else _("Choose a district first."),
        )
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
                area=area,
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
    return _render_training(request, training, form, area_form)


@require_POST
def attendance_remove(request, pk: int):
    attendance = get_attendance_for_user(request.user, pk)
    if not can_remove_attendance(request.user, attendance):
        raise PermissionDenied
    training = services.remove_attendance(attendance=attendance, user=request.user)
    messages.success(request, _("Attendee removed."))
    return redirect(training)
