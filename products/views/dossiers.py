"""Dossiers: the programme's list and export, opening and editing a dossier, its
documents, and the district's submission and the province's return or acceptance."""

import copy
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from core import clock
from core.exports import Sheet, xlsx_response
from core.files import private_file_response
from core.forms import add_service_error
from core.listing import list_context
from core.states import InvalidTransition
from producers.permissions import can_view_programme_lists

from .. import uploads
from ..filters import DossierFilter
from ..forms import (
    CommuneAssessmentForm,
    DocumentForm,
    DossierCreateForm,
    DossierEditForm,
    ReturnForm,
)
from ..models import (
    AssessmentConclusion,
    DocumentType,
    Dossier,
    DossierDocument,
    DossierStatus,
)
from ..permissions import (
    can_check_at_commune,
    can_compile_dossier,
    can_edit_dossier,
    can_edit_product,
    can_review_dossier,
)
from ..process import (
    accept_dossier,
    assess_at_commune,
    process_on,
    return_dossier,
    submit_dossier,
)
from ..services import (
    add_document,
    create_dossier,
    remove_document,
    required_document_types,
    update_dossier,
)
from .products import get_product_for_user


def get_dossier_for_user(user, pk: int) -> Dossier:
    return get_object_or_404(
        Dossier.objects.visible_to(user).select_related(
            "product__producer",
            "product__product_set__classification",
            "product__commune",
            "district",
            "previous",
            "created_by",
        ),
        pk=pk,
    )


def get_document_for_user(user, pk: int) -> DossierDocument:
    return get_object_or_404(
        DossierDocument.objects.filter(
            dossier__in=Dossier.objects.visible_to(user)
        ).select_related("dossier__district", "document_type"),
        pk=pk,
    )


