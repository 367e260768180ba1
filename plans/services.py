"""Every state change of plans, targets, trainings and sales points. Views and
commands call these; each change that moves the numbers enqueues a progress job on
commit (plans.tasks)."""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.jurisdiction import jurisdiction_of, local_officers
from accounts.models import User
from producers.models import Producer
from regions.models import AdministrativeUnit

from . import indicators
from .models import (
    Attendance,
    Plan,
    PlanStatus,
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
    can_record_attendee,
    can_remove_attendance,
)
from .tasks import enqueue_plan, enqueue_refresh

logger = logging.getLogger(__name__)

PLAN_FIELDS = ["year", "number", "issued_on", "title", "lead_agency", "signer"]
TARGET_FIELDS = ["indicator", "target_value", "district", "note"]
TRAINING_FIELDS = ["title", "held_on", "place", "audience"]
SALES_POINT_FIELDS = [
    "name",
    "kind",
    "address",
    "commune",
    "opened_on",
    "closed_on",
    "note",
]


def _years_from(year: int) -> list[int]:
    """A change dated in `year` also moves the later years' "open at the end of the
    year" numbers, up to next year's plan."""
    return list(range(year, max(year, timezone.localdate().year) + 2))


# Plans and targets ---------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def create_plan(
    *,
    user: User,
    year: int,
    number: str,
    issued_on: datetime.date,
    title: str,
    lead_agency: str,
    signer: str = "",
) -> Plan:
    """A plan of the provincial officer's province. Provincial officers only."""
    _require(can_manage_plans(user))
    plan = Plan(
        province_id=jurisdiction_of(user).province_id,
        year=year,
        number=number,
        issued_on=issued_on,
        title=title,
        lead_agency=lead_agency,
        signer=signer,
    )
    plan.full_clean()
    plan.save()
    record_created(target=plan, actor=user, fields=PLAN_FIELDS)
    return plan


