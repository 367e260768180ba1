"""Recognition decisions, the certificates they issue, the gap-free numbering of
certificates and the expiry reminders sent for them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from core.states import StatusTransitions
from products.models import EvaluationLevel, Product
from regions.models import AdministrativeUnit

from .rounds import Round, RoundResult

# Decisions and certificates ---------------------------------------------------------


class Decision(models.Model):
    """A recognition decision (quyết định công nhận), e.g. 1580/QĐ-UBND-HC."""

    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("decision number"), max_length=60)
    date = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=120)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=EvaluationLevel.choices)
    round = models.ForeignKey(
        Round,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text=_("Empty for recognitions recorded from before the portal."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "number"], name="evaluations_decision_number_unique"
            ),
            # One decision per round: recording twice is refused, not duplicated.
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(round__isnull=False),
                name="evaluations_one_decision_per_round",
            ),
        ]

    def __str__(self):
        return f"{self.number} ({self.date:%d/%m/%Y})"


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class RevocationGround(models.TextChoices):
    """The grounds of Điều 8.1 of 26/2026/QĐ-TTg for revoking a certificate."""

    FALSE_DOSSIER = "false_dossier", _("a) Untruthful information or a forged dossier")
    CRITERIA_NOT_MET = (
        "criteria_not_met",
        _("b) The product no longer meets the criteria (inspection)"),
    )
    VIOLATION = (
        "violation",
        _("c) Violations of quality, food safety, environment, IP or labelling law"),
    )
    MISUSE_OF_MARK = "misuse_of_mark", _("d) Misuse of the OCOP mark")
    PRODUCTION_STOPPED = (
        "production_stopped",
        _("đ) The producer no longer makes the product"),
    )
    OTHER = "other", _("e) Other conclusion of a competent authority")


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CertificateQuerySet":
        return self.filter(
            jurisdiction_of(user).q(
                district="product__district",
                commune="product__commune",
                province="province",
            )
        )

    def active(self) -> "CertificateQuerySet":
        return self.filter(status=CertificateStatus.ACTIVE)


class Certificate(StatusTransitions, models.Model):
    """An OCOP certificate (giấy chứng nhận): stars, 36 months from the decision date.

    Numbers are per province and year without gaps: the sequence row is locked in the
    transaction that records the decision, and a rolled-back decision gives them back.
    """

    # A certificate ends once, for one reason, and never comes back.
    TRANSITIONS = {
        CertificateStatus.ACTIVE: {
            CertificateStatus.SUPERSEDED,
            CertificateStatus.EXPIRED,
            CertificateStatus.REVOKED,
        },
    }

    VALIDITY_MONTHS = 36

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    result = models.OneToOneField(
        RoundResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate",
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ACTIVE,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True
    )
    revocation_ground = models.CharField(
        _("ground for revocation"),
        max_length=20,
        choices=RevocationGround.choices,
        blank=True,
    )
    revocation_decision = models.CharField(
        _("revocation decided by"),
        max_length=255,
        blank=True,
        help_text=_(
            "The decision and who signed it: the provincial chair for 3★ and 4★, the "
            "Minister for 5★ (Điều 8.2)."
        ),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-valid_from", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "sequence"],
                name="evaluations_certificate_sequence_unique",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status="active"),
                name="evaluations_one_active_certificate_per_product",
            ),
            models.CheckConstraint(
                condition=Q(stars__range=(3, 5)),
                name="evaluations_certificate_stars_certified",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="evaluations_certificate_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values),
                name="evaluations_certificate_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | ~Q(status_reason=""),
                name="evaluations_certificate_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("evaluations:certificate-detail", args=[self.pk])

    @property
    def address(self) -> str:
        """The producer's address with the names of the certificate's day: a 2021
        certificate reads "Xã Tân Phước, Huyện Lai Vung, Tỉnh Đồng Tháp", one of 2026
        the commune and the province, with no district."""
        producer = self.product.producer
        place = producer.commune.current_on(self.valid_from)
        parts = [producer.address, place.place_name, self.province.name]
        return ", ".join(part for part in parts if part)


class CertificateSequence(models.Model):
    province = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"],
                name="evaluations_certificate_counter_unique",
            )
        ]

    def __str__(self):
        return f"{self.province.code}/{self.year}: {self.last_value}"


class ExpiryReminder(models.Model):
    """A reminder sent for a certificate at one threshold (e.g. 30 days before expiry);
    the unique constraint makes sending once per certificate and threshold a fact of
    the database, not of the scheduler."""

    certificate = models.ForeignKey(
        "Certificate", on_delete=models.PROTECT, related_name="expiry_reminders"
    )
    threshold_days = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("recipients"))

    class Meta:
        # The table of the plans app, where reminders were first kept.
        db_table = "plans_expiryreminder"
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "threshold_days"], name="plans_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.certificate} −{self.threshold_days}d"


class ResultNotice(models.Model):
    """The written notice of a dossier's result to its commune and producer (Điều
    7.3.g of 26/2026/QĐ-TTg: the provincial OCOP office notifies the commune
    People's Committee and the producer). One per result: the unique key makes
    sending once a fact of the database."""

    result = models.OneToOneField(
        "RoundResult",
        verbose_name=_("result"),
        on_delete=models.PROTECT,
        related_name="notice",
    )
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("result notice")
        verbose_name_plural = _("result notices")

    def __str__(self):
        return f"{self.result} → {self.recipients or '—'}"
