import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import AdministrativeUnit, UnitLevel


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Commune OCOP officer")
    DISTRICT_OFFICER = "district_officer", _("District OCOP officer")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# The level of unit each role acts at. Commune officers exist from the two-tier reform
# (1/7/2025), district officers until it.
ROLE_LEVEL = {
    Role.COMMUNE_OFFICER: UnitLevel.COMMUNE,
    Role.DISTRICT_OFFICER: UnitLevel.DISTRICT,
    Role.PROVINCIAL_OFFICER: UnitLevel.PROVINCE,
    Role.ADMINISTRATOR: UnitLevel.PROVINCE,
}


class User(AbstractUser):
    """A person who signs in. Acts for units through dated mandates (Mandate); a
    person with none may still sit on evaluation councils: council membership belongs
    to the council, not to the user."""

    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Vietnamese order: family name first ("Lê Minh Tâm").
        return f"{self.last_name} {self.first_name}".strip()

    # Template shorthands; code asks accounts.jurisdiction.jurisdiction_of(user).
    @property
    def is_district_officer(self) -> bool:
        from .jurisdiction import jurisdiction_of

        return jurisdiction_of(self).is_district

    @property
    def is_provincial(self) -> bool:
        """Acts for a whole province: provincial officers, administrators, superusers."""
        from .jurisdiction import jurisdiction_of

        return jurisdiction_of(self).is_provincial

    @property
    def is_officer(self) -> bool:
        """Acts or reads as an OCOP officer (the programme's lists are theirs)."""
        from .jurisdiction import jurisdiction_of

        return jurisdiction_of(self).is_officer

    @property
    def works_in_a_province(self) -> bool:
        """Acts as an OCOP officer in a province today (its plans and dashboard)."""
        from .jurisdiction import jurisdiction_of

        return jurisdiction_of(self).province_id is not None

    @property
    def acting_as(self) -> str:
        """What the user acts as today, for the page header ("Cán bộ OCOP cấp huyện ·
        Lai Vung")."""
        from .jurisdiction import jurisdiction_of

        return jurisdiction_of(self).label

    @property
    def acting_for(self) -> str:
        """The short names of the units the user acts for today ("Lai Vung")."""
        from .jurisdiction import jurisdiction_of

        return ", ".join(u.short_name for u in jurisdiction_of(self).own_units)


class MandateQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> "MandateQuerySet":
        return self.filter(
            Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def ended_before(self, day: datetime.date) -> "MandateQuerySet":
        return self.filter(valid_to__lt=day)


class Mandate(models.Model):
    """A user's programme role at one unit over a period: the officer of Huyện Lai
    Vung until the district ended (30/6/2025), a commune officer of two communes from
    1/7/2025 (two mandates). An ended mandate leaves read-only access to the records
    of its unit (accounts.jurisdiction)."""

    user = models.ForeignKey(
        "User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="mandates",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The commune, district or province the user acts for."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["user", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="accounts_mandate_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_mandate_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "valid_from"],
                name="accounts_mandate_unique",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def clean(self):
        super().clean()
        level = ROLE_LEVEL.get(self.role)
        if level and self.unit_id and self.unit.level != level:
            raise ValidationError(
                {
                    "unit": _("This role acts at the level: %(level)s.")
                    % {"level": UnitLevel(level).label}
                }
            )
        # A mandate cannot outlive its unit: Huyện Lai Vung's officer stops with it.
        if (
            self.unit_id
            and self.valid_from
            and not self.unit.is_valid_on(self.valid_from)
        ):
            raise ValidationError(
                {"valid_from": _("The unit does not exist on this day.")}
            )
        if (
            self.unit_id
            and self.unit.valid_to
            and (self.valid_to is None or self.valid_to > self.unit.valid_to)
        ):
            raise ValidationError(
                {
                    "valid_to": _("The unit ended on %(day)s.")
                    % {"day": self.unit.valid_to.strftime("%d/%m/%Y")}
                }
            )


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).select_related("actor")


class AuditEvent(models.Model):
    """One change to a record people rely on: who, when, which fields, old → new, why.

    Append-only: services write events in the same transaction as the change, and no
    code path edits or deletes them.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=40)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
