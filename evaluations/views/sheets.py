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
from ..models import (
    DisqualifierCheck,
    Exclusion,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from ..sheets import (
    ConflictOfInterest,
    open_sheet,
    save_sheet,
    submit_sheet,
)
from ..sheets import (
    criteria_tree as _criteria_tree,
)
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


def mark_choices(parts: list[dict], choices: dict[int, int], cases: dict[int, int]):
    """Mark on the tree what is ticked (criterion.chosen) and, in each group of
    alternative cases, the case scored (group.case) and the others (criterion.off)."""
    for part in parts:
        for group in part["groups"]:
            group["case"] = cases.get(group["group"].pk)
            for criterion in group["criteria"]:
                criterion.chosen = choices.get(criterion.pk)
                criterion.off = (
                    criterion.group.alternatives
                    and group["case"] is not None
                    and group["case"] != criterion.pk
                )


def _sheet_context(request, sheet: ScoreSheet, form: ScoreSheetForm | None = None):
    entry = sheet.entry
    round = entry.round
    parts, criteria = _criteria_tree(entry.criteria_id)
    if form is None:
        choices = dict(sheet.answers.values_list("criterion_id", "option_id"))
        initial = {
            f"c{criterion_id}": option for criterion_id, option in choices.items()
        }
        initial["disqualifier_check"] = sheet.disqualifier_check
        form = ScoreSheetForm(
            criteria=criteria,
            disqualifier=entry.criteria.disqualifier,
            initial=initial,
        )
        cases = {
            c.group_id: c.pk
            for c in criteria
            if c.group.alternatives and c.pk in choices
        }
        check = sheet.disqualifier_check
    else:
        choices = form.choices()
        cases = form.cases()
        check = form.disqualifier_check() or ""
    mark_choices(parts, choices, cases)
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
        "disqualifier": entry.criteria.disqualifier,
        "disqualifier_check": check,
        "check_choices": DisqualifierCheck.choices,
        "criteria_version": entry.criteria,
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
    form = ScoreSheetForm(
        request.POST, criteria=criteria, disqualifier=sheet.entry.criteria.disqualifier
    )
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
        sheet = save_sheet(
            sheet=sheet,
            user=request.user,
            choices=form.choices(),
            disqualifier_check=form.disqualifier_check(),
        )
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
