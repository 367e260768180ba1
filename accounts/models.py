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
    DISTRICT_OFFICER = "district_officer", _("District OCOP officer")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# The level of jurisdiction each role acts at.
ROLE_LEVEL = {
    Role.DISTRICT_OFFICER: UnitLevel.DISTRICT,
    Role.PROVINCIAL_OFFICER: UnitLevel.PROVINCE,
    Role.ADMINISTRATOR: UnitLevel.PROVINCE,
}


class User(AbstractUser):
    """A person who signs in. Acts at one jurisdiction with one programme role.

    A user without a role (role "") may still sit on evaluation councils: council
    membership belongs to the council, not to the user.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    jurisdiction = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The district or province the user acts for."),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[*Role.values, ""]),
                name="accounts_user_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(role="") | Q(jurisdiction__isnull=False),
                name="accounts_user_role_has_jurisdiction",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Vietnamese order: family name first ("Lê Minh Tâm").
        return f"{self.last_name} {self.first_name}".strip()

    def clean(self):
        super().clean()
        level = ROLE_LEVEL.get(self.role)
        if level and self.jurisdiction_id and self.jurisdiction.level != level:
            raise ValidationError(
                {
                    "jurisdiction": _("This role acts at the level: %(level)s.")
                    % {"level": UnitLevel(level).label}
                }
            )

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
