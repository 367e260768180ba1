"""The advisory team's review of accepted dossiers (Điều 7.3c of 26/2026/QĐ-TTg): the
provincial OCOP office records the team's report, and the dossier may then go to a
round. Dossiers of earlier processes go to rounds without one."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import User
from core import clock
from core.states import InvalidTransition
from products import process as dossier_process
from products.models import Dossier, DossierStatus

from .models import AdvisoryReport
from .permissions import can_record_advisory_report


@transaction.atomic
def record_advisory_report(
    *,
    dossier: Dossier,
    user: User,
    team: str,
    findings: str,
    recommendation: str,
    supplements_requested: str = "",
    site_visit_on: datetime.date | None = None,
    lab_tests_requested: str = "",
) -> AdvisoryReport:
    """Record the advisory team's report on an accepted dossier; the dossier is then
    reviewed and a round may take it. A report asking for supplements is followed by
    the province returning the dossier (products.process.return_dossier).

    Raises PermissionDenied for anyone but the officers of the dossier's province,
    InvalidTransition unless the dossier is accepted, ValidationError when its process
    has no advisory review or an item of the report is empty.
    """
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not can_record_advisory_report(user, dossier):
        raise PermissionDenied
    if dossier.status != DossierStatus.ACCEPTED:
        raise InvalidTransition(f"{dossier.status}: not accepted")
    if dossier.process is None or not dossier.process.advisory_review:
        raise ValidationError(
            _("Under %(process)s the council scores without an advisory review.")
            % {"process": dossier.process or _("its process")}
        )
    items = {
        "team": (team or "").strip(),
        "findings": (findings or "").strip(),
        "recommendation": (recommendation or "").strip(),
    }
    errors = {
        name: _("This item of the report is required.")
        for name, text in items.items()
        if not text
    }
    today = clock.today()
    if site_visit_on is not None and site_visit_on > today:
        errors["site_visit_on"] = _("The site visit cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    report = AdvisoryReport.objects.create(
        dossier=dossier,
        supplements_requested=(supplements_requested or "").strip(),
        site_visit_on=site_visit_on,
        lab_tests_requested=(lab_tests_requested or "").strip(),
        reported_on=today,
        recorded_by=user,
        **items,
    )
    record_event(
        target=dossier,
        actor=user,
        action="advisory_report",
        reason=report.recommendation,
    )
    dossier_process.mark_reviewed(
        dossier=dossier,
        actor=user,
        reason=_("Advisory team report of %(day)s")
        % {"day": today.strftime("%d/%m/%Y")},
    )
    return report
