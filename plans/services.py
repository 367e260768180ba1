"""Every state change of plans, targets, trainings, sales points and progress snapshots,
and the expiry reminders. Views, commands and tasks call these."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_event, snapshot
from accounts.jurisdiction import district_officers, jurisdiction_of
from accounts.models import User
from evaluations import certificates as certificate_services
from evaluations.models import Certificate, CertificateStatus
from producers.models import Producer
from regions.models import AdministrativeUnit

from . import indicators, tasks
from .models import (
    Attendance,
    ExpiryReminder,
    Plan,
    PlanStatus,
    ProgressSnapshot,
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

logger = logging.getLogger(__name__)

PLAN_FIELDS = ["year", "number", "issued_on", "title", "lead_agency", "signer"]
TARGET_FIELDS = ["indicator", "target_value", "district", "note"]
TRAINING_FIELDS = ["title", "held_on", "place", "audience"]
SALES_POINT_FIELDS = ["name", "kind", "address", "commune", "opened_on", "closed_on"]
SALES_POINT_FIELDS += ["note"]

# Two-key PostgreSQL advisory locks: this namespace and the plan's id.
_PROGRESS_LOCK_NAMESPACE = 52021


# Progress snapshots --------------------------------------------------------------------


def snapshot_day(year: int, day: datetime.date) -> datetime.date:
    """The day a computation is stored under: the as-of day, or the year's last day
    once the year is over (recomputing a past year refreshes its final value)."""
    return min(day, datetime.date(year, 12, 31))


def _lock_plan_progress(plan_id: int) -> None:
    """Serialise progress runs of one plan until the transaction ends.

    Values are computed before they are written: without the lock an older run could
    commit stale numbers after a newer one. SQLite needs nothing here, as its
    transactions (BEGIN IMMEDIATE) already take the database's write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_PROGRESS_LOCK_NAMESPACE, plan_id % 2**31],
            )


@transaction.atomic
def compute_plan_progress(
    *, plan_id: int, day: datetime.date | None = None
) -> list[ProgressSnapshot]:
    """Compute every target of the plan as of `day` (default today) and upsert one
    snapshot per target and day. Idempotent: a rerun, or two runs at once, leave one
    row per target and day with the values of the latest data. A deleted plan or an
    indicator no longer registered is skipped."""
    _lock_plan_progress(plan_id)
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return []
    day = snapshot_day(plan.year, day or timezone.localdate())
    period = indicators.Period(plan.province_id, plan.year, day)
    targets = [t for t in plan.targets.order_by("pk") if indicators.get(t.indicator)]
    values = {
        key: indicators.compute(key, period) for key in {t.indicator for t in targets}
    }
    computed_at = timezone.now()
    rows = []
    for target in targets:
        value = values[target.indicator]
        if target.district_id:
            key = str(target.district_id)
            amount = value.for_district(target.district_id)
            by_district = (
                {key: value.by_district[key]} if key in value.by_district else {}
            )
        else:
            amount, by_district = value.value, value.by_district
        rows.append(
            ProgressSnapshot(
                target=target,
                day=day,
                value=amount,
                by_district=by_district,
                computed_at=computed_at,
            )
        )
    # INSERT … ON CONFLICT (target, day) DO UPDATE: the unique constraint makes "one row
    # per target and day" a fact of the database, whatever runs concurrently.
    ProgressSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["target", "day"],
        update_fields=["value", "by_district", "computed_at"],
    )
    return rows


def refresh_progress(*, province_id: int, years: list[int]) -> int:
    """Recompute today's snapshots of the province's open plans of those years, one
    transaction per plan. Returns how many plans were computed."""
    plan_ids = list(
        Plan.objects.open()
        .filter(province_id=province_id, year__in=years)
        .values_list("pk", flat=True)
    )
    for plan_id in plan_ids:
        compute_plan_progress(plan_id=plan_id)
    return len(plan_ids)


def open_plan_ids() -> list[int]:
    return list(Plan.objects.open().order_by("pk").values_list("pk", flat=True))


def enqueue_refresh(*, province_id: int, years) -> None:
    """After the current transaction commits, refresh the affected plans (by ids)."""
    years = sorted({int(year) for year in years})
    transaction.on_commit(lambda: tasks.refresh_progress.delay(province_id, years))


def enqueue_plan(plan_id: int) -> None:
    transaction.on_commit(lambda: tasks.compute_plan_progress.delay(plan_id))


