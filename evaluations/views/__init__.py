"""Council pages: rounds and their exports in rounds.py, entries in entries.py, the
member's score sheet in sheets.py. The fetch-and-authorize helpers they share are here.

Blind scoring (DESIGN §5): every number that comes from other members' sheets goes
through permissions.can_see_scores before it reaches a template or a workbook.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy

from accounts.audit import history_rows

from ..models import Round, RoundEntry, ScoreSheet

# Labels for the audit actions and change keys these services record (history_rows
# falls back to the raw key for anything that is not a model field).
ACTION_LABELS = {
    "entry_added": gettext_lazy("Product assigned"),
    "entry_removed": gettext_lazy("Product removed"),
    "conflict_declared": gettext_lazy("Conflict of interest declared"),
    "conflict_automatic": gettext_lazy("Member excluded (linked to the producer)"),
    "sheet_reopened": gettext_lazy("Sheet reopened"),
    "reopened": gettext_lazy("Reopened"),
}
CHANGE_LABELS = {
    "product": gettext_lazy("product"),
    "member": gettext_lazy("member"),
}


def evaluation_history(obj) -> list[dict]:
    rows = history_rows(obj)
    for row in rows:
        row["action_label"] = ACTION_LABELS.get(
            row["event"].action, row["action_label"]
        )
        for change in row["changes"]:
            change["label"] = CHANGE_LABELS.get(change["label"], change["label"])
    return rows


# Lookups: scope first (404), then authorize (403) --------------------------------------


def get_round_for_user(user, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.visible_to(user).select_related(
            "council__unit", "regime", "created_by"
        ),
        pk=pk,
    )


def get_entry_for_user(user, pk: int) -> RoundEntry:
    return get_object_or_404(
        RoundEntry.objects.filter(
            round__in=Round.objects.visible_to(user).values("pk")
        ).select_related(
            "round__council__unit",
            "round__regime",
            "dossier__product__producer",
            "dossier__product__product_set",
            "dossier__district",
            "criteria__product_set",
        ),
        pk=pk,
    )


def get_sheet_for_user(user, pk: int) -> ScoreSheet:
    return get_object_or_404(
        ScoreSheet.objects.filter(
            entry__round__in=Round.objects.visible_to(user).values("pk")
        ).select_related(
            "member__user",
            "entry__round__council__unit",
            "entry__round__regime",
            "entry__dossier__product__producer",
            "entry__dossier__product__product_set",
            "entry__dossier__district",
            "entry__criteria",
        ),
        pk=pk,
    )


def excluded_response(request, *, entry: RoundEntry, reason: str) -> HttpResponse:
    return render(
        request,
        "evaluations/sheet_excluded.html",
        {"entry": entry, "round": entry.round, "reason": reason},
        status=403,
    )


def error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def dossier_documents(entry: RoundEntry):
    return entry.dossier.documents.filter(removed_at__isnull=True).select_related(
        "document_type"
    )
