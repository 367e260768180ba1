"""The advisory team's report on an accepted dossier (26/2026/QĐ-TTg, Điều 7.3c)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_error
from core.states import InvalidTransition
from products.models import DossierStatus
from products.views.dossiers import get_dossier_for_user

from ..advisory import record_advisory_report
from ..forms import AdvisoryReportForm
from ..permissions import can_record_advisory_report
from ..self_assessment import summary_of


@require_http_methods(["GET", "POST"])
def advisory_report(request, pk: int):
    dossier = get_dossier_for_user(request.user, pk)
    if not can_record_advisory_report(request.user, dossier):
        raise PermissionDenied
    if dossier.status != DossierStatus.ACCEPTED:
        messages.error(
            request,
            _("This action is not possible: the dossier is now %(status)s.")
            % {"status": dossier.get_status_display().lower()},
        )
        return redirect(dossier)
    form = AdvisoryReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_advisory_report(
                dossier=dossier, user=request.user, **form.cleaned_data
            )
        except InvalidTransition:
            return redirect(dossier)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The advisory team's report is recorded: the dossier can go to a round."
                ),
            )
            return redirect(dossier)
    return render(
        request,
        "evaluations/advisory_report_form.html",
        {
            "dossier": dossier,
            "product": dossier.product,
            "form": form,
            # The producer's self-assessment, beside the team's report (one query).
            "self_assessment": summary_of(dossier.pk),
        },
    )
