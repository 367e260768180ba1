"""Dossiers (hồ sơ): one application of a product to one year's evaluation, and the
path it takes under the process of its date."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from core.states import StatusTransitions
from regions.models import AdministrativeUnit
from regions.text import search_terms

from .catalogue import DocumentType
from .products import Product, document_upload_to

# Dossiers ---------------------------------------------------------------------------


class DossierKind(models.TextChoices):
    NEW = "new", _("New product")
    RERATING = "rerating", _("Re-rating")
    UPGRADE = "upgrade", _("Upgrade")


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITH_COMMUNE = "with_commune", _("With the commune")
    PROPOSED = "proposed", _("Proposed by the commune")
    RETURNED = "returned", _("Returned for supplement")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", _("Accepted")
    REVIEWED = "reviewed", _("Reviewed by the advisory team")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    FORWARDED = "forwarded", _("Forwarded to the next level")
    DECIDED = "decided", _("Decided")


class EvaluationLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class DossierProcess(models.Model):
    """The path a dossier takes under the rules of its submission day, as data.

    1048/QĐ-TTg and 148/QĐ-TTg: the district officer submits to the province, which
    accepts or returns. From 1/7/2025 (1489/QĐ-TTg, then 26/2026/QĐ-TTg, Điều 7): the
    dossier reaches the commune, which checks it (within 15 working days under
    26/2026) and proposes it to the province; under 26/2026 the council's advisory
    team (Tổ tư vấn) reviews it before the council scores. Điều 12 lets dossiers
    submitted under the previous rules finish under them, by a deadline.
    """

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    decision = models.CharField(_("legal basis"), max_length=60)
    effective_from = models.DateField(_("first submission day"))
    effective_to = models.DateField(_("last submission day"), null=True, blank=True)
    # The decision whose criteria sheets score the dossier: 1489 amended 148's
    # process, not its sheets; 26/2026 brought its own (Phụ lục II).
    criteria_basis = models.CharField(_("criteria sheets of"), max_length=20)
    through_commune = models.BooleanField(
        _("the commune checks and proposes"), default=False
    )
    commune_check_days = models.PositiveSmallIntegerField(
        _("working days for the commune's check"), null=True, blank=True
    )
    advisory_review = models.BooleanField(
        _("the advisory team reviews before scoring"), default=False
    )
    completion_deadline = models.DateField(
        _("pending dossiers rated by"),
        null=True,
        blank=True,
        help_text=_("When later rules replaced these (Điều 12 of 26/2026/QĐ-TTg)."),
    )
    rerating_completion_deadline = models.DateField(
        _("pending re-ratings rated by"), null=True, blank=True
    )
    rerating_opens_days = models.PositiveSmallIntegerField(
        _("re-rating window opens (days before expiry)"), null=True, blank=True
    )
    rerating_closes_days = models.PositiveSmallIntegerField(
        _("re-rating window closes (days before expiry)"), null=True, blank=True
    )
    rerating_decision_days = models.PositiveSmallIntegerField(
        _("days to decide a complete re-rating"), null=True, blank=True
    )
    late_rerating_grace_days = models.PositiveSmallIntegerField(
        _("days a late re-rating keeps the certificate valid"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("dossier process")
        verbose_name_plural = _("dossier processes")
        ordering = ["effective_from"]

    def __str__(self):
        return self.name

    def is_in_force_on(self, day) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or self.effective_to >= day
        )


class DossierQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DossierQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="district", commune="product__commune")
        )

    def search(self, query: str) -> "DossierQuerySet":
        condition = Q()
        for term in search_terms(query):
            condition &= Q(product__search_text__contains=term) | Q(
                product__producer__search_text__contains=term
            )
        return self.filter(condition)


class Dossier(StatusTransitions, models.Model):
    """One application of a product to one year's evaluation (hồ sơ)."""

    # The only legal moves; anything else raises InvalidTransition. Which of the
    # moves out of a draft or a returned dossier applies depends on its process:
    # to the province (SUBMITTED, RESUBMITTED) before the two-tier reform, to the
    # commune (WITH_COMMUNE) since. The province may ask to complete a dossier it had
    # accepted (RETURNED) until a round takes it. A provincial council may send a
    # product back to a lower level, which the evaluations services record.
    TRANSITIONS = {
        DossierStatus.DRAFT: {DossierStatus.SUBMITTED, DossierStatus.WITH_COMMUNE},
        DossierStatus.SUBMITTED: {DossierStatus.RETURNED, DossierStatus.ACCEPTED},
        DossierStatus.WITH_COMMUNE: {DossierStatus.PROPOSED, DossierStatus.RETURNED},
        DossierStatus.PROPOSED: {DossierStatus.RETURNED, DossierStatus.ACCEPTED},
        DossierStatus.RETURNED: {
            DossierStatus.RESUBMITTED,
            DossierStatus.WITH_COMMUNE,
        },
        DossierStatus.RESUBMITTED: {DossierStatus.RETURNED, DossierStatus.ACCEPTED},
        DossierStatus.ACCEPTED: {
            DossierStatus.UNDER_EVALUATION,
            DossierStatus.REVIEWED,
            DossierStatus.RETURNED,
        },
        DossierStatus.REVIEWED: {
            DossierStatus.UNDER_EVALUATION,
            DossierStatus.RETURNED,
        },
        DossierStatus.UNDER_EVALUATION: {
            DossierStatus.ACCEPTED,
            DossierStatus.REVIEWED,
            DossierStatus.FORWARDED,
            DossierStatus.DECIDED,
        },
        DossierStatus.FORWARDED: {
            DossierStatus.UNDER_EVALUATION,
            DossierStatus.DECIDED,
        },
    }
    # Statuses in which the local officer may still change documents and fields.
    EDITABLE = {DossierStatus.DRAFT, DossierStatus.RETURNED}
    # Statuses in which the province receives the dossier (returns or accepts it).
    # UNDER_EVALUATION → ACCEPTED is a withdrawal from a round, not an acceptance.
    AWAITING_REVIEW = {
        DossierStatus.SUBMITTED,
        DossierStatus.RESUBMITTED,
        DossierStatus.PROPOSED,
    }
    # Statuses from which the province asks the producer (and commune) to complete.
    RETURNABLE = {*AWAITING_REVIEW, DossierStatus.ACCEPTED, DossierStatus.REVIEWED}

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=DossierKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DossierStatus.choices,
        default=DossierStatus.DRAFT,
    )
    level = models.CharField(
        _("evaluation level"),
        max_length=10,
        choices=EvaluationLevel.choices,
        blank=True,
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous dossier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    self_assessment_score = models.DecimalField(
        _("self-assessment score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    # The rules the dossier follows: those of its first submission day.
    process = models.ForeignKey(
        DossierProcess,
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Since the two-tier reform: the commune that checks and proposes the dossier.
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    received_by_commune_on = models.DateField(
        _("received by the commune on"), null=True, blank=True
    )
    commune_due_on = models.DateField(
        _("commune's check due on"), null=True, blank=True
    )
    proposed_on = models.DateField(
        _("proposed to the province on"), null=True, blank=True
    )
    rating_due_on = models.DateField(
        _("to be rated by"),
        null=True,
        blank=True,
        help_text=_("A re-rating's 45 days, or a deadline of the transition rules."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "year"], name="products_dossier_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DossierStatus.values),
                name="products_dossier_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DossierKind.values),
                name="products_dossier_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(self_assessment_score__isnull=True)
                | Q(self_assessment_score__range=(0, 100)),
                name="products_dossier_self_assessment_range",
            ),
        ]
        indexes = [models.Index(fields=["district", "year", "status"])]

    def __str__(self):
        return f"{self.product} ({self.year})"

    def get_absolute_url(self):
        return reverse("products:dossier-detail", args=[self.pk])

    @property
    def area(self):
        """The dossier's district, or its product's commune since the reform."""
        return self.district or self.product.commune

    @property
    def province_pk(self) -> int:
        """The province of the dossier's product."""
        return self.product.province_pk

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def awaits_review(self) -> bool:
        return self.status in self.AWAITING_REVIEW

    @property
    def goes_through_commune(self) -> bool:
        return self.process is not None and self.process.through_commune

    @property
    def ready_for_a_round(self) -> bool:
        """Accepted by the province, and reviewed by the advisory team where the
        dossier's process has one."""
        if self.status == DossierStatus.REVIEWED:
            return True
        return self.status == DossierStatus.ACCEPTED and not (
            self.process is not None and self.process.advisory_review
        )


class AssessmentConclusion(models.TextChoices):
    PROPOSE = "propose", _("Propose to the province")
    RETURN = "return", _("Return to the producer")


class CommuneAssessment(models.Model):
    """The commune's report on a dossier (Mẫu 03, Điều 7.2 of 26/2026/QĐ-TTg): local
    origin of the product and its raw materials, local labour, origin of the idea,
    local identity and knowledge; then it proposes the dossier to the province or
    returns it. A dossier checked again after a return gets a new report."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="commune_assessments"
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    local_origin = models.TextField(_("origin of the product and raw materials"))
    local_labour = models.TextField(_("use of local labour"))
    idea_origin = models.TextField(_("origin of the product idea"))
    local_identity = models.TextField(_("local identity and knowledge"))
    conclusion = models.CharField(
        _("conclusion"), max_length=10, choices=AssessmentConclusion.choices
    )
    reason = models.TextField(_("reason for return"), blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("commune assessment (Mẫu 03)")
        verbose_name_plural = _("commune assessments (Mẫu 03)")
        ordering = ["dossier", "-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conclusion__in=AssessmentConclusion.values),
                name="products_assessment_conclusion_valid",
            ),
            models.CheckConstraint(
                condition=~Q(conclusion="return") | ~Q(reason=""),
                name="products_assessment_return_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.dossier} · {self.get_conclusion_display()} ({self.assessed_on})"


class DossierDocument(models.Model):
    """One uploaded file of a dossier's checklist.

    A re-rating or upgrade dossier starts with rows pointing at the previous dossier's
    files (`copied_from`): the bytes are shared, never copied, and never deleted.
    """

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="documents"
    )
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=255, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["document_type__position", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
