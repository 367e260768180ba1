"""The self-assessment report (Mẫu 02): its page (the form for the dossier's
compiling officer, read-only for everyone else who may read the dossier) and its live
totals (htmx)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import history_rows
from products.models import Dossier
from products.permissions import can_compile_dossier

from .. import scoring
from ..catalogue import basis_label
from ..forms import ScoreSheetForm
from ..models import Round, RoundEntry
from ..self_assessment import (
    MAX_ASSESSED_BY,
    can_fill,
    closed_message,
    is_open,
    no_sheet_message,
    save_self_assessment,
    sheet_for,
    summary_of,
)
from . import error_messages
from .sheets import _criteria_tree, mark_choices


class AssessedByForm(forms.Form):
    assessed_by = forms.CharField(
        label=gettext_lazy("Assessed by"),
        max_length=MAX_ASSESSED_BY,
        help_text=gettext_lazy(
            "Who scored: the producer's representative (name and position) or the "
            "officer."
        ),
    )


def get_dossier_for_reader(user, pk: int) -> Dossier:
    """A dossier the user may read: in their scope (products), or held by a round
    they see (its council's members, the province's officers). 404 otherwise."""
    in_rounds = RoundEntry.objects.filter(
        round__in=Round.objects.visible_to(user).values("pk")
    ).values("dossier_id")
    return get_object_or_404(
        Dossier.objects.filter(
            Q(pk__in=Dossier.objects.visible_to(user).values("pk"))
            | Q(pk__in=in_rounds)
        ).select_related(
            "product__producer",
            "product__product_set__classification",
            "process",
        ),
        pk=pk,
    )


def _page_context(
    request,
    dossier: Dossier,
    *,
    form: AssessedByForm | None = None,
    sheet_form: ScoreSheetForm | None = None,
) -> dict:
    assessment = summary_of(dossier.pk)
    editable = can_fill(request.user, dossier)
    no_sheet = ""
    if editable:
        version = sheet_for(dossier)
        if version is None:
            no_sheet = no_sheet_message(dossier)
            editable = False
    else:
        version = assessment.criteria if assessment is not None else None
    context = {
        "dossier": dossier,
        "product": dossier.product,
        "assessment": assessment,
        "editable": editable,
        "no_sheet": no_sheet,
        "closed": (
            closed_message(dossier)
            if not is_open(dossier) and can_compile_dossier(request.user, dossier)
            else ""
        ),
        "criteria_version": version,
        "basis": basis_label(version.basis) if version is not None else "",
        "history": history_rows(assessment) if assessment is not None else [],
        # Council members read the report through their round, not the dossier page.
        "dossier_visible": Dossier.objects.visible_to(request.user)
        .filter(pk=dossier.pk)
        .exists(),
    }
    if version is None:
        return context
    parts, criteria = _criteria_tree(version.pk)
    outdated = assessment is not None and assessment.criteria_id != version.pk
    if sheet_form is not None:
        choices, cases = sheet_form.choices(), sheet_form.cases()
    else:
        choices = (
            {}
            if assessment is None or outdated
            else dict(assessment.answers.values_list("criterion_id", "option_id"))
        )
        cases = {
            c.group_id: c.pk
            for c in criteria
            if c.group.alternatives and c.pk in choices
        }
    mark_choices(parts, choices, cases)
    if form is None and editable:
        form = AssessedByForm(
            initial={"assessed_by": assessment.assessed_by if assessment else ""}
        )
    context.update(
        {
            "form": form,
            "parts": parts,
            "totals": scoring.totals(parts, choices),
            "outdated": outdated,
            # The partial's inputs for a member's sheet: a self-assessment records no
            # disqualification check.
            "disqualifier": "",
            "disqualifier_check": "",
            "check_choices": [],
        }
    )
    return context


def _render(request, dossier, **kwargs):
    return render(
        request,
        "evaluations/self_assessment_form.html",
        _page_context(request, dossier, **kwargs),
    )


@require_http_methods(["GET", "POST"])
def self_assessment(request, pk: int):
    dossier = get_dossier_for_reader(request.user, pk)
    if request.method == "GET":
        return _render(request, dossier)
    if not can_compile_dossier(request.user, dossier):
        raise PermissionDenied
    here = redirect("evaluations:self-assessment", dossier.pk)
    if not is_open(dossier):
        messages.error(request, closed_message(dossier))
        return here
    version = sheet_for(dossier)
    if version is None:
        messages.error(request, no_sheet_message(dossier))
        return here
    _parts, criteria = _criteria_tree(version.pk)
    sheet_form = ScoreSheetForm(request.POST, criteria=criteria, disqualifier="")
    form = AssessedByForm(request.POST)
    if not sheet_form.is_valid():
        messages.error(
            request, _("An answer does not belong to this sheet's criteria.")
        )
    elif form.is_valid():
        try:
            assessment = save_self_assessment(
                dossier=dossier,
                user=request.user,
                choices=sheet_form.choices(),
                assessed_by=form.cleaned_data["assessed_by"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                for message in error_messages(error):
                    messages.error(request, message)
        else:
            messages.success(
                request,
                _("The self-assessment is saved: %(total)s points.")
                % {"total": f"{assessment.total.normalize():f}"},
            )
            return here
    return _render(request, dossier, form=form, sheet_form=sheet_form)


@require_POST
def self_assessment_totals(request, pk: int):
    """htmx: the totals of the answers ticked so far, computed without saving."""
    dossier = get_dossier_for_reader(request.user, pk)
    if not can_fill(request.user, dossier):
        raise PermissionDenied
    version = sheet_for(dossier)
    if version is None:
        raise Http404
    parts, criteria = _criteria_tree(version.pk)
    form = ScoreSheetForm(request.POST, criteria=criteria, disqualifier="")
    form.is_valid()
    return render(
        request,
        "evaluations/_sheet_totals.html",
        {"totals": scoring.totals(parts, form.choices())},
    )
