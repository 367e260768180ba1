"""Council pages: rounds, the aggregate, entries, score sheets, exports and minutes.

Blind scoring (DESIGN §5): every number that comes from other members' sheets goes
through permissions.can_see_scores before it reaches a template or a workbook.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from core.exports import Sheet, xlsx_response
from core.files import private_file_response
from core.forms import add_service_error
from core.listing import export_url, paginate, wants_export

from . import certificates, results, scoring, services
from .filters import RoundFilter
from .forms import ConflictForm, DecisionForm, ReasonForm, RoundForm, ScoreSheetForm
from .models import (
    Answer,
    Certificate,
    CouncilMember,
    CouncilRole,
    CriteriaPart,
    Criterion,
    Decision,
    Exclusion,
    Round,
    RoundEntry,
    RoundResult,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from .permissions import RoundAccess, can_create_round, can_see_scores

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


def _excluded_response(request, *, entry: RoundEntry, reason: str) -> HttpResponse:
    return render(
        request,
        "evaluations/sheet_excluded.html",
        {"entry": entry, "round": entry.round, "reason": reason},
        status=403,
    )


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# Rounds ------------------------------------------------------------------------------


def _filtered_rounds(request) -> RoundFilter:
    return RoundFilter(
        request.GET,
        queryset=Round.objects.visible_to(request.user)
        .select_related("council", "regime")
        .annotate(entry_count=Count("entries", distinct=True))
        .order_by("-year", "-pk"),
        request=request,
    )


@require_GET
def round_list(request):
    filters = _filtered_rounds(request)
    rounds = filters.qs
    if wants_export(request):
        return xlsx_response(
            "evaluation-rounds",
            [
                Sheet(
                    _("Evaluation rounds"),
                    [
                        _("Name"),
                        _("Council"),
                        _("Year"),
                        _("Level"),
                        _("Regime"),
                        _("Status"),
                        _("Products"),
                    ],
                    (
                        [
                            round.name,
                            round.council.name,
                            round.year,
                            round.get_level_display(),
                            round.regime.decision,
                            round.get_status_display(),
                            round.entry_count,
                        ]
                        for round in rounds
                    ),
                )
            ],
        )
    return render(
        request,
        "evaluations/round_list.html",
        {
            "page_obj": paginate(request, rounds),
            "filter_form": filters.form,
            "export_url": export_url(request),
            "can_create": can_create_round(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def round_create(request):
    if not can_create_round(request.user):
        raise PermissionDenied
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round = services.create_round(
                user=request.user,
                council=data["council"],
                regime=data["regime"],
                name=data["name"],
                year=data["year"],
                spread_threshold=data["spread_threshold"],
                quorum=data["quorum"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The round is open for preparation."))
            return redirect(round)
    return render(request, "evaluations/round_form.html", {"form": form})


@dataclass
class EntryRow:
    """One product of the round as the current user may see it."""

    entry: RoundEntry
    aggregate: results.EntryAggregate
    my_sheet: ScoreSheet | None
    exclusion: Exclusion | None
    scores_visible: bool
    result: RoundResult | None
    certificate: Certificate | None
    part_values: list = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        return self.exclusion is not None


SORTS = {
    "mean": lambda row: row.aggregate.mean,
    "spread": lambda row: row.aggregate.spread,
}


def _entry_rows(
    round: Round, member: CouncilMember | None, sort: str
) -> list[EntryRow]:
    """The round's products with aggregates masked by blind scoring, in a fixed number
    of queries."""
    aggregates = results.entry_aggregates(round=round)
    my_sheets, my_exclusions = {}, {}
    if member is not None:
        my_sheets = {
            sheet.entry_id: sheet
            for sheet in ScoreSheet.objects.filter(entry__round=round, member=member)
        }
        my_exclusions = {
            exclusion.entry_id: exclusion
            for exclusion in Exclusion.objects.filter(entry__round=round, member=member)
        }
    round_results, round_certificates = {}, {}
    if round.status == RoundStatus.CLOSED:
        round_results = {
            result.entry_id: result
            for result in RoundResult.objects.filter(entry__round=round)
        }
        round_certificates = {
            certificate.result_id: certificate
            for certificate in Certificate.objects.filter(result__entry__round=round)
        }
    rows = []
    for aggregate in aggregates:
        entry = aggregate.entry
        my_sheet = my_sheets.get(entry.pk)
        exclusion = my_exclusions.get(entry.pk)
        result = round_results.get(entry.pk)
        rows.append(
            EntryRow(
                entry=entry,
                aggregate=aggregate,
                my_sheet=my_sheet,
                exclusion=exclusion,
                scores_visible=can_see_scores(
                    round=round,
                    member=member,
                    own_status=my_sheet.status if my_sheet else None,
                    excluded=exclusion is not None,
                ),
                result=result,
                certificate=round_certificates.get(result.pk) if result else None,
            )
        )
    key = SORTS.get(sort.lstrip("-"))
    if key is not None:
        # Hidden or empty values sort last whatever the direction.
        shown = [row for row in rows if row.scores_visible and key(row) is not None]
        hidden = [row for row in rows if row not in shown]
        shown.sort(key=key, reverse=not sort.startswith("-"))
        rows = shown + hidden
    return rows


def _round_context(request, round: Round, **extra) -> dict:
    user = request.user
    access = RoundAccess.of(user, round)
    member = access.member
    sort = request.GET.get("sort", "")
    rows = _entry_rows(round, member, sort)
    decision = Decision.objects.filter(round=round).first()
    # Certificates are scoped like products: council members without a programme
    # role see the number without a link to a page they may not open.
    linked_certificates = set()
    if decision is not None:
        linked_certificates = set(
            Certificate.objects.visible_to(user)
            .filter(decision=decision)
            .values_list("pk", flat=True)
        )
    part_codes = set(
        CriteriaPart.objects.filter(
            version__in={row.entry.criteria_id for row in rows}
        ).values_list("code", flat=True)
    )
    for row in rows:
        row.part_values = [
            row.aggregate.part_means.get(code) for code in sorted(part_codes)
        ]
    context = {
        "round": round,
        "member": member,
        "is_manager": access.is_manager,
        "rows": rows,
        "part_codes": sorted(part_codes),
        "sort": sort,
        "decision": decision,
        "linked_certificates": linked_certificates,
        "can_assign": access.can_assign,
        "can_open_scoring": access.can_open_scoring,
        "can_finalise": access.can_finalise,
        "can_record_decision": access.can_record_decision and decision is None,
        "can_export": access.can_export,
        "flagged_count": sum(
            1 for row in rows if row.scores_visible and row.aggregate.flagged
        ),
        "history": evaluation_history(round),
    }
    if context["can_record_decision"] and "decision_form" not in extra:
        context["decision_form"] = DecisionForm()
    context.update(extra)
    return context


@require_GET
def round_detail(request, pk: int):
    round = get_round_for_user(request.user, pk)
    return render(
        request, "evaluations/round_detail.html", _round_context(request, round)
    )


@require_POST
def round_open_scoring(request, pk: int):
    round = get_round_for_user(request.user, pk)
    if not RoundAccess.of(request.user, round).is_manager:
        raise PermissionDenied
    try:
        services.open_scoring(round=round, user=request.user)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Scoring is open: members can now score."))
    return redirect(round)


@require_http_methods(["GET", "POST"])
def round_assign(request, pk: int):
    round = get_round_for_user(request.user, pk)
    if not RoundAccess.of(request.user, round).can_assign:
        raise PermissionDenied
    if request.method == "POST":
        chosen = [value for value in request.POST.getlist("dossier") if value.isdigit()]
        dossiers = services.eligible_dossiers(round).filter(pk__in=chosen)
        assigned = 0
        for dossier in dossiers.select_related("product"):
            try:
                services.assign_dossier(round=round, dossier=dossier, user=request.user)
            except ValidationError as error:
                for message in _error_messages(error):
                    messages.error(request, message)
            else:
                assigned += 1
        if assigned:
            messages.success(
                request,
                _("%(count)s products assigned to the round.") % {"count": assigned},
            )
        elif not chosen:
            messages.warning(request, _("Tick the dossiers to assign."))
        return redirect(round)
    dossiers = (
        services.eligible_dossiers(round)
        .select_related(
            "product__producer", "product__product_set", "district", "product__commune"
        )
        .order_by("district__code", "product__name", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        dossiers = dossiers.search(query)
    with_sheet = set(
        services.published_sets(classification_id=round.regime.classification_id)
    )
    page_obj = paginate(request, dossiers)
    return render(
        request,
        "evaluations/round_assign.html",
        {"round": round, "page_obj": page_obj, "with_sheet": with_sheet, "q": query},
    )


@require_POST
def round_finalise(request, pk: int):
    round = get_round_for_user(request.user, pk)
    if not RoundAccess.of(request.user, round).is_manager:
        raise PermissionDenied
    try:
        finalised = results.finalise_round(round=round, user=request.user)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The round is finalised: %(count)s results.") % {"count": len(finalised)},
        )
    return redirect(round)


@require_POST
def round_decision(request, pk: int):
    round = get_round_for_user(request.user, pk)
    if not RoundAccess.of(request.user, round).is_chair:
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = certificates.record_decision(
                round=round, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Decision %(number)s recorded: %(count)s certificates issued.")
                % {"number": decision.number, "count": decision.certificates.count()},
            )
            return redirect(round)
    context = _round_context(request, round, decision_form=form)
    context["can_record_decision"] = True
    return render(request, "evaluations/round_detail.html", context)


# Exports -----------------------------------------------------------------------------


@require_GET
def round_export(request, pk: int):
    round = get_round_for_user(request.user, pk)
    access = RoundAccess.of(request.user, round)
    if not access.can_export:
        raise PermissionDenied
    rows = _entry_rows(round, access.member, "")
    part_codes = sorted({code for row in rows for code in row.aggregate.part_means})
    closed = round.status == RoundStatus.CLOSED
    headers = [
        _("Product code"),
        _("Product"),
        _("Producer"),
        _("District"),
        _("Sheets submitted"),
        _("Sheets expected"),
        _("Mean"),
        *[_("Part %(code)s") % {"code": code} for code in part_codes],
        _("Lowest"),
        _("Highest"),
        _("Spread"),
        _("Flagged"),
    ]
    if closed:
        headers += [_("Stars"), _("Outcome")]

    def summary(row: EntryRow) -> list:
        product = row.entry.dossier.product
        values = [
            product.code,
            product.name,
            product.producer.name,
            row.entry.dossier.district.short_name,
            row.aggregate.submitted,
            row.aggregate.expected,
        ]
        if row.scores_visible:
            aggregate = row.aggregate
            values += [
                aggregate.mean,
                *[aggregate.part_means.get(code) for code in part_codes],
                aggregate.min,
                aggregate.max,
                aggregate.spread,
                _("yes") if aggregate.flagged else "",
            ]
        else:
            values += [""] * (5 + len(part_codes))
        if closed:
            values += (
                [row.result.stars, row.result.get_outcome_display()]
                if row.result
                else ["", ""]
            )
        return values

    sheets = [Sheet(_("Aggregate"), headers, (summary(row) for row in rows))]
    if closed:
        # Raw points only once the round is closed: before, they would show a member
        # other members' scores.
        answers = (
            Answer.objects.filter(
                sheet__entry__round=round, sheet__status=SheetStatus.SUBMITTED
            )
            .select_related(
                "sheet__member__user",
                "sheet__entry__dossier__product",
                "criterion__part",
                "option",
            )
            .order_by(
                "sheet__entry__dossier__product__name",
                "sheet__member_id",
                "criterion__part__position",
                "criterion__group__position",
                "criterion__position",
            )
        )
        sheets.append(
            Sheet(
                _("Points per criterion"),
                [
                    _("Product code"),
                    _("Product"),
                    _("Member"),
                    _("Part"),
                    _("Criterion"),
                    _("Answer"),
                    _("Points"),
                ],
                (
                    [
                        answer.sheet.entry.dossier.product.code,
                        answer.sheet.entry.dossier.product.name,
                        str(answer.sheet.member.user),
                        answer.criterion.part.code,
                        f"{answer.criterion.code} {answer.criterion.name}",
                        answer.option.text,
                        answer.points,
                    ]
                    for answer in answers
                ),
            )
        )
        totals = (
            ScoreSheet.objects.filter(entry__round=round, status=SheetStatus.SUBMITTED)
            .select_related("member__user", "entry__dossier__product")
            .order_by("entry__dossier__product__name", "member_id")
        )
        sheets.append(
            Sheet(
                _("Totals per member"),
                [_("Product code"), _("Product"), _("Member"), _("Total")],
                (
                    [
                        sheet.entry.dossier.product.code,
                        sheet.entry.dossier.product.name,
                        str(sheet.member.user),
                        sheet.total,
                    ]
                    for sheet in totals
                ),
            )
        )
    return xlsx_response(f"round-{round.pk}-{round.year}", sheets)


@require_GET
def round_minutes(request, pk: int):
    round = get_round_for_user(request.user, pk)
    access = RoundAccess.of(request.user, round)
    if not access.can_export:
        raise PermissionDenied
    member = access.member
    members = list(round.council.members.select_related("user").order_by("pk"))
    present = set(
        ScoreSheet.objects.filter(entry__round=round, status=SheetStatus.SUBMITTED)
        .values_list("member_id", flat=True)
        .distinct()
    )
    rows = _entry_rows(round, member, "") if round.status == RoundStatus.CLOSED else []
    return render(
        request,
        "evaluations/round_minutes.html",
        {
            "round": round,
            "members": members,
            "present": present,
            "present_count": sum(1 for m in members if m.pk in present),
            "rows": rows,
            "chair": next((m for m in members if m.role == CouncilRole.CHAIR), None),
            "secretary": next(
                (m for m in members if m.role == CouncilRole.SECRETARY), None
            ),
            "decision": Decision.objects.filter(round=round).first(),
        },
    )


# Entries -----------------------------------------------------------------------------


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
        "documents": _documents(entry),
        "reopen_form": ReasonForm(),
        "reopen_sheet_id": None,
    }
    context.update(extra)
    return context


def _documents(entry: RoundEntry):
    return entry.dossier.documents.filter(removed_at__isnull=True).select_related(
        "document_type"
    )


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
        for message in _error_messages(error):
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
def sheet_open(request, pk: int):
    """The member's sheet of an entry, created on first open."""
    entry = get_entry_for_user(request.user, pk)
    try:
        sheet = services.open_sheet(entry=entry, user=request.user)
    except services.ConflictOfInterest as error:
        return _excluded_response(request, entry=entry, reason=str(error))
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
        return redirect(entry.round)
    return redirect(sheet)


