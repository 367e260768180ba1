import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from core.exports import Sheet, xlsx_response
from core.forms import add_service_error
from core.listing import list_context

from .filters import ProducerFilter
from .forms import ArchiveForm, ProducerForm
from .models import Producer
from .permissions import (
    can_edit_producer,
    can_register_producers,
    can_view_programme_lists,
)
from .services import (
    archive_producer,
    create_producer,
    similar_producers,
    update_producer,
)


def get_producer_for_user(user, pk: int) -> Producer:
    """The producer if the user's jurisdiction covers it, else 404."""
    return get_object_or_404(
        Producer.objects.visible_to(user).select_related(
            "commune", "district", "created_by"
        ),
        pk=pk,
    )


def _filtered_producers(request) -> ProducerFilter:
    if not can_view_programme_lists(request.user):
        raise PermissionDenied
    return ProducerFilter(
        request.GET,
        queryset=Producer.objects.visible_to(request.user)
        .select_related("commune", "district")
        .annotate(
            product_count=Count(
                "products", filter=Q(products__archived_at__isnull=True)
            )
        ),
        request=request,
    )


@require_GET
def producer_list(request):
    filters = _filtered_producers(request)
    return render(
        request,
        "producers/producer_list.html",
        {
            **list_context(
                request, filters, export_path=reverse("producers:producer-export")
            ),
            "can_register": can_register_producers(request.user),
        },
    )


@require_GET
def producer_export(request):
    producers = _filtered_producers(request).qs
    rows = (
        (
            producer.name,
            producer.get_kind_display(),
            producer.registration_number,
            producer.registration_issuer,
            producer.registration_date,
            producer.legal_representative,
            producer.phone,
            producer.email,
            producer.address,
            producer.commune.name,
            producer.area.name,
            producer.product_count,
            _("Archived") if producer.archived_at else "",
        )
        for producer in producers.iterator(chunk_size=2000)
    )
    headers = [
        _("Name"),
        _("Kind"),
        _("Tax code / registration number"),
        _("Issued by"),
        _("Issued on"),
        _("Legal representative"),
        _("Phone"),
        _("Email"),
        _("Address"),
        _("Commune"),
        _("District"),
        _("Products"),
        _("Status"),
    ]
    return xlsx_response(_("producers"), [Sheet(_("Producers"), headers, rows)])


@require_GET
def producer_detail(request, pk: int):
    producer = get_producer_for_user(request.user, pk)
    return _render_detail(request, producer, ArchiveForm())


def _render_detail(request, producer, archive_form):
    products = (
        producer.products.select_related("product_set", "commune")
        .prefetch_related(
            "dossiers__round_entries__result", "dossiers__round_entries__criteria"
        )
        .order_by("name", "pk")
    )
    return render(
        request,
        "producers/producer_detail.html",
        {
            "producer": producer,
            "products": products,
            "can_edit": can_edit_producer(request.user, producer),
            "archive_form": archive_form,
            "history": history_rows(producer),
        },
    )


def _similar_warning(form, *, exclude_pk=None) -> list[Producer]:
    """Producers with a similar name in the chosen commune, when the name or commune
    is new (editing a phone number does not warn again)."""
    if exclude_pk and not {"name", "commune"} & set(form.changed_data):
        return []
    return similar_producers(
        name=form.cleaned_data["name"],
        commune=form.cleaned_data["commune"],
        exclude_pk=exclude_pk,
    )


@require_http_methods(["GET", "POST"])
def producer_create(request):
    if not can_register_producers(request.user):
        raise PermissionDenied
    similar = []
    if request.method == "POST":
        form = ProducerForm(request.POST, user=request.user)
        if form.is_valid():
            similar = _similar_warning(form)
            if not similar or request.POST.get("confirm_similar"):
                try:
                    producer = create_producer(user=request.user, **form.cleaned_data)
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _("Producer “%(name)s” registered.") % {"name": producer},
                    )
                    return redirect(producer)
    else:
        form = ProducerForm(user=request.user)
    return render(
        request,
        "producers/producer_form.html",
        {"form": form, "similar": similar, "producer": None},
    )


@require_http_methods(["GET", "POST"])
def producer_edit(request, pk: int):
    producer = get_producer_for_user(request.user, pk)
    if not can_edit_producer(request.user, producer):
        raise PermissionDenied
    similar = []
    # The form works on a copy so that the page title keeps the saved name.
    instance = copy.copy(producer)
    if request.method == "POST":
        form = ProducerForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            similar = _similar_warning(form, exclude_pk=producer.pk)
            if not similar or request.POST.get("confirm_similar"):
                try:
                    update_producer(
                        producer=producer, user=request.user, **form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, _("Changes saved."))
                    return redirect(producer)
    else:
        form = ProducerForm(instance=instance, user=request.user)
    return render(
        request,
        "producers/producer_form.html",
        {"form": form, "similar": similar, "producer": producer},
    )


@require_POST
def producer_archive(request, pk: int):
    producer = get_producer_for_user(request.user, pk)
    if not can_edit_producer(request.user, producer):
        raise PermissionDenied
    form = ArchiveForm(request.POST)
    form.is_valid()
    try:
        archive_producer(
            producer=producer,
            user=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as error:
        add_service_error(form, error)
        return _render_detail(request, producer, form)
    messages.success(request, _("Producer “%(name)s” archived.") % {"name": producer})
    return redirect("producers:producer-list")
