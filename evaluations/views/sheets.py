"""The member's score sheet: opening it, the page, the live totals (htmx) and saving
or submitting it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import results, scoring
from ..forms import ScoreSheetForm
from ..models import Criterion, Exclusion, RoundStatus, ScoreSheet, SheetStatus
from ..sheets import ConflictOfInterest, open_sheet, save_sheet, submit_sheet
from . import (
    dossier_documents,
    error_messages,
    evaluation_history,
    excluded_response,
    get_entry_for_user,
    get_sheet_for_user,
)


@require_POST
def sheet_open(request, pk: int):
    """The member's sheet of an entry, created on first open."""
    entry = get_entry_for_user(request.user, pk)
    try:
        sheet = open_sheet(entry=entry, user=request.user)
    except ConflictOfInterest as error:
        return excluded_response(request, entry=entry, reason=str(error))
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return redirect(entry.round)
    return redirect(sheet)


def _criteria_tree(version_id: int) -> tuple[list[dict], list[Criterion]]:
    """Parts → groups → criteria (with options) of a sheet, in two queries."""
    criteria = list(
        Criterion.objects.filter(part__version=version_id)
        .select_related("part", "group")
        .prefetch_related("options")
        .order_by("part__position", "group__position", "position", "pk")
    )
    parts: list[dict] = []
    for criterion in criteria:
        if not parts or parts[-1]["part"].pk != criterion.part_id:
            parts.append({"part": criterion.part, "groups": []})
        groups = parts[-1]["groups"]
        if not groups or groups[-1]["group"].pk != criterion.group_id:
            groups.append({"group": criterion.group, "criteria": []})
        groups[-1]["criteria"].append(criterion)
    return parts, criteria


def _sheet_context(request, sheet: ScoreSheet, form: ScoreSheetForm | None = None):
    entry = sheet.entry
    round = entry.round
    parts, criteria = _criteria_tree(entry.criteria_id)
    if form is None:
        form = ScoreSheetForm(
            criteria=criteria,
            initial={
                f"c{criterion_id}": option_id
                for criterion_id, option_id in sheet.answers.values_list(
                    "criterion_id", "option_id"
                )
            },
        )
        choices = {int(k[1:]): v for k, v in form.initial.items()}
    else:
        choices = form.choices()
    for part in parts:
        for group in part["groups"]:
            for criterion in group["criteria"]:
                criterion.chosen = choices.get(criterion.pk)
    editable = sheet.status == SheetStatus.DRAFT and round.status == RoundStatus.SCORING
    aggregate = None
    if sheet.is_submitted:
        aggregate = next(
            (
                a
                for a in results.entry_aggregates(round=round)
                if a.entry.pk == entry.pk
            ),
            None,
        )
    return {
        "sheet": sheet,
        "entry": entry,
        "round": round,
        "dossier": entry.dossier,
        "product": entry.dossier.product,
        "documents": dossier_documents(entry),
        "parts": parts,
        "form": form,
        "totals": scoring.totals(parts, choices),
        "editable": editable,
        "aggregate": aggregate,
        "history": evaluation_history(sheet),
    }


def _own_sheet(request, pk: int) -> ScoreSheet | HttpResponse:
    """The user's own sheet, or the 403 page for an excluded member."""
    sheet = get_sheet_for_user(request.user, pk)
    if sheet.member.user_id != request.user.pk:
        raise PermissionDenied
    exclusion = Exclusion.objects.filter(entry=sheet.entry, member=sheet.member).first()
    if exclusion is not None:
        return excluded_response(request, entry=sheet.entry, reason=exclusion.reason)
    return sheet


@require_GET
def sheet_detail(request, pk: int):
    sheet = _own_sheet(request, pk)
    if isinstance(sheet, HttpResponse):
        return sheet
    return render(
        request, "evaluations/sheet_form.html", _sheet_context(request, sheet)
    )


def _bound_form(request, sheet: ScoreSheet) -> ScoreSheetForm:
    _parts, criteria = _criteria_tree(sheet.entry.criteria_id)
    form = ScoreSheetForm(request.POST, criteria=criteria)
    form.is_valid()
    return form


@require_POST
def sheet_totals(request, pk: int):
    """htmx: the totals of the answers ticked so far, computed without saving.

    Nothing is written on each click: the draft is saved only by "Save draft" or
    "Submit", so the audit trail records decisions, not every hesitation.
    """
    sheet = _own_sheet(request, pk)
    if isinstance(sheet, HttpResponse):
        return sheet
    parts, _criteria = _criteria_tree(sheet.entry.criteria_id)
    form = _bound_form(request, sheet)
    return render(
        request,
        "evaluations/_sheet_totals.html",
        {"totals": scoring.totals(parts, form.choices()), "sheet": sheet},
    )


@require_POST
def sheet_save(request, pk: int):
    sheet = _own_sheet(request, pk)
    if isinstance(sheet, HttpResponse):
        return sheet
    form = _bound_form(request, sheet)
    submit = request.POST.get("action") == "submit"
    try:
        if not form.is_valid():
            raise ValidationError(
                _("An answer does not belong to this sheet's criteria.")
            )
        # Save first, so that answers given are kept even when the submit is refused.
        sheet = save_sheet(sheet=sheet, user=request.user, choices=form.choices())
        if submit:
            sheet = submit_sheet(sheet=sheet, user=request.user)
    except ConflictOfInterest as error:
        return excluded_response(request, entry=sheet.entry, reason=str(error))
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        sheet.refresh_from_db()
        return render(
            request,
            "evaluations/sheet_form.html",
            _sheet_context(request, sheet, form=form),
        )
    if submit:
        messages.success(
            request,
            _("Your sheet is submitted: %(total)s points.") % {"total": sheet.total},
        )
    else:
        messages.success(request, _("Draft saved."))
    return redirect(sheet)
