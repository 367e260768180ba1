"""The self-assessment report (báo cáo tự đánh giá, Mẫu 02 of 26/2026/QĐ-TTg): the
producer's or an officer's own scoring of the product on the sheet it will be scored
on. Kept with the dossier and shown to the advisory team beside the members' sheets;
it never counts in the council's mean."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from products.models import Dossier

from .criteria import CriteriaVersion, Criterion, CriterionOption


class SelfAssessment(models.Model):
    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="self_assessment",
    )
    criteria = models.ForeignKey(
        CriteriaVersion,
        verbose_name=_("criteria"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_by = models.CharField(
        _("assessed by"),
        max_length=200,
        help_text=_("Who scored: the producer's representative or the officer."),
    )
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, default=0)
    band_stars = models.PositiveSmallIntegerField(_("star band"), null=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True)
    cap_reason = models.TextField(_("why the star is capped"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self):
        return f"{self.dossier} · {self.total}"


class SelfAssessmentAnswer(models.Model):
    assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(
        CriterionOption, on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"],
                name="evaluations_self_answer_unique",
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0),
                name="evaluations_self_answer_points_positive",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.points}"