@transaction.atomic
def update_plan(
    *,
    plan: Plan,
    user: User,
    year: int,
    number: str,
    issued_on: datetime.date,
    title: str,
    lead_agency: str,
    signer: str,
) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(can_manage_plans(user, plan))
    before = snapshot(plan, PLAN_FIELDS)
    plan.year = year
    plan.number = number
    plan.issued_on = issued_on
    plan.title = title
    plan.lead_agency = lead_agency
    plan.signer = signer
    plan.full_clean()
    changes = changes_between(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        plan.save()
        record_event(target=plan, actor=user, action="updated", changes=changes)
        enqueue_plan(plan.pk)
    return plan


@transaction.atomic
def set_plan_status(*, plan: Plan, user: User, status: str) -> Plan:
    """Close a plan (nightly runs skip it) or reopen it."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(can_manage_plans(user, plan))
    if status not in PlanStatus.values:
        raise ValidationError(_("Unknown status."))
    if plan.status != status:
        before = plan.get_status_display()
        plan.move_to(status)
        plan.save(update_fields=["status"])
        record_event(
            target=plan,
            actor=user,
            action="status",
            changes={"status": [str(before), str(plan.get_status_display())]},
        )
        if status == PlanStatus.OPEN:
            enqueue_plan(plan.pk)
    return plan


def _check_target(
    *,
    plan: Plan,
    indicator: str,
    target_value: Decimal,
    district: AdministrativeUnit | None,
    exclude_pk: int | None = None,
) -> None:
    registered = indicators.get(indicator)
    if registered is None:
        raise ValidationError({"indicator": _("Choose an indicator from the list.")})
    if registered.is_percent and target_value > 100:
        raise ValidationError(
            {"target_value": _("A percentage target is at most 100.")}
        )
    if district is not None and district.parent_id != plan.province_id:
        raise ValidationError({"district": _("Choose a district of the province.")})
    clash = Target.objects.filter(
        plan=plan, indicator=indicator, district=district
    ).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            _("The plan already has a target for this indicator and district.")
        )


def _target_text(target: Target) -> str:
    """The target as the audit trail shows it: "indicator · district: value (note)"."""
    indicator = indicators.get(target.indicator)
    label = str(indicator.label) if indicator else target.indicator
    if target.district_id:
        label = f"{label} · {target.district.name}"
    text = f"{label}: {target.target_value:f}"
    return f"{text} ({target.note})" if target.note else text


@transaction.atomic
def add_target(
    *,
    plan: Plan,
    user: User,
    indicator: str,
    target_value: Decimal,
    district: AdministrativeUnit | None = None,
    note: str = "",
) -> Target:
    """A target for the whole province, or for one district when `district` is set."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(can_manage_plans(user, plan))
    _check_target(
        plan=plan, indicator=indicator, target_value=target_value, district=district
    )
    target = Target(
        plan=plan,
        indicator=indicator,
        target_value=target_value,
        district=district,
        note=note,
    )
    target.full_clean()
    target.save()
    record_event(
        target=plan,
        actor=user,
        action="updated",
        changes={"targets": ["", _target_text(target)]},
    )
    enqueue_plan(plan.pk)
    return target


@transaction.atomic
def update_target(
    *,
    target: Target,
    user: User,
    indicator: str,
    target_value: Decimal,
    district: AdministrativeUnit | None,
    note: str,
) -> Target:
    plan = Plan.objects.select_for_update().get(pk=target.plan_id)
    _require(can_manage_plans(user, plan))
    target = Target.objects.select_for_update().get(pk=target.pk)
    _check_target(
        plan=plan,
        indicator=indicator,
        target_value=target_value,
        district=district,
        exclude_pk=target.pk,
    )
    before = _target_text(target)
    target.indicator = indicator
    target.target_value = target_value
    target.district = district
    target.note = note
    target.full_clean()
    after = _target_text(target)
    if before != after:
        target.save()
        record_event(
            target=plan,
            actor=user,
            action="updated",
            changes={"targets": [before, after]},
        )
        enqueue_plan(plan.pk)
    return target


@transaction.atomic
def delete_target(*, target: Target, user: User) -> Plan:
    """Remove a target and its snapshots (a target set by mistake)."""
    plan = Plan.objects.select_for_update().get(pk=target.plan_id)
    _require(can_manage_plans(user, plan))
    label = _target_text(target)
    target.delete()
    record_event(
        target=plan,
        actor=user,
        action="updated",
        changes={"targets": [label, ""]},
    )
    return plan


# Trainings and attendance ---------------------------------------------------------------


@transaction.atomic
def create_training(
    *,
    user: User,
    title: str,
    held_on: datetime.date,
    place: str,
    audience: str,
) -> TrainingEvent:
    _require(can_manage_trainings(user))
    training = TrainingEvent(
        province_id=jurisdiction_of(user).province_id,
        created_by=user,
        title=title,
        held_on=held_on,
        place=place,
        audience=audience,
    )
    training.full_clean()
    training.save()
    record_created(target=training, actor=user, fields=TRAINING_FIELDS)
    return training


@transaction.atomic
def update_training(
    *,
    training: TrainingEvent,
    user: User,
    title: str,
    held_on: datetime.date,
    place: str,
    audience: str,
) -> TrainingEvent:
    """Change a training's details. Its audience is fixed once someone attended."""
    training = TrainingEvent.objects.select_for_update().get(pk=training.pk)
    _require(can_manage_trainings(user, training))
    if audience != training.audience and training.attendance.exists():
        raise ValidationError(
            {"audience": _("Remove the attendees before changing the audience.")}
        )
    before = snapshot(training, TRAINING_FIELDS)
    old_year = training.held_on.year
    training.title = title
    training.held_on = held_on
    training.place = place
    training.audience = audience
    training.full_clean()
    changes = changes_between(before, snapshot(training, TRAINING_FIELDS))
    if changes:
        training.save()
        record_event(target=training, actor=user, action="updated", changes=changes)
        enqueue_refresh(
            province_id=training.province_id,
            years={old_year, training.held_on.year},
        )
    return training


def attendee_candidates(training: TrainingEvent, user: User, district=None):
    """Who the user may add to the training: district officers (officers' trainings)
    or producers (producers' trainings) of the user's district, or of the chosen
    district for a provincial officer; those already attending are left out."""
    reach = jurisdiction_of(user)
    if reach.is_district:
        district_id = reach.district_id
    elif district is not None:
        district_id = district.pk
    else:
        return None
    if training.audience == TrainingAudience.OFFICERS:
        present = training.attendance.filter(user__isnull=False).values("user")
        return (
            local_officers(district_id=district_id)
            .filter(pk__in=local_officers(province_id=training.province_id))
            .exclude(pk__in=present)
            .order_by("last_name", "first_name", "pk")
        )
    present = training.attendance.filter(producer__isnull=False).values("producer")
    return (
        Producer.objects.active()
        .filter(district_id=district_id, district__parent_id=training.province_id)
        .exclude(pk__in=present)
        .order_by("name", "pk")
    )


@transaction.atomic
def add_attendance(
    *,
    training: TrainingEvent,
    user: User,
    officers=(),
    producers=(),
) -> list[Attendance]:
    """Record who attended. District officers record their own district's officers and
    producers; provincial officers any of the province. Officers attend officers'
    trainings, producers producers' trainings. Someone already recorded is skipped."""
    training = TrainingEvent.objects.select_for_update().get(pk=training.pk)
    _require(can_record_attendance(user, training))
    officers, producers = list(officers), list(producers)
    if training.audience == TrainingAudience.OFFICERS and producers:
        raise ValidationError(_("This training is for OCOP officers."))
    if training.audience == TrainingAudience.PRODUCERS and officers:
        raise ValidationError(_("This training is for producers."))
    if not officers and not producers:
        raise ValidationError(_("Choose at least one attendee."))
    # An officer attends for the district they act for; a producer for its own.
    attendees = [
        (officer, jurisdiction_of(officer).district_id) for officer in officers
    ]
    attendees += [(producer, producer.district_id) for producer in producers]
    for attendee, district_id in attendees:
        if not can_record_attendee(user, district_id):
            raise ValidationError(
                _("%(name)s is not in your jurisdiction.") % {"name": attendee}
            )
    districts = {district_id for _attendee, district_id in attendees}
    outside = AdministrativeUnit.objects.filter(pk__in=districts).exclude(
        parent_id=training.province_id
    )
    if outside.exists():
        raise ValidationError(_("Attendees must be from the training's province."))
    present_users = set(
        training.attendance.filter(user__isnull=False).values_list("user", flat=True)
    )
    present_producers = set(
        training.attendance.filter(producer__isnull=False).values_list(
            "producer", flat=True
        )
    )
    created = []
    for attendee, district_id in attendees:
        is_user = isinstance(attendee, User)
        if attendee.pk in (present_users if is_user else present_producers):
            continue
        created.append(
            Attendance.objects.create(
                event=training,
                user=attendee if is_user else None,
                producer=None if is_user else attendee,
                district_id=district_id,
                recorded_by=user,
            )
        )
    if created:
        record_event(
            target=training,
            actor=user,
            action="updated",
            changes={
                "attendance": [
                    "",
                    "; ".join(str(a.user or a.producer) for a in created),
                ]
            },
        )
        enqueue_refresh(province_id=training.province_id, years=[training.held_on.year])
    return created


@transaction.atomic
def remove_attendance(*, attendance: Attendance, user: User) -> TrainingEvent:
    training = TrainingEvent.objects.select_for_update().get(pk=attendance.event_id)
    attendance = Attendance.objects.select_related("user", "producer").get(
        pk=attendance.pk
    )
    _require(can_remove_attendance(user, attendance))
    name = str(attendance.user or attendance.producer)
    attendance.delete()
    record_event(
        target=training,
        actor=user,
        action="updated",
        changes={"attendance": [name, ""]},
    )
    enqueue_refresh(province_id=training.province_id, years=[training.held_on.year])
    return training


# Sales points ---------------------------------------------------------------------------


def _check_sales_point(user: User, point: SalesPoint) -> None:
    if not jurisdiction_of(user).acts_for_province(point.commune.province.pk):
        raise ValidationError({"commune": _("Choose a commune of the province.")})


@transaction.atomic
def create_sales_point(
    *,
    user: User,
    name: str,
    kind: str,
    commune: AdministrativeUnit,
    opened_on: datetime.date,
    address: str = "",
    closed_on: datetime.date | None = None,
    note: str = "",
) -> SalesPoint:
    _require(can_manage_sales_points(user))
    point = SalesPoint(
        name=name,
        kind=kind,
        address=address,
        commune=commune,
        opened_on=opened_on,
        closed_on=closed_on,
        note=note,
    )
    _check_sales_point(user, point)
    point.full_clean(exclude=["district"])
    point.save()
    record_created(target=point, actor=user, fields=SALES_POINT_FIELDS)
    enqueue_refresh(
        province_id=point.commune.province.pk, years=_years_from(point.opened_on.year)
    )
    return point


@transaction.atomic
def update_sales_point(
    *,
    point: SalesPoint,
    user: User,
    name: str,
    kind: str,
    address: str,
    commune: AdministrativeUnit,
    opened_on: datetime.date,
    closed_on: datetime.date | None,
    note: str,
) -> SalesPoint:
    """Edit a sales point; closing one is setting its closing date."""
    point = SalesPoint.objects.select_for_update().get(pk=point.pk)
    _require(can_manage_sales_points(user, point))
    before = snapshot(point, SALES_POINT_FIELDS)
    years = [point.opened_on.year]
    point.name = name
    point.kind = kind
    point.address = address
    point.commune = commune
    point.opened_on = opened_on
    point.closed_on = closed_on
    point.note = note
    _check_sales_point(user, point)
    point.full_clean(exclude=["district"])
    changes = changes_between(before, snapshot(point, SALES_POINT_FIELDS))
    if changes:
        point.save()
        record_event(target=point, actor=user, action="updated", changes=changes)
        enqueue_refresh(
            province_id=point.commune.province.pk,
            years=_years_from(min(years[0], point.opened_on.year)),
        )
    return point
