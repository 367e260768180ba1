from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from regions.models import AdministrativeUnit
from regions.text import fold, search_terms


class ProducerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
    HOUSEHOLD = "household", _("Registered household business")


# A Vietnamese tax code / business registration number: 10 digits, or 10 + "-" + 3
# for a branch (e.g. 1400123456-001).
registration_number_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$",
    _(
        "Enter 10 digits, or 10 digits, a hyphen and 3 digits for a branch "
        "(e.g. 1400123456 or 1400123456-001)."
    ),
    code="invalid_registration_number",
)
phone_validator = RegexValidator(
    r"^\+?[0-9 .\-]{8,15}$",
    _("Enter a phone number of 8 to 15 digits, e.g. 0277 3851 234."),
    code="invalid_phone",
)


class ProducerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProducerQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="district", commune="commune")
        )

    def active(self) -> "ProducerQuerySet":
        return self.filter(archived_at__isnull=True)

    def search(self, query: str) -> "ProducerQuerySet":
        condition = Q()
        for term in search_terms(query):
            condition &= Q(search_text__contains=term)
        return self.filter(condition)


class Producer(models.Model):
    """An OCOP producer (chủ thể OCOP): the organisation or household behind products."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProducerKind.choices)
    name = models.CharField(_("name"), max_length=255)
    registration_number = models.CharField(
        _("tax code / registration number"),
        max_length=14,
        unique=True,
        validators=[registration_number_validator],
        error_messages={"unique": _("A producer with this tax code already exists.")},
    )
    registration_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    registration_date = models.DateField(_("issued on"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=120)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(
        _("address"),
        max_length=255,
        blank=True,
        help_text=_("House number, street, hamlet."),
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The commune's district when the producer was registered, kept on the row for
    # scoping and filtering; none for a commune of the two-tier government (1/7/2025).
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    archived_at = models.DateTimeField(
        _("archived at"), null=True, blank=True, editable=False
    )

    objects = ProducerQuerySet.as_manager()

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProducerKind.values),
                name="producers_producer_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["district", "name"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        district = self.commune.district
        self.district_id = district.pk if district else None
        self.search_text = fold(
            " ".join([self.name, self.registration_number, self.legal_representative])
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "district", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("producers:producer-detail", args=[self.pk])

    @property
    def area(self):
        """The district the producer was registered in, or its commune for a producer
        of the two-tier government: what lists show in their place column."""
        return self.district or self.commune

    @property
    def province_pk(self) -> int:
        """The province the producer was registered in."""
        return self.district.parent_id if self.district_id else self.commune.parent_id
