import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from core.states import StatusTransitions
from producers.models import Producer
from regions.models import AdministrativeUnit, UnitLevel
from regions.services import REFORM_DAY


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PlanQuerySet":
        """Plans of the user's province: provincial officers and the district officers
        of its districts read them (the plan is the province's document)."""
        return self.filter(jurisdiction_of(user).province_q("province"))

    def open(self) -> "PlanQuerySet":
        return self.filter(status=PlanStatus.OPEN)


class Plan(StatusTransitions, models.Model):
    """A yearly OCOP plan of a province, e.g. 122/KH-UBND of 14/04/2021."""

    # A closed plan is left out of the nightly progress runs; it can be reopened.
    TRANSITIONS = {
        PlanStatus.OPEN: {PlanStatus.CLOSED},
        PlanStatus.CLOSED: {PlanStatus.OPEN},
    }

    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.CharField(_("document number"), max_length=60)
    issued_on = models.DateField(_("date issued"))
    title = models.CharField(_("plan title"), max_length=500)
    lead_agency = models.CharField(_("lead agency"), max_length=200)
    signer = models.CharField(_("signed by"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "number"], name="plans_plan_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="plans_plan_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} ({self.year})"

    def get_absolute_url(self):
        return reverse("plans:plan-detail", args=[self.pk])

    def _units_of_the_year(self):
        """The province's own units that existed at some time in the plan's year."""
        return AdministrativeUnit.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=datetime.date(self.year, 1, 1)),
            parent_id=self.province_id,
            valid_from__lte=datetime.date(self.year, 12, 31),
        )

    @cached_property
    def by_commune(self) -> bool:
        """Whether targets are split by commune: the province had no district in the
        plan's year (the two-tier government, from 1/7/2025). Until then, by
        district."""
        return not self._units_of_the_year().filter(level=UnitLevel.DISTRICT).exists()

    def target_areas(self):
        """The units a target of the plan may be set for: the province's districts of
        the plan's year, or its communes (by name) when it had no district."""
        if self.by_commune:
            return (
                self._units_of_the_year()
                .filter(level=UnitLevel.COMMUNE)
                .order_by("name", "code")
            )
        return (
            self._units_of_the_year().filter(level=UnitLevel.DISTRICT).order_by("code")
        )


class Target(models.Model):
    """A target of a plan: an indicator (see plans/indicators.py) and a value, for the
    whole province, for one district (until 30/6/2025) or for one commune (a plan of
    the two-tier government, which has no districts)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    # A key of the indicator registry; no database choices, so that adding an indicator
    # needs no migration.
    indicator = models.CharField(_("indicator"), max_length=40)
    target_value = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "district"],
                name="plans_target_unique_district",
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator", "commune"],
                condition=Q(commune__isnull=False),
                name="plans_target_unique_commune",
            ),
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                condition=Q(district__isnull=True, commune__isnull=True),
                name="plans_target_unique_province",
            ),
            models.CheckConstraint(
                condition=Q(district__isnull=True) | Q(commune__isnull=True),
                name="plans_target_one_area",
            ),
            models.CheckConstraint(
                condition=Q(target_value__gte=0), name="plans_target_value_positive"
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.indicator} = {self.target_value}"

    @property
    def area(self) -> AdministrativeUnit | None:
        """The district or commune the target is set for; None for the province."""
        if self.district_id:
            return self.district
        return self.commune if self.commune_id else None


class ProgressSnapshot(models.Model):
    """A target's value as computed on one day. One row per target and day: a rerun
    updates it in place."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="snapshots"
    )
    day = models.DateField(_("day"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    by_district = models.JSONField(_("by district"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["target", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "day"], name="plans_snapshot_one_per_day"
            )
        ]

    def __str__(self):
        return f"{self.target} @ {self.day}: {self.value}"


class TrainingAudience(models.TextChoices):
    OFFICERS = "officers", _("OCOP officers")
    PRODUCERS = "producers", _("Producers")


class TrainingEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TrainingEventQuerySet":
        """Trainings are provincial events: the province's officers and the district
        officers of its districts see them all (each records their own attendees)."""
        return self.filter(jurisdiction_of(user).province_q("province"))


class TrainingEvent(models.Model):
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("training title"), max_length=255)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=255)
    audience = models.CharField(
        _("audience"), max_length=10, choices=TrainingAudience.choices
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TrainingEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=TrainingAudience.values),
                name="plans_training_audience_valid",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("plans:training-detail", args=[self.pk])

    @property
    def by_commune(self) -> bool:
        """Whether attendees are counted by commune: a training held under the
        two-tier government (from 1/7/2025); by district before."""
        return self.held_on >= REFORM_DAY

    def areas(self):
        """The units attendees are counted for: the province's districts for a
        training held before the reform (by code), its communes since (by name)."""
        if self.by_commune:
            return AdministrativeUnit.objects.filter(
                parent_id=self.province_id, level=UnitLevel.COMMUNE
            ).order_by("name", "code")
        return AdministrativeUnit.objects.filter(
            parent_id=self.province_id, level=UnitLevel.DISTRICT
        ).order_by("code")


class AttendanceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AttendanceQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="district", commune="commune")
        )


class Attendance(models.Model):
    """One officer or one producer at a training, counted for a district (a training
    held until 30/6/2025) or for a commune (since)."""

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, producer__isnull=True)
                | Q(user__isnull=True, producer__isnull=False),
                name="plans_attendance_one_attendee",
            ),
            models.CheckConstraint(
                condition=Q(district__isnull=False, commune__isnull=True)
                | Q(district__isnull=True, commune__isnull=False),
                name="plans_attendance_one_area",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False),
                name="plans_attendance_user_once",
            ),
            models.UniqueConstraint(
                fields=["event", "producer"],
                condition=Q(producer__isnull=False),
                name="plans_attendance_producer_once",
            ),
        ]

    def __str__(self):
        return f"{self.event}: {self.user or self.producer}"

    @property
    def area(self) -> AdministrativeUnit:
        """The district or commune the attendee is counted for."""
        return self.district if self.district_id else self.commune


class SalesPointKind(models.TextChoices):
    SHOWROOM = "showroom", _("OCOP showroom")
    SALES_POINT = "sales_point", _("Sales point")
    DESIGN_CENTRE = "design_centre", _("Design and display centre")


class SalesPointQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SalesPointQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="district", commune="commune")
        )


class SalesPoint(models.Model):
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=15, choices=SalesPointKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = SalesPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales point")
        verbose_name_plural = _("sales points")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SalesPointKind.values),
                name="plans_sales_point_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="plans_sales_point_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        district = self.commune.district
        self.district_id = district.pk if district else None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("plans:salespoint-detail", args=[self.pk])

    def is_open_on(self, day) -> bool:
        return self.opened_on <= day and (
            self.closed_on is None or self.closed_on > day
        )
