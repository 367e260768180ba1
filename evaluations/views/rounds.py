"""Rounds: the list and its export, creating a round, the round page and its actions
(assigning dossiers, opening scoring, finalising, recording the decision), the round's
workbook and its minutes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import clock
from core.exports import xlsx_response
from core.forms import add_service_error
from core.listing import list_context, paginate, wants_export
from products.models import EvaluationLevel

from .. import certificates, exports, results, services
from ..catalogue import basis_for_dossier
from ..filters import RoundFilter
from ..forms import DecisionForm, RoundForm
from ..models import (
    Answer,
    Certificate,
    CriteriaPart,
    Decision,
    RegimeLevel,
    Round,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from ..permissions import RoundAccess, can_create_round
from . import error_messages, evaluation_history, get_round_for_user


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
        return xlsx_response("evaluation-rounds", exports.round_list_workbook(rounds))
    return render(
        request,
        "evaluations/round_list.html",
        {
            **list_context(request, filters),
            "can_create": can_create_round(request.user),
            "calendar": _calendar(),
        },
    )


def _calendar() -> dict | None:
    """The provincial rounds of this year under the regime in force (Điều 5 of
    26/2026/QĐ-TTg), with the next one marked; None when the regime sets none."""
    today = clock.today()
    level = (
        RegimeLevel.objects.filter(
            level=EvaluationLevel.PROVINCE, regime__effective_from__lte=today
        )
        .exclude(calendar="")
        .select_related("regime")
        .order_by("-regime__effective_from")
        .first()
    )
    if level is None:
        return None
    rounds = [
        {"proposed_by": proposed, "held_by": held, "next": False}
        for proposed, held in level.rounds_of(today.year)
    ]
    upcoming = [row for row in rounds if row["held_by"] >= today]
    if upcoming:
        upcoming[0]["next"] = True
    return {"regime": level.regime, "year": today.year, "rounds": rounds}


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


def _round_context(request, round: Round, **extra) -> dict:
    user = request.user
    access = RoundAccess.of(user, round)
    member = access.member
    sort = request.GET.get("sort", "")
    rows = results.entry_rows(round=round, member=member, sort=sort)
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
        for message in error_messages(error):
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
                for message in error_messages(error):
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
            "product__producer",
            "product__product_set",
            "district",
            "product__commune",
            "process",
        )
        .order_by("district__code", "product__name", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        dossiers = dossiers.search(query)
    published = services.published_sheets()
    page_obj = paginate(request, dossiers)
    for dossier in page_obj:
        dossier.sheet_basis = basis_for_dossier(dossier, regime=round.regime)
        dossier.has_sheet = (
            dossier.product.product_set_id,
            dossier.sheet_basis,
        ) in published
    return render(
        request,
        "evaluations/round_assign.html",
        {"round": round, "page_obj": page_obj, "q": query},
    )


@require_POST
def round_finalise(request, pk: int):
    round = get_round_for_user(request.user, pk)
    if not RoundAccess.of(request.user, round).is_manager:
        raise PermissionDenied
    try:
        finalised = results.finalise_round(round=round, user=request.user)
    except ValidationError as error:
        for message in error_messages(error):
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
    rows = results.entry_rows(round=round, member=access.member)
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
    totals = (
        ScoreSheet.objects.filter(entry__round=round, status=SheetStatus.SUBMITTED)
        .select_related("member__user", "entry__dossier__product")
        .order_by("entry__dossier__product__name", "member_id")
    )
    # The builder reads the querysets only once the round is closed (blind scoring).
    sheets = exports.round_workbook(
        round=round, rows=rows, answers=answers, totals=totals
    )
    return xlsx_response(f"round-{round.pk}-{round.year}", sheets)


@require_GET
def round_minutes(request, pk: int):
    round = get_round_for_user(request.user, pk)
    access = RoundAccess.of(request.user, round)
    if not access.can_export:
        raise PermissionDenied
    # Imported here: this function is the only one of the module that needs them.
    from django.db.models import Exists, OuterRef

    from accounts.models import AuditEvent

    from ..models import Exclusion

    member = access.member
    members = list(round.council.members.select_related("user").order_by("pk"))
    # Taking part = a submitted sheet that counts: not one of a product the member
    # was excluded from afterwards.
    conflict = Exclusion.objects.filter(
        entry=OuterRef("entry"), member=OuterRef("member")
    )
    present = set(
        ScoreSheet.objects.filter(entry__round=round, status=SheetStatus.SUBMITTED)
        .exclude(Exists(conflict))
        .values_list("member_id", flat=True)
        .distinct()
    )
    exclusions = (
        Exclusion.objects.filter(entry__round=round)
        .select_related("entry__dossier__product")
        .order_by("entry__dossier__product__name", "pk")
    )
    closed = round.status == RoundStatus.CLOSED
    rows = results.entry_rows(round=round, member=member) if closed else []
    reopened = ScoreSheet.objects.filter(
        entry__round=round, reopened_count__gt=0
    ).select_related("member__user")
    # One query whatever the number of reopened sheets (a subquery, not a list).
    reopen_events = AuditEvent.objects.filter(
        content_type__app_label=ScoreSheet._meta.app_label,
        content_type__model=ScoreSheet._meta.model_name,
        object_id__in=reopened.values("pk"),
        action="reopened",
    ).order_by("at", "pk")
    context = exports.minutes_context(
        round=round,
        members=members,
        present=present,
        rows=rows,
        decision=Decision.objects.filter(round=round).first(),
        exclusions=exclusions,
        entry_count=round.entries.count(),
        reopened=reopened.order_by("member_id", "pk") if closed else (),
        reopen_events=reopen_events if closed else (),
    )
    return render(request, "evaluations/round_minutes.html", context)