def _filtered_dossiers(request) -> DossierFilter:
    if not can_view_programme_lists(request.user):
        raise PermissionDenied
    return DossierFilter(
        request.GET,
        queryset=Dossier.objects.visible_to(request.user)
        .select_related(
            "product__producer",
            "product__product_set__classification",
            "product__commune",
            "district",
        )
        .annotate(
            # A correlated count rather than a join + GROUP BY: the page's rows are
            # counted without aggregating every dossier of the province first.
            document_count=Coalesce(
                Subquery(
                    DossierDocument.objects.filter(
                        dossier=OuterRef("pk"), removed_at__isnull=True
                    )
                    .order_by()
                    .values("dossier")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            )
        ),
        request=request,
    )


@require_GET
def dossier_list(request):
    filters = _filtered_dossiers(request)
    return render(
        request,
        "products/dossier_list.html",
        list_context(request, filters, export_path=reverse("products:dossier-export")),
    )


@require_GET
def dossier_export(request):
    dossiers = _filtered_dossiers(request).qs
    headers = [
        _("Year"),
        _("Product code"),
        _("Product name"),
        _("Producer"),
        _("Product set"),
        _("District"),
        _("Kind"),
        _("Status"),
        _("Documents"),
        _("Self-assessment score"),
        _("Submitted at"),
        _("Accepted at"),
        _("Reason for return"),
    ]
    rows = (
        (
            dossier.year,
            dossier.product.code,
            dossier.product.name,
            dossier.product.producer.name,
            f"{dossier.product.product_set.classification.decision} · "
            f"{dossier.product.product_set}",
            dossier.area.name,
            dossier.get_kind_display(),
            dossier.get_status_display(),
            dossier.document_count,
            dossier.self_assessment_score,
            dossier.submitted_at,
            dossier.accepted_at,
            dossier.return_reason,
        )
        for dossier in dossiers.iterator(chunk_size=2000)
    )
    return xlsx_response(_("dossiers"), [Sheet(_("Dossiers"), headers, rows)])


@require_http_methods(["GET", "POST"])
def dossier_create(request, pk: int):
    product = get_product_for_user(request.user, pk)
    if not can_edit_product(request.user, product):
        raise PermissionDenied
    if request.method == "POST":
        form = DossierCreateForm(request.POST)
        if form.is_valid():
            try:
                dossier = create_dossier(
                    user=request.user, product=product, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                copied = dossier.documents.count()
                if copied:
                    messages.success(
                        request,
                        _(
                            "Dossier opened with %(count)s documents of the "
                            "%(year)s dossier. Add or replace what changed."
                        )
                        % {"count": copied, "year": dossier.previous.year},
                    )
                else:
                    messages.success(
                        request,
                        _("Dossier opened. Upload the documents of the checklist."),
                    )
                return redirect(dossier)
    else:
        form = DossierCreateForm()
    previous = product.dossiers.exclude(status=DossierStatus.DRAFT).order_by("-year")
    return render(
        request,
        "products/dossier_form.html",
        {"form": form, "product": product, "previous": previous.first()},
    )


def _checklist(dossier, bound_form=None) -> list[dict]:
    """Every document type with required/optional for this product's set, the
    documents present, and an upload form (the bound one that failed, if any)."""
    required = set(required_document_types(dossier).values_list("pk", flat=True))
    present = defaultdict(list)
    for document in dossier.documents.filter(removed_at__isnull=True).select_related(
        "uploaded_by", "copied_from__dossier"
    ):
        present[document.document_type_id].append(document)
    failed_type = (
        bound_form.data.get("document_type") if bound_form is not None else None
    )
    rows = []
    for document_type in DocumentType.objects.all():
        if bound_form is not None and str(document_type.pk) == failed_type:
            form = bound_form
        else:
            form = DocumentForm(
                initial={"document_type": document_type.pk},
                auto_id=f"id_doc{document_type.pk}_%s",
            )
        rows.append(
            {
                "type": document_type,
                "required": document_type.pk in required,
                "documents": present[document_type.pk],
                "form": form,
            }
        )
    return rows


def _render_dossier(request, dossier, *, document_form=None, return_form=None):
    user = request.user
    is_officer = can_compile_dossier(user, dossier)
    # The path the dossier takes: its own process once submitted, today's before.
    path = dossier.process or process_on(clock.today())
    to_commune = path is not None and path.through_commune
    if to_commune:
        submit_target = DossierStatus.WITH_COMMUNE
    elif dossier.status == DossierStatus.RETURNED:
        submit_target = DossierStatus.RESUBMITTED
    else:
        submit_target = DossierStatus.SUBMITTED
    can_review = can_review_dossier(user, dossier)
    checklist = _checklist(dossier, document_form)
    assessments = list(dossier.commune_assessments.select_related("assessed_by"))
    return render(
        request,
        "products/dossier_detail.html",
        {
            "dossier": dossier,
            "product": dossier.product,
            "path": path,
            "today": clock.today(),
            "checklist": checklist,
            "missing": [
                row["type"]
                for row in checklist
                if row["required"] and not row["documents"]
            ],
            "copied_count": sum(
                1
                for row in checklist
                for document in row["documents"]
                if document.copied_from_id
            ),
            "assessments": assessments,
            "returned_by_commune": dossier.status == DossierStatus.RETURNED
            and bool(assessments)
            and assessments[0].conclusion == AssessmentConclusion.RETURN
            and assessments[0].reason == dossier.return_reason,
            "advisory_reports": dossier.advisory_reports.select_related("recorded_by"),
            # evaluations' template tag draws the self-assessment card (Mẫu 02).
            "may_compile": is_officer,
            # Its finalised results (evaluations), read through the reverse relation.
            "evaluation_results": dossier.round_entries.filter(result__isnull=False)
            .select_related("result", "round", "criteria")
            .order_by("result__finalised_at"),
            # The notices of its results to the commune and producer (evaluations).
            "result_notices": dossier.round_entries.filter(result__notice__isnull=False)
            .order_by("result__notice__sent_at")
            .values(
                "round__name",
                "result__notice__sent_at",
                "result__notice__recipients",
            ),
            "can_edit": can_edit_dossier(user, dossier),
            "can_submit": is_officer and dossier.can_move_to(submit_target),
            "to_commune": to_commune,
            "is_resubmit": dossier.status == DossierStatus.RETURNED,
            "can_check": can_check_at_commune(user, dossier)
            and dossier.status == DossierStatus.WITH_COMMUNE,
            "can_return": can_review and dossier.status in Dossier.RETURNABLE,
            "can_accept": can_review and dossier.awaits_review,
            "can_record_advisory": can_review
            and dossier.status == DossierStatus.ACCEPTED
            and dossier.process is not None
            and dossier.process.advisory_review,
            "return_form": return_form or ReturnForm(),
            "allowed_types": uploads.ALLOWED_LABEL,
            "upload_limit": settings.OCOP_UPLOAD_MAX_BYTES,
            "history": history_rows(dossier),
        },
    )


@require_GET
def dossier_detail(request, pk: int):
    return _render_dossier(request, get_dossier_for_user(request.user, pk))


def _editable_or_message(request, dossier):
    """403 for anyone but the district's officer; for the officer, a message when
    the dossier is no longer with them (it was submitted meanwhile)."""
    if not can_compile_dossier(request.user, dossier):
        raise PermissionDenied
    if not dossier.is_editable:
        messages.error(
            request,
            _(
                "This dossier is %(status)s: documents and details can change only "
                "while it is a draft or returned for supplement."
            )
            % {"status": dossier.get_status_display().lower()},
        )
        return redirect(dossier)
    return None


@require_http_methods(["GET", "POST"])
def dossier_edit(request, pk: int):
    dossier = get_dossier_for_user(request.user, pk)
    if refused := _editable_or_message(request, dossier):
        return refused
    instance = copy.copy(dossier)
    if request.method == "POST":
        form = DossierEditForm(request.POST, instance=instance)
        if form.is_valid():
            update_dossier(dossier=dossier, user=request.user, **form.cleaned_data)
            messages.success(request, _("Changes saved."))
            return redirect(dossier)
    else:
        form = DossierEditForm(instance=instance)
    return render(
        request, "products/dossier_edit.html", {"form": form, "dossier": dossier}
    )


@require_POST
def document_add(request, pk: int):
    dossier = get_dossier_for_user(request.user, pk)
    if refused := _editable_or_message(request, dossier):
        return refused
    form = DocumentForm(request.POST, request.FILES)
    type_pk = request.POST.get("document_type", "")
    if type_pk.isdigit():
        form.auto_id = f"id_doc{type_pk}_%s"
    if form.is_valid():
        try:
            document = add_document(
                dossier=dossier,
                user=request.user,
                document_type=form.cleaned_data["document_type"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                _("“%(name)s” added to %(type)s.")
                % {"name": document.original_name, "type": document.document_type},
            )
            return redirect(f"{dossier.get_absolute_url()}#type-{type_pk}")
    # The browser scrolls to the row with the message.
    form.fields["file"].widget.attrs["autofocus"] = True
    return _render_dossier(request, dossier, document_form=form)


@require_GET
def document_download(request, pk: int):
    document = get_document_for_user(request.user, pk)
    return private_file_response(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        attachment=True,
    )


@require_POST
def document_remove(request, pk: int):
    document = get_document_for_user(request.user, pk)
    dossier = document.dossier
    if refused := _editable_or_message(request, dossier):
        return refused
    remove_document(document=document, user=request.user)
    messages.success(
        request,
        _("“%(name)s” removed from the dossier.") % {"name": document.original_name},
    )
    return redirect(dossier)


def _transition_refused(request, dossier):
    dossier.refresh_from_db(fields=["status"])
    messages.error(
        request,
        _("This action is not possible: the dossier is now %(status)s.")
        % {"status": dossier.get_status_display().lower()},
    )
    return redirect(dossier)


@require_POST
def dossier_submit(request, pk: int):
    dossier = get_dossier_for_user(request.user, pk)
    was_returned = dossier.status == DossierStatus.RETURNED
    try:
        dossier = submit_dossier(dossier=dossier, user=request.user)
    except InvalidTransition:
        return _transition_refused(request, dossier)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(dossier)
    if dossier.status == DossierStatus.WITH_COMMUNE:
        message = (
            _("Dossier resubmitted to the commune.")
            if was_returned
            else _("Dossier submitted to the commune.")
        )
        if dossier.commune_due_on:
            message += " " + _("The commune checks it by %(day)s.") % {
                "day": dossier.commune_due_on.strftime("%d/%m/%Y")
            }
    elif was_returned:
        message = _("Dossier resubmitted to the province.")
    else:
        message = _("Dossier submitted to the province.")
    messages.success(request, message)
    return redirect(dossier)


@require_POST
def dossier_return(request, pk: int):
    dossier = get_dossier_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    form.is_valid()
    try:
        return_dossier(
            dossier=dossier,
            user=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except InvalidTransition:
        return _transition_refused(request, dossier)
    except ValidationError as error:
        add_service_error(form, error)
        return _render_dossier(request, dossier, return_form=form)
    messages.success(request, _("Dossier returned to the district for supplement."))
    return redirect(dossier)


@require_POST
def dossier_accept(request, pk: int):
    dossier = get_dossier_for_user(request.user, pk)
    try:
        accept_dossier(dossier=dossier, user=request.user)
    except InvalidTransition:
        return _transition_refused(request, dossier)
    messages.success(
        request, _("Dossier accepted: it can now be assigned to an evaluation round.")
    )
    return redirect(dossier)


@require_http_methods(["GET", "POST"])
def dossier_commune_check(request, pk: int):
    """The commune's check (Mẫu 03): its report, then the proposal to the province or
    the return to the producer."""
    dossier = get_dossier_for_user(request.user, pk)
    if not can_check_at_commune(request.user, dossier):
        raise PermissionDenied
    if dossier.status != DossierStatus.WITH_COMMUNE:
        return _transition_refused(request, dossier)
    form = CommuneAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assess_at_commune(
                dossier=dossier, user=request.user, **form.cleaned_data
            )
        except InvalidTransition:
            return _transition_refused(request, dossier)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if assessment.conclusion == AssessmentConclusion.PROPOSE:
                messages.success(request, _("Dossier proposed to the province."))
            else:
                messages.success(request, _("Dossier returned to the producer."))
            return redirect(dossier)
    return render(
        request,
        "products/dossier_commune_check.html",
        {"dossier": dossier, "product": dossier.product, "form": form},
    )
