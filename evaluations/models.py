from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from core.states import StatusTransitions
from products.models import (
    Classification,
    Dossier,
    EvaluationLevel,
    Product,
    ProductSet,
)
from regions.models import AdministrativeUnit

LEVEL_ORDER = [
    EvaluationLevel.DISTRICT,
    EvaluationLevel.PROVINCE,
    EvaluationLevel.NATIONAL,
]

# Regimes: who decides what --------------------------------------------------------------


class Regime(models.Model):
    """A legal regime for evaluation: its levels, what each recognises and forwards.

    1048/QĐ-TTg (2019), 148/QĐ-TTg (2023) and the 1489/QĐ-TTg amendment (2025) differ
    only in this data; the finalising code reads it and has no branch per regime.
    """

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    decision = models.CharField(_("legal basis"), max_length=60)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    classification = models.ForeignKey(
        Classification,
        verbose_name=_("criteria and classification"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The product classification and criteria sheets this regime scores with."
        ),
    )

    class Meta:
        verbose_name = _("regime")
        verbose_name_plural = _("regimes")
        ordering = ["effective_from"]

    def __str__(self):
        return self.name


class RegimeLevel(models.Model):
    """One level of a regime: the stars it may recognise and the mean score from which
    it forwards a product to the next level."""

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="levels")
    level = models.CharField(_("level"), max_length=10, choices=EvaluationLevel.choices)
    min_recognised_stars = models.PositiveSmallIntegerField(
        _("lowest star recognised"), null=True, blank=True
    )
    max_recognised_stars = models.PositiveSmallIntegerField(
        _("highest star recognised"), null=True, blank=True
    )
    forward_threshold = models.DecimalField(
        _("forwards from (mean points)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("regime level")
        verbose_name_plural = _("regime levels")
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "level"], name="evaluations_regime_level_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    min_recognised_stars__isnull=True, max_recognised_stars__isnull=True
                )
                | Q(
                    min_recognised_stars__gte=3,
                    max_recognised_stars__lte=5,
                    min_recognised_stars__lte=F("max_recognised_stars"),
                ),
                name="evaluations_regime_level_star_range",
            ),
        ]

    def __str__(self):
        return f"{self.regime.code} · {self.get_level_display()}"

    def recognises(self, stars: int) -> bool:
        return (
            self.min_recognised_stars is not None
            and self.min_recognised_stars <= stars <= self.max_recognised_stars
        )


# Criteria catalogue ---------------------------------------------------------------------


class CriteriaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CriteriaVersion(StatusTransitions, models.Model):
    """A scoring sheet (phiếu đánh giá) for one product set under one legal basis.

    Published versions are immutable (the loader and the admin refuse edits); a round
    entry keeps the version it was assigned with, so later versions never change scores.
    """

    # Published is for good: rounds are frozen to the version.
    TRANSITIONS = {CriteriaStatus.DRAFT: {CriteriaStatus.PUBLISHED}}

    classification = models.ForeignKey(
        Classification,
        verbose_name=_("legal basis"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_set = models.ForeignKey(
        ProductSet,
        verbose_name=_("product set"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CriteriaStatus.choices,
        default=CriteriaStatus.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(
        _("loader notes"),
        blank=True,
        help_text=_("What the loader found, e.g. a total of 99."),
    )
    total_points = models.DecimalField(
        _("total points"), max_digits=6, decimal_places=2, default=0
    )
    # SHA-256 of the loaded sheet's content: loading the same file again is a no-op,
    # a changed file becomes a new version.
    checksum = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        ordering = ["classification", "product_set__number", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_set", "version"],
                name="evaluations_criteria_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CriteriaStatus.values),
                name="evaluations_criteria_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.classification.decision} · {self.product_set.name} · v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == CriteriaStatus.PUBLISHED


class CriteriaPart(models.Model):
    version = models.ForeignKey(
        CriteriaVersion, on_delete=models.CASCADE, related_name="parts"
    )
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=255)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=2
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criteria part")
        verbose_name_plural = _("criteria parts")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="evaluations_part_code_unique"
            )
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"


class CriterionGroup(models.Model):
    part = models.ForeignKey(
        CriteriaPart, on_delete=models.CASCADE, related_name="groups"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=255)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion group")
        verbose_name_plural = _("criterion groups")
        ordering = ["part", "position"]

    def __str__(self):
        return f"{self.code}. {self.name}"


class Criterion(models.Model):
    group = models.ForeignKey(
        CriterionGroup, on_delete=models.CASCADE, related_name="criteria"
    )
    # The part, kept on the row so per-part subtotals are one aggregate query.
    part = models.ForeignKey(
        CriteriaPart, on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    note = models.TextField(_("note"), blank=True)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=2
    )
    # Some sheets mark a whole criterion (148: 3.e Sở hữu trí tuệ, ****): its full
    # points are needed for that star level.
    required_for_stars = models.PositiveSmallIntegerField(
        _("full points required for stars"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["part__position", "group__position", "position"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CriterionOption(models.Model):
    """One answer of a criterion with its fixed points.

    `required_for_stars`: a product ranks at that star level or above only if its
    points on this criterion reach at least this option's points (148/QĐ-TTg marks
    such options with ***, ****, *****; 781/QĐ-TTg added minimum criteria to 1048).
    """

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="options"
    )
    text = models.TextField(_("answer"))
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    required_for_stars = models.PositiveSmallIntegerField(
        _("required for stars"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["criterion", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=0), name="evaluations_option_points_positive"
            ),
            models.CheckConstraint(
                condition=Q(required_for_stars__isnull=True)
                | Q(required_for_stars__range=(1, 5)),
                name="evaluations_option_required_stars_range",
            ),
        ]

    def __str__(self):
        return f"{self.text} ({self.points})"


# Councils and rounds ----------------------------------------------------------------


class Council(models.Model):
    """An evaluation council (hội đồng đánh giá, phân hạng) of a district or province."""

    name = models.CharField(_("name"), max_length=255)
    level = models.CharField(_("level"), max_length=10, choices=EvaluationLevel.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name

    @property
    def province(self) -> AdministrativeUnit:
        """The province the council works in (its own unit, or its district's parent)."""
        return self.unit.parent if self.level == EvaluationLevel.DISTRICT else self.unit

    @property
    def province_pk(self) -> int:
        """The province's id, without loading it."""
        if self.level == EvaluationLevel.DISTRICT:
            return self.unit.parent_id
        return self.unit_id


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class CouncilMember(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_memberships",
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=CouncilRole.choices,
        default=CouncilRole.MEMBER,
    )
    title = models.CharField(
        _("title"),
        max_length=255,
        blank=True,
        help_text=_("Position and agency, as in the council decision."),
    )

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], name="evaluations_member_unique"
            ),
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(role="chair"),
                name="evaluations_one_chair_per_council",
            ),
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(role="secretary"),
                name="evaluations_one_secretary_per_council",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class RoundStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    SCORING = "scoring", _("Scoring")
    CLOSED = "closed", _("Closed")


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RoundQuerySet":
        """Members see the rounds of their councils; officers who act for a province
        see the rounds of its councils and of its districts' councils."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        reach = jurisdiction_of(user)
        if reach.everywhere:
            return self.all()
        mine = Q(council__members__user=user)
        if reach.is_provincial:
            mine |= reach.province_q("council__unit") | reach.province_q(
                "council__unit__parent"
            )
        return self.filter(mine).distinct()


class Round(StatusTransitions, models.Model):
    """An evaluation round: one council, one year, one level, one regime."""

    TRANSITIONS = {
        RoundStatus.PREPARING: {RoundStatus.SCORING},
        RoundStatus.SCORING: {RoundStatus.CLOSED},
    }

    council = models.ForeignKey(
        Council,
        verbose_name=_("council"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    regime = models.ForeignKey(
        Regime, verbose_name=_("regime"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=EvaluationLevel.choices)
    name = models.CharField(_("name"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RoundStatus.choices,
        default=RoundStatus.PREPARING,
    )
    spread_threshold = models.DecimalField(
        _("spread flag (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        help_text=_(
            "Products whose highest and lowest totals differ by more are flagged."
        ),
    )
    quorum = models.DecimalField(
        _("quorum"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[
            MinValueValidator(Decimal("0.01")),
            MaxValueValidator(Decimal("1")),
        ],
        help_text=_(
            "Share of members who must have submitted before finalising (0.75 = 3/4)."
        ),
    )
    scoring_opened_at = models.DateTimeField(
        _("scoring opened at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values),
                name="evaluations_round_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(quorum__gt=0, quorum__lte=1),
                name="evaluations_round_quorum_range",
            ),
            models.CheckConstraint(
                condition=Q(spread_threshold__gte=0),
                name="evaluations_round_spread_positive",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluations:round-detail", args=[self.pk])


class RoundEntry(models.Model):
    """A dossier assigned to a round, frozen to the criteria version it is scored on."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="entries")
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="round_entries"
    )
    criteria = models.ForeignKey(
        CriteriaVersion,
        verbose_name=_("criteria"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("round entry")
        verbose_name_plural = _("round entries")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "dossier"], name="evaluations_entry_unique"
            )
        ]

    def __str__(self):
        return f"{self.round} · {self.dossier.product}"


class ExclusionSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the member")
    AUTOMATIC = "automatic", _("Linked to the producer")


class Exclusion(models.Model):
    """A council member who may not score a product (conflict of interest)."""

    entry = models.ForeignKey(
        RoundEntry, on_delete=models.PROTECT, related_name="exclusions"
    )
    member = models.ForeignKey(
        CouncilMember, on_delete=models.PROTECT, related_name="exclusions"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ExclusionSource.choices
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "member"], name="evaluations_exclusion_unique"
            )
        ]

    def __str__(self):
        return f"{self.member} ✗ {self.entry}"


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class ScoreSheet(StatusTransitions, models.Model):
    """One member's independent scoring of one entry. Submitting locks it; only the
    chair reopens it, with a recorded reason."""

    TRANSITIONS = {
        SheetStatus.DRAFT: {SheetStatus.SUBMITTED},
        # Reopened by the chair for re-scoring.
        SheetStatus.SUBMITTED: {SheetStatus.DRAFT},
    }

    entry = models.ForeignKey(
        RoundEntry, on_delete=models.PROTECT, related_name="sheets"
    )
    member = models.ForeignKey(
        CouncilMember, on_delete=models.PROTECT, related_name="sheets"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SheetStatus.choices,
        default=SheetStatus.DRAFT,
    )
    # Sum of the chosen options' points, recomputed with the answers in one transaction.
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["entry", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "member"], name="evaluations_sheet_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SheetStatus.values),
                name="evaluations_sheet_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100),
                name="evaluations_sheet_total_range",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="evaluations_sheet_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.entry} · {self.member.user}"

    def get_absolute_url(self):
        return reverse("evaluations:sheet-detail", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


class Answer(models.Model):
    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="answers"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(
        CriterionOption, on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "criterion"], name="evaluations_answer_unique"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="evaluations_answer_points_positive"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.points}"


