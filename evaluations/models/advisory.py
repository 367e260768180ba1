"""The advisory team's report on a dossier (Tổ tư vấn Hội đồng cấp tỉnh, Điều 7.3c of
26/2026/QĐ-TTg): after the province accepts a dossier and before the council scores
it, the team reviews it, may ask for supplements, visit the site and ask for more
laboratory tests, and reports to the council's chair."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from products.models import Dossier


class AdvisoryReport(models.Model):
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="advisory_reports",
    )
    team = models.CharField(
        _("advisory team"),
        max_length=500,
        help_text=_(
            "The members who reviewed the dossier, as in the council decision."
        ),
    )
    findings = models.TextField(_("findings"))
    supplements_requested = models.TextField(_("supplements requested"), blank=True)
    site_visit_on = models.DateField(_("site visit on"), null=True, blank=True)
    lab_tests_requested = models.TextField(_("additional laboratory tests"), blank=True)
    recommendation = models.TextField(_("recommendation to the council"))
    reported_on = models.DateField(_("reported on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("advisory team report")
        verbose_name_plural = _("advisory team reports")
        ordering = ["dossier", "-reported_on", "-pk"]

    def __str__(self):
        return f"{self.dossier} · {self.reported_on:%d/%m/%Y}"
