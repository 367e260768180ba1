"""Products: the programme's list and export, registration, editing and photos."""

import copy
import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import history_rows
from core import clock
from core.exports import Sheet, xlsx_response
from core.files import private_file_response
from core.listing import list_context
from producers.permissions import can_view_programme_lists
from producers.views import get_producer_for_user

from ..filters import ProductFilter
from ..forms import PhotoForm, ProductForm
from ..models import Product, ProductPhoto
from ..permissions import can_edit_product, can_register_products
from ..process import rerating_window
from ..services import add_photo, create_product, update_product


def get_product_for_user(user, pk: int) -> Product:
    return get_object_or_404(
        Product.objects.visible_to(user).select_related(
            "producer",
            "product_set__group",
            "product_set__classification",
            "commune",
            "district",
            "created_by",
        ),
        pk=pk,
    )


def get_photo_for_user(user, pk: int) -> ProductPhoto:
    return get_object_or_404(
        ProductPhoto.objects.filter(product__in=Product.objects.visible_to(user)),
        pk=pk,
    )


def _filtered_products(request) -> ProductFilter:
    if not can_view_programme_lists(request.user):
        raise PermissionDenied
    return ProductFilter(
        request.GET,
        queryset=Product.objects.visible_to(request.user)
        .active()
        .select_related(
            "producer", "product_set__classification", "commune", "district"
        ),
        request=request,
    )


@require_GET
def product_list(request):
    filters = _filtered_products(request)
    return render(
        request,
        "products/product_list.html",
        list_context(request, filters, export_path=reverse("products:product-export")),
    )


@require_GET
def product_export(request):
    products = _filtered_products(request).qs
    headers = [
        _("Product code"),
        _("Product name"),
        _("Producer"),
        _("Tax code"),
        _("Classification"),
        _("Product set"),
        _("Commune"),
        _("District"),
        _("Current stars"),
    ]
    rows = (
        (
            product.code,
            product.name,
            product.producer.name,
            product.producer.registration_number,
            product.product_set.classification.decision,
            str(product.product_set),
            product.commune.name,
            product.area.name,
            product.current_stars,
        )
        for product in products.iterator(chunk_size=2000)
    )
    return xlsx_response(_("products"), [Sheet(_("Products"), headers, rows)])


def _render_product(request, product, *, photo_form=None):
    # Results are the evaluations app's: read through the reverse relations.
    dossiers = product.dossiers.order_by("-year", "-pk").prefetch_related(
        "round_entries__result", "round_entries__round", "round_entries__criteria"
    )
    return render(
        request,
        "products/product_detail.html",
        {
            "product": product,
            "photos": product.photos.all(),
            "dossiers": dossiers,
            # Certificates are issued by the evaluations app; read here through the
            # reverse relation only, so this app does not import a higher one.
            "certificates": product.certificates.select_related("decision"),
            "rerating": _rerating(product),
            "today": timezone.localdate(),
            "can_edit": can_edit_product(request.user, product),
            "photo_form": photo_form or PhotoForm(),
            "history": history_rows(product),
        },
    )


def _rerating(product) -> dict | None:
    """The re-rating window of the product's active certificate, when the process of
    today sets one (Điều 7.6 of 26/2026/QĐ-TTg)."""
    today = clock.today()
    active = product.certificates.filter(status="active").order_by("-valid_until")
    certificate = active.first()
    if certificate is None:
        return None
    window = rerating_window(valid_until=certificate.valid_until, on=today)
    if window is None:
        return None
    return {
        "window": window,
        "state": window.state_on(today),
        "certificate": certificate,
    }


@require_GET
def product_detail(request, pk: int):
    return _render_product(request, get_product_for_user(request.user, pk))


@require_http_methods(["GET", "POST"])
def product_create(request, producer_pk: int):
    producer = get_producer_for_user(request.user, producer_pk)
    if not can_register_products(request.user, producer):
        raise PermissionDenied
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.is_valid():
            product = create_product(
                user=request.user, producer=producer, **form.cleaned_data
            )
            messages.success(
                request,
                _("Product “%(name)s” registered with code %(code)s.")
                % {"name": product.name, "code": product.code},
            )
            return redirect(product)
    else:
        form = ProductForm()
    return render(
        request,
        "products/product_form.html",
        {"form": form, "producer": producer, "product": None},
    )


@require_http_methods(["GET", "POST"])
def product_edit(request, pk: int):
    product = get_product_for_user(request.user, pk)
    if not can_edit_product(request.user, product):
        raise PermissionDenied
    instance = copy.copy(product)
    if request.method == "POST":
        form = ProductForm(request.POST, instance=instance)
        if form.is_valid():
            update_product(product=product, user=request.user, **form.cleaned_data)
            messages.success(request, _("Changes saved."))
            return redirect(product)
    else:
        form = ProductForm(instance=instance)
    return render(
        request,
        "products/product_form.html",
        {"form": form, "producer": product.producer, "product": product},
    )


@require_POST
def product_photo_add(request, pk: int):
    product = get_product_for_user(request.user, pk)
    if not can_edit_product(request.user, product):
        raise PermissionDenied
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_photo(
                product=product,
                user=request.user,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            form.add_error("image", error)
        else:
            messages.success(request, _("Photo added."))
            return redirect(product)
    return _render_product(request, product, photo_form=form)


@require_GET
def product_photo(request, pk: int):
    photo = get_photo_for_user(request.user, pk)
    name = photo.image.name.rsplit("/", 1)[-1]
    return private_file_response(
        photo.image,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        attachment=False,
    )
