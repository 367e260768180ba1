"""Councils and their members, rounds and the dossiers assigned to them, conflicts of
interest, members' score sheets and answers, and the finalised results."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from core import clock
from core.states import StatusTransitions
from products.models import Dossier, EvaluationLevel
from regions.models import AdministrativeUnit, UnitLevel

from .criteria import CriteriaVersion, Criterion, CriterionOption, Regime

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

    def clean(self):
        super().clean()
        # Councils are formed for the units of today: no district council after the
        # districts ended (30/6/2025).
        if (
            self.pk is None
            and self.unit_id
            and not self.unit.is_valid_on(clock.today())
        ):
            raise ValidationError(
                {
                    "unit": _(
                        "%(unit)s no longer exists: a council is formed for a unit "
                        "of today."
                    )
                    % {"unit": self.unit}
                }
            )
        level = {"district": UnitLevel.DISTRICT, "province": UnitLevel.PROVINCE}.get(
            self.level
        )
        if self.unit_id and level and self.unit.level != level:
            raise ValidationError({"unit": _("Choose a unit of the council's level.")})

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
    # Re-ratings (Điều 7.6 of 26/2026/QĐ-TTg) are decided on the members' written
    # opinions; the council meets only when the opinions diverge.
    by_written_opinions = models.BooleanField(
        _("decided by written opinions"),
        default=False,
        help_text=_(
            "Re-ratings: the members send their sheets as written opinions; the "
            "council meets only when they diverge (Điều 7.6 of 26/2026/QĐ-TTg)."
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


class DisqualifierCheck(models.TextChoices):
    CLEAR = "clear", _("Not a case of disqualification")
    DISQUALIFIED = "disqualified", _("The dossier is disqualified")


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
    # The member's check of the sheet's "Hồ sơ bị loại khi…" line (26/2026 sheets):
    # empty until checked; required to submit a sheet that prints one.
    disqualifier_check = models.CharField(
        _("disqualification check"),
        max_length=12,
        choices=DisqualifierCheck.choices,
        blank=True,
    )
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
    # Most counted sheets found the dossier disqualified ("Hồ sơ bị loại khi…").
    disqualified = models.BooleanField(_("disqualified"), default=False)
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