def on_recognition_changed(sender, *, province_id: int, year: int, **kwargs) -> None:
    """Receiver of evaluations' `recognition_changed` (connected in PlansConfig.ready):
    a decision, a finalised round or a certificate change moves the year's numbers."""
    enqueue_refresh(province_id=province_id, years=[year])


def _years_from(year: int) -> list[int]:
    """A change dated in `year` also moves the later years' "open at the end of the
    year" numbers, up to next year's plan."""
    return list(range(year, max(year, timezone.localdate().year) + 2))


# Plans and targets ---------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def create_plan(*, user: User, data: dict) -> Plan:
    """A plan of the provincial officer's province. Provincial officers only."""
    _require(can_manage_plans(user))
    plan = Plan(
        province_id=jurisdiction_of(user).province_id,
        **{f: data[f] for f in PLAN_FIELDS},
    )
    plan.full_clean()
    plan.save()
    record_event(
        target=plan,
        actor=user,
        action="created",
        changes=changes_between({}, snapshot(plan, PLAN_FIELDS)),
    )
    return plan


@transaction.atomic
def update_plan(*, plan: Plan, user: User, data: dict) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(can_manage_plans(user, plan))
    before = snapshot(plan, PLAN_FIELDS)
    for name in PLAN_FIELDS:
        setattr(plan, name, data[name])
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


def _check_target(plan: Plan, data: dict, exclude_pk: int | None = None) -> None:
    indicator = indicators.get(data["indicator"])
    if indicator is None:
        raise ValidationError({"indicator": _("Choose an indicator from the list.")})
    if indicator.is_percent and data["target_value"] > 100:
        raise ValidationError(
            {"target_value": _("A percentage target is at most 100.")}
        )
    district = data.get("district")
    if district is not None and district.parent_id != plan.province_id:
        raise ValidationError({"district": _("Choose a district of the province.")})
    clash = Target.objects.filter(
        plan=plan, indicator=data["indicator"], district=district
    ).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            _("The plan already has a target for this indicator and district.")
        )


def _target_label(target: Target) -> str:
    indicator = indicators.get(target.indicator)
    label = str(indicator.label) if indicator else target.indicator
    if target.district_id:
        label = f"{label} · {target.district.name}"
    return label


@transaction.atomic
def add_target(*, plan: Plan, user: User, data: dict) -> Target:
    """A target for the whole province, or for one district when `district` is set."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(can_manage_plans(user, plan))
    _check_target(plan, data)
    target = Target(plan=plan, **{f: data[f] for f in TARGET_FIELDS})
    target.full_clean()
    target.save()
    record_event(
        target=plan,
        actor=user,
        action="updated",
        changes={"targets": ["", f"{_target_label(target)}: {target.target_value:f}"]},
    )
    enqueue_plan(plan.pk)
    return target


@transaction.atomic
def update_target(*, target: Target, user: User, data: dict) -> Target:
    plan = Plan.objects.select_for_update().get(pk=target.plan_id)
    _require(can_manage_plans(user, plan))
    target = Target.objects.select_for_update().get(pk=target.pk)
    _check_target(plan, data, exclude_pk=target.pk)
    before = f"{_target_label(target)}: {target.target_value:f}"
    for name in TARGET_FIELDS:
        setattr(target, name, data[name])
    target.full_clean()
    after = f"{_target_label(target)}: {target.target_value:f}"
    if before != after or target.note != data["note"]:
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
    label = f"{_target_label(target)}: {target.target_value:f}"
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
def create_training(*, user: User, data: dict) -> TrainingEvent:
    _require(can_manage_trainings(user))
    training = TrainingEvent(
        province_id=jurisdiction_of(user).province_id,
        created_by=user,
        **{f: data[f] for f in TRAINING_FIELDS},
    )
    training.full_clean()
    training.save()
    record_event(
        target=training,
        actor=user,
        action="created",
        changes=changes_between({}, snapshot(training, TRAINING_FIELDS)),
    )
    return training


@transaction.atomic
def update_training(
    *, training: TrainingEvent, user: User, data: dict
) -> TrainingEvent:
    """Change a training's details. Its audience is fixed once someone attended."""
    training = TrainingEvent.objects.select_for_update().get(pk=training.pk)
    _require(can_manage_trainings(user, training))
    if data["audience"] != training.audience and training.attendance.exists():
        raise ValidationError(
            {"audience": _("Remove the attendees before changing the audience.")}
        )
    before = snapshot(training, TRAINING_FIELDS)
    old_year = training.held_on.year
    for name in TRAINING_FIELDS:
        setattr(training, name, data[name])
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
            district_officers(district_id=district_id, province_id=training.province_id)
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
    if point.commune.parent.parent_id != jurisdiction_of(user).province_id:
        raise ValidationError({"commune": _("Choose a commune of the province.")})