class Outcome(models.TextChoices):
    RECOGNISED = "recognised", _("Recognised")
    FORWARDED = "forwarded", _("Forwarded to the next level")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")
    RETURNED = "returned", _("Sent back to a lower level")


class RoundResult(models.Model):
    """The finalised result of an entry: aggregate of the submitted sheets, star and
    outcome. Written once by finalising the round."""

    entry = models.OneToOneField(
        RoundEntry, on_delete=models.PROTECT, related_name="result"
    )
    sheet_count = models.PositiveSmallIntegerField(_("sheets"))
    mean_total = models.DecimalField(_("mean score"), max_digits=5, decimal_places=2)
    part_means = models.JSONField(_("mean per part"), default=dict)
    min_total = models.DecimalField(_("lowest"), max_digits=5, decimal_places=2)
    max_total = models.DecimalField(_("highest"), max_digits=5, decimal_places=2)
    band_stars = models.PositiveSmallIntegerField(_("star band"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    cap_reason = models.TextField(_("why the star is capped"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    target_level = models.CharField(
        _("to level"), max_length=10, choices=EvaluationLevel.choices, blank=True
    )
    finalised_at = models.DateTimeField(_("finalised at"), auto_now_add=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    stars__range=(1, 5),
                    band_stars__range=(1, 5),
                    stars__lte=F("band_stars"),
                ),
                name="evaluations_result_stars_range",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values),
                name="evaluations_result_outcome_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry}: {self.mean_total} → {self.stars}★ {self.get_outcome_display()}"

    @property
    def spread(self) -> Decimal:
        return self.max_total - self.min_total


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


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CertificateQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="product__district", province="province")
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
