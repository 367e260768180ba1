"""A round's entry: its page (members' sheets, exclusions, the dossier's documents),
removing it from the round, declaring a conflict of interest, and the chair reopening
a member's sheet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import private_file_response
from core.forms import add_service_error

from .. import results, services
from ..forms import ConflictForm, ReasonForm
from ..models import RoundEntry
from ..permissions import RoundAccess, can_see_scores
from ..self_assessment import summary_of
from ..sheets import reopen_sheet
from . import (
    dossier_documents,
    error_messages,
    get_entry_for_user,
    get_sheet_for_user,
)


def _entry_context(request, entry: RoundEntry, **extra) -> dict:
    round = entry.round
    access = RoundAccess.of(request.user, round)
    member = access.member
    members = list(round.council.members.select_related("user").order_by("pk"))
    sheets = {sheet.member_id: sheet for sheet in entry.sheets.all()}
    exclusions = {
        exclusion.member_id: exclusion for exclusion in entry.exclusions.all()
    }
    my_sheet = sheets.get(member.pk) if member else None
    visible = can_see_scores(
        round=round,
        member=member,
        own_status=my_sheet.status if my_sheet else None,
        excluded=member is not None and member.pk in exclusions,
    )
    aggregate = next(
        a for a in results.entry_aggregates(round=round) if a.entry.pk == entry.pk
    )
    rows = [
        {
            "member": m,
            "sheet": sheets.get(m.pk),
            "exclusion": exclusions.get(m.pk),
        }
        for m in members
    ]
    context = {
        "entry": entry,
        "round": round,
        "member": member,
        "is_manager": access.is_manager,
        "rows": rows,
        "scores_visible": visible,
        "aggregate": aggregate,
        "my_sheet": my_sheet,
        "my_exclusion": exclusions.get(member.pk) if member else None,
        "can_reopen": access.can_reopen_sheets,
        "can_remove": access.can_remove_entry(has_sheets=bool(sheets)),
        "documents": dossier_documents(entry),
        "reopen_form": ReasonForm(),
        "reopen_sheet_id": None,
        # The producer's self-assessment (Mẫu 02), beside the members' sheets and
        # never counted in the mean (one query).
        "self_assessment": summary_of(entry.dossier_id),
    }
    context.update(extra)
    return context


@require_GET
def entry_document(request, pk: int, document_pk: int):
    """A document of an entry's dossier, for the council that scores it.

    Council members are outside the dossier's district scope (products' download view
    answers 404 to them), yet they must read the dossier they score (DESIGN §6).
    """
    entry = get_entry_for_user(request.user, pk)
    document = get_object_or_404(
        entry.dossier.documents.filter(removed_at__isnull=True), pk=document_pk
    )
    return private_file_response(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        attachment=False,
    )


@require_GET
def entry_detail(request, pk: int):
    entry = get_entry_for_user(request.user, pk)
    return render(
        request, "evaluations/entry_detail.html", _entry_context(request, entry)
    )


@require_POST
def entry_remove(request, pk: int):
    entry = get_entry_for_user(request.user, pk)
    if not RoundAccess.of(request.user, entry.round).is_manager:
        raise PermissionDenied
    try:
        round = services.remove_entry(entry=entry, user=request.user)
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return redirect("evaluations:entry-detail", entry.pk)
    messages.success(
        request,
        _("%(product)s was removed from the round.")
        % {"product": entry.dossier.product},
    )
    return redirect(round)


@require_http_methods(["GET", "POST"])
def entry_conflict(request, pk: int):
    entry = get_entry_for_user(request.user, pk)
    if not RoundAccess.of(request.user, entry.round).is_member:
        raise PermissionDenied
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(
                entry=entry, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your conflict of interest is recorded: you will not score "
                    "%(product)s."
                )
                % {"product": entry.dossier.product},
            )
            return redirect(entry.round)
    return render(
        request,
        "evaluations/entry_conflict.html",
        {"entry": entry, "round": entry.round, "form": form},
    )


@require_POST
def sheet_reopen(request, pk: int):
    sheet = get_sheet_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, sheet.entry_id)
    if not RoundAccess.of(request.user, entry.round).can_reopen_sheets:
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reopen_sheet(
                sheet=sheet, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The sheet of %(member)s is reopened for re-scoring.")
                % {"member": sheet.member.user},
            )
            return redirect("evaluations:entry-detail", entry.pk)
    context = _entry_context(request, entry, reopen_form=form, reopen_sheet_id=sheet.pk)
    return render(request, "evaluations/entry_detail.html", context)
