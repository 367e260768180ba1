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
from regions.models import AdministrativeUnit, UnitLevel, UnitSuccession

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
    attendance_areas,
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
TARGET_FIELDS = ["indicator", "target_value", "district", "commune", "note"]
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


def _check_target_area(
    *,
    plan: Plan,
    district: AdministrativeUnit | None,
    commune: AdministrativeUnit | None,
) -> None:
    """A target is split by district while the province has districts (until
    30/6/2025), by commune for a plan of a year it had none; the unit must be the
    province's and exist in the plan's year."""
    if district is not None and commune is not None:
        raise ValidationError(
            _("A target is for one district or one commune, not for both.")
        )
    if district is not None:
        if plan.by_commune:
            raise ValidationError(
                {
                    "district": _(
                        "The province has no districts in %(year)s: split the "
                        "target by commune."
                    )
                    % {"year": plan.year}
                }
            )
        if not plan.target_areas().filter(pk=district.pk).exists():
            raise ValidationError({"district": _("Choose a district of the province.")})
    if commune is not None:
        if not plan.by_commune:
            raise ValidationError(
                {
                    "commune": _(
                        "The province still has districts in %(year)s: split the "
                        "target by district, not by commune."
                    )
                    % {"year": plan.year}
                }
            )
        if not plan.target_areas().filter(pk=commune.pk).exists():
            raise ValidationError(
                {
                    "commune": _(
                        "Choose a commune of the province that exists in %(year)s."
                    )
                    % {"year": plan.year}
                }
            )


def _check_target(
    *,
    plan: Plan,
    indicator: str,
    target_value: Decimal,
    district: AdministrativeUnit | None,
    commune: AdministrativeUnit | None = None,
    exclude_pk: int | None = None,
) -> None:
    registered = indicators.get(indicator)
    if registered is None:
        raise ValidationError({"indicator": _("Choose an indicator from the list.")})
    if registered.is_percent and target_value > 100:
        raise ValidationError(
            {"target_value": _("A percentage target is at most 100.")}
        )
    _check_target_area(plan=plan, district=district, commune=commune)
    clash = Target.objects.filter(
        plan=plan, indicator=indicator, district=district, commune=commune
    ).exclude(pk=exclude_pk)
    if clash.exists():
        if commune is not None:
            raise ValidationError(
                _("The plan already has a target for this indicator and commune.")
            )
        raise ValidationError(
            _("The plan already has a target for this indicator and district.")
        )