@transaction.atomic
def create_sales_point(*, user: User, data: dict) -> SalesPoint:
    _require(can_manage_sales_points(user))
    point = SalesPoint(**{f: data[f] for f in SALES_POINT_FIELDS})
    _check_sales_point(user, point)
    point.full_clean(exclude=["district"])
    point.save()
    record_event(
        target=point,
        actor=user,
        action="created",
        changes=changes_between({}, snapshot(point, SALES_POINT_FIELDS)),
    )
    enqueue_refresh(
        province_id=point.district.parent_id, years=_years_from(point.opened_on.year)
    )
    return point


@transaction.atomic
def update_sales_point(*, point: SalesPoint, user: User, data: dict) -> SalesPoint:
    """Edit a sales point; closing one is setting its closing date."""
    point = SalesPoint.objects.select_for_update().get(pk=point.pk)
    _require(can_manage_sales_points(user, point))
    before = snapshot(point, SALES_POINT_FIELDS)
    years = [point.opened_on.year]
    for name in SALES_POINT_FIELDS:
        setattr(point, name, data[name])
    _check_sales_point(user, point)
    point.full_clean(exclude=["district"])
    changes = changes_between(before, snapshot(point, SALES_POINT_FIELDS))
    if changes:
        point.save()
        record_event(target=point, actor=user, action="updated", changes=changes)
        enqueue_refresh(
            province_id=point.district.parent_id,
            years=_years_from(min(years[0], point.opened_on.year)),
        )
    return point


# Certificates: the daily job ------------------------------------------------------------


def due_reminders(*, today: datetime.date, days: int) -> list[int]:
    """Active certificates expiring within `days` days that were not reminded yet at
    this threshold."""
    return list(
        Certificate.objects.filter(
            status=CertificateStatus.ACTIVE,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days),
        )
        .exclude(expiry_reminders__threshold_days=days)
        .order_by("valid_until", "pk")
        .values_list("pk", flat=True)
    )


def reminder_recipients(certificate: Certificate) -> list[str]:
    """The producer's email and the district OCOP officers of the product's district."""
    product = certificate.product
    emails = [product.producer.email] if product.producer.email else []
    emails += (
        district_officers(district_id=product.district_id)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(emails))


@transaction.atomic
def send_expiry_reminder(
    *, certificate_id: int, threshold_days: int
) -> ExpiryReminder | None:
    """Email the expiry notice for one certificate at one threshold, once.

    The reminder row is claimed first, in this transaction: a concurrent run waits on
    the unique (certificate, threshold) index and then finds it taken. If sending
    fails the exception rolls the claim back, so a retry sends again. Returns None when
    already sent or the certificate is no longer active."""
    certificate = (
        Certificate.objects.select_related("product__producer", "product__district")
        .filter(pk=certificate_id, status=CertificateStatus.ACTIVE)
        .first()
    )
    if certificate is None:
        return None
    recipients = reminder_recipients(certificate)
    reminder, created = ExpiryReminder.objects.get_or_create(
        certificate=certificate,
        threshold_days=threshold_days,
        defaults={"sent_at": timezone.now(), "recipients": ", ".join(recipients)},
    )
    if not created:
        return None
    if not recipients:
        logger.warning("certificate %s expires with nobody to remind", certificate)
        return reminder
    with translation.override(settings.LANGUAGE_CODE):
        context = {"certificate": certificate, "product": certificate.product}
        subject = _("OCOP certificate %(number)s expires on %(day)s") % {
            "number": certificate.number,
            "day": certificate.valid_until.strftime("%d/%m/%Y"),
        }
        body = render_to_string("plans/email/expiry_reminder.txt", context)
    send_mail(subject, body, None, recipients)
    return reminder


def expire_certificates(*, today: datetime.date) -> int:
    """Flip active certificates whose validity ended (the evaluations service)."""
    return certificate_services.expire_certificates(today=today)
