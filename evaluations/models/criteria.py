"""Regimes (who decides what at which level) and the criteria catalogue: versioned
scoring sheets, their parts, groups, criteria and answer options."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.states import StatusTransitions
from products.models import Classification, EvaluationLevel, ProductSet

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
    # The rounds the level must hold each year (Điều 5 of 26/2026/QĐ-TTg), as
    # "MM-DD>MM-DD" pairs, space-separated: dossiers proposed before the first day
    # are evaluated before the second ("04-30>06-30 10-30>12-30").
    calendar = models.CharField(_("rounds calendar"), max_length=100, blank=True)

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

    def rounds_of(self, year: int) -> list[tuple[datetime.date, datetime.date]]:
        """(proposals by, evaluated by) of the year's rounds; a round whose proposals
        close early in the year belongs to the rounds evaluated in the spring."""
        rounds = []
        for pair in self.calendar.split():
            proposed, held = (
                datetime.date.fromisoformat(f"{year}-{part}")
                for part in pair.split(">")
            )
            rounds.append((proposed, held))
        return sorted(rounds, key=lambda pair: pair[1])


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
    # The decision whose annex the sheet comes from ("1048", "148", "26/2026"). 148 and
    # 26/2026 classify products into the same 26 sets, so a set has sheets of both.
    basis = models.CharField(_("legal basis of the sheet"), max_length=20)
    # "Hồ sơ bị loại khi…": printed above the sheet (26/2026); members record the check.
    disqualifier = models.TextField(_("the dossier is disqualified when"), blank=True)

    class Meta:
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        ordering = ["classification", "product_set__number", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_set", "basis", "version"],
                name="evaluations_criteria_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CriteriaStatus.values),
                name="evaluations_criteria_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.decision} · {self.product_set.name} · v{self.version}"

    def get_absolute_url(self):
        return reverse("evaluations:criteria-detail", args=[self.pk])

    @property
    def decision(self) -> str:
        """ "26/2026/QĐ-TTg" for the basis "26/2026"."""
        return f"{self.basis}/QĐ-TTg"

    @property
    def is_published(self) -> bool:
        return self.status == CriteriaStatus.PUBLISHED

    @property
    def is_full_marks(self) -> bool:
        """The best answers add up to 100, as every sheet of the decisions should."""
        return self.total_points == 100


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
    note = models.TextField(_("note"), blank=True)
    # Null only on a draft whose printed points cell does not hold one number.
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # "Lựa chọn một trong hai trường hợp sau" (set 26, tourism): each criterion of the
    # group is one case; a sheet scores exactly one of them.
    alternatives = models.BooleanField(_("alternative cases"), default=False)
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
    # Null only on a draft whose printed points are missing.
    max_points = models.DecimalField(
        _("maximum points"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # A criterion printed with points and no options (26/2026, 2.4): met or not met.
    # Its two answers are stored as options "Đạt" (its points) and "Không đạt" (0).
    yes_no = models.BooleanField(_("met / not met"), default=False)
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
    # Null only on a draft whose printed cell is blank: corrected before publishing.
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
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
                condition=Q(points__isnull=True) | Q(points__gte=0),
                name="evaluations_option_points_positive",
            ),
            models.CheckConstraint(
                condition=Q(required_for_stars__isnull=True)
                | Q(required_for_stars__range=(1, 5)),
                name="evaluations_option_required_stars_range",
            ),
        ]

    def __str__(self):
        return f"{self.text} ({self.points})"