def _target_text(target: Target) -> str:
    """The target as the audit trail shows it: "indicator · district (or commune):
    value (note)"."""
    indicator = indicators.get(target.indicator)
    label = indicator.label_for(target.plan.year) if indicator else target.indicator
    area = target.area
    if area is not None:
        label = f"{label} · {area.name}"
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
    commune: AdministrativeUnit | None = None,
    note: str = "",
) -> Target:
    """A target for the whole province, or for one district when `district` is set
    (a plan of a year the province has districts), for one commune when `commune` is
    (a plan of the two-tier government)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(can_manage_plans(user, plan))
    _check_target(
        plan=plan,
        indicator=indicator,
        target_value=target_value,
        district=district,
        commune=commune,
    )
    target = Target(
        plan=plan,
        indicator=indicator,
        target_value=target_value,
        district=district,
        commune=commune,
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
    note: str,
    district: AdministrativeUnit | None = None,
    commune: AdministrativeUnit | None = None,
) -> Target:
    plan = Plan.objects.select_for_update().get(pk=target.plan_id)
    _require(can_manage_plans(user, plan))
    target = Target.objects.select_for_update().get(pk=target.pk)
    _check_target(
        plan=plan,
        indicator=indicator,
        target_value=target_value,
        district=district,
        commune=commune,
        exclude_pk=target.pk,
    )
    before = _target_text(target)
    target.indicator = indicator
    target.target_value = target_value
    target.district = district
    target.commune = commune
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


def _main_predecessors(unit_id: int) -> set[int]:
    """The unit and the former units whose records it took over (their main
    successor), however many reforms back: a producer registered in one of them is
    counted for the unit today (AdministrativeUnit.current_on)."""
    found, frontier = {unit_id}, {unit_id}
    while frontier:
        frontier = (
            set(
                UnitSuccession.objects.filter(
                    successor__in=frontier, main=True
                ).values_list("predecessor", flat=True)
            )
            - found
        )
        found |= frontier
    return found


def attendee_candidates(
    training: TrainingEvent, user: User, area: AdministrativeUnit | None = None
):
    """Who the user may add to the training: the local officers (officers' trainings)
    or the producers (producers' trainings) of an area: the user's own district or
    commune, or the area a provincial officer (or an officer of several communes)
    chose; the districts of the province for a training held until 30/6/2025, its
    communes since. Those already attending are left out; None while no area is
    chosen."""
    areas = attendance_areas(user, training)
    if area is None:
        if jurisdiction_of(user).acts_for_province(training.province_id):
            return None
        own = list(areas[:2])
        if len(own) != 1:
            return None
        area = own[0]
    elif not areas.filter(pk=area.pk).exists():
        return None
    by_commune = area.level == UnitLevel.COMMUNE
    day = training.held_on
    if training.audience == TrainingAudience.OFFICERS:
        present = training.attendance.filter(user__isnull=False).values("user")
        officers = (
            local_officers(commune_id=area.pk, on=day)
            if by_commune
            else local_officers(district_id=area.pk, on=day)
        )
        return (
            officers.filter(
                pk__in=local_officers(province_id=training.province_id, on=day)
            )
            .exclude(pk__in=present)
            .order_by("last_name", "first_name", "pk")
        )
    present = training.attendance.filter(producer__isnull=False).values("producer")
    producers = Producer.objects.active()
    if by_commune:
        # Those of the commune, and those registered in the former communes it took
        # over.
        producers = producers.filter(commune__in=_main_predecessors(area.pk))
    else:
        producers = producers.filter(
            district_id=area.pk, district__parent_id=training.province_id
        )
    return producers.exclude(pk__in=present).order_by("name", "pk")


def _officer_areas(officer: User, training: TrainingEvent) -> list[AdministrativeUnit]:
    """The districts or communes an officer acted for on the training's day."""
    reach = jurisdiction_of(officer, training.held_on)
    level = UnitLevel.COMMUNE if training.by_commune else UnitLevel.DISTRICT
    return sorted(
        (unit for unit in reach.own_units if unit.level == level),
        key=lambda unit: unit.code,
    )


def _producer_areas(
    producer: Producer, training: TrainingEvent
) -> list[AdministrativeUnit]:
    """The district a producer was registered in (a training held until 30/6/2025),
    or the commune of its records on the training's day (since)."""
    if not training.by_commune:
        return [producer.district] if producer.district_id else []
    return [producer.commune.current_on(training.held_on)]


def _attendee_area(
    areas: list[AdministrativeUnit],
    user: User,
    preferred: AdministrativeUnit | None,
) -> AdministrativeUnit | None:
    """The area an attendee is counted for: the one the recorder chose when it is the
    attendee's, else the first of the attendee's that the recorder records for."""
    if preferred is not None and any(a.pk == preferred.pk for a in areas):
        areas = [preferred]
    return next((a for a in areas if can_record_attendee(user, a)), None)


@transaction.atomic
def add_attendance(
    *,
    training: TrainingEvent,
    user: User,
    officers=(),
    producers=(),
    area: AdministrativeUnit | None = None,
) -> list[Attendance]:
    """Record who attended. Local officers record their own district's (until
    30/6/2025) or commune's (since) officers and producers; provincial officers any
    of the province. Officers attend officers' trainings, producers producers'
    trainings. Each attendee is counted for their district, or commune since the
    reform (`area`: the one chosen, for an officer of several). Someone already
    recorded is skipped."""
    training = TrainingEvent.objects.select_for_update().get(pk=training.pk)
    _require(can_record_attendance(user, training))
    officers, producers = list(officers), list(producers)
    if training.audience == TrainingAudience.OFFICERS and producers:
        raise ValidationError(_("This training is for OCOP officers."))
    if training.audience == TrainingAudience.PRODUCERS and officers:
        raise ValidationError(_("This training is for producers."))
    if not officers and not producers:
        raise ValidationError(_("Choose at least one attendee."))
    # An officer attends for the district or commune they acted for on the day; a
    # producer for its own.
    candidates = [(officer, _officer_areas(officer, training)) for officer in officers]
    candidates += [
        (producer, _producer_areas(producer, training)) for producer in producers
    ]
    attendees = []
    for attendee, areas in candidates:
        chosen = _attendee_area(areas, user, area)
        if chosen is None:
            raise ValidationError(
                _("%(name)s is not in your jurisdiction.") % {"name": attendee}
            )
        attendees.append((attendee, chosen))
    if any(chosen.parent_id != training.province_id for _a, chosen in attendees):
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
    for attendee, chosen in attendees:
        is_user = isinstance(attendee, User)
        if attendee.pk in (present_users if is_user else present_producers):
            continue
        by_commune = chosen.level == UnitLevel.COMMUNE
        created.append(
            Attendance.objects.create(
                event=training,
                user=attendee if is_user else None,
                producer=None if is_user else attendee,
                district=None if by_commune else chosen,
                commune=chosen if by_commune else None,
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
