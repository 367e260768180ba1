from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from accounts.jurisdiction import jurisdiction_of
from core.exports import Sheet, xlsx_response
from core.forms import add_service_error
from core.listing import list_context, wants_export

from .. import services
from ..filters import TrainingFilter
from ..forms import AttendanceForm, AttendeeDistrictForm, TrainingForm
from ..models import Attendance, TrainingAudience, TrainingEvent
from ..permissions import (
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
    if reach.is_district:
        trainings = trainings.annotate(
            mine=Count(
                "attendance", filter=Q(attendance__district_id=reach.district_id)
            )
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
    if not can_remove_attendance(request.user, attendance):
        raise PermissionDenied
    training = services.remove_attendance(attendance=attendance, user=request.user)
    messages.success(request, _("Attendee removed."))
    return redirect(training)