# Score sheets ------------------------------------------------------------------------


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


def _totals(parts: list[dict], choices: dict[int, int]) -> dict:
    """Running total, per-part subtotals and the star band of one sheet."""
    part_rows, total, answered, count = [], 0, 0, 0
    for part in parts:
        subtotal = 0
        for group in part["groups"]:
            for criterion in group["criteria"]:
                count += 1
                option_id = choices.get(criterion.pk)
                option = next(
                    (o for o in criterion.options.all() if o.pk == option_id), None
                )
                if option is not None:
                    subtotal += option.points
                    answered += 1
        part_rows.append({"part": part["part"], "subtotal": subtotal})
        total += subtotal
    return {
        "parts": part_rows,
        "total": total,
        "answered": answered,
        "count": count,
        "band": scoring.star_band(total) if answered else None,
    }


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
        "documents": _documents(entry),
        "parts": parts,
        "form": form,
        "totals": _totals(parts, choices),
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
        return _excluded_response(request, entry=sheet.entry, reason=exclusion.reason)
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
        {"totals": _totals(parts, form.choices()), "sheet": sheet},
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
        sheet = services.save_sheet(
            sheet=sheet, user=request.user, choices=form.choices()
        )
        if submit:
            sheet = services.submit_sheet(sheet=sheet, user=request.user)
    except services.ConflictOfInterest as error:
        return _excluded_response(request, entry=sheet.entry, reason=str(error))
    except ValidationError as error:
        for message in _error_messages(error):
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


@require_POST
def sheet_reopen(request, pk: int):
    sheet = get_sheet_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, sheet.entry_id)
    if not RoundAccess.of(request.user, entry.round).can_reopen_sheets:
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_sheet(
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
