"""Pages for the public (no login) and the certificate pages.

The public sees only products that were recognised (that have a certificate), and a
certificate's status when it is looked up by number.
"""

import qrcode
import qrcode.image.svg

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import history_rows
from core.listing import paginate
from products.models import Product, ProductGroup
from regions.models import AdministrativeUnit

from .certificates import revoke_certificate
from .models import Certificate, CertificateStatus, RevocationGround
from .permissions import can_revoke_certificate

PAGE_SIZE = 24


def _active_certificates():
    return Certificate.objects.filter(status=CertificateStatus.ACTIVE).select_related(
        "decision"
    )


@login_not_required
@require_GET
def catalogue(request):
    """`/`: recognised products with an active certificate, searchable."""
    products = (
        Product.objects.filter(current_stars__isnull=False, archived_at__isnull=True)
        .select_related("producer", "district", "product_set__group")
        .prefetch_related(
            Prefetch("certificates", _active_certificates(), to_attr="active")
        )
        .order_by("-current_stars", "name", "pk")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        products = products.search(query)
    district = request.GET.get("district", "")
    if district.isdigit():
        products = products.filter(district_id=int(district))
    stars = request.GET.get("stars", "")
    if stars in {"3", "4", "5"}:
        products = products.filter(current_stars=int(stars))
    group = request.GET.get("group", "")
    if group.isdigit():
        products = products.filter(product_set__group_id=int(group))
    page = paginate(request, products, per_page=PAGE_SIZE)
    districts = AdministrativeUnit.objects.filter(
        pk__in=Product.objects.filter(current_stars__isnull=False).values("district")
    ).order_by("code")
    groups = ProductGroup.objects.filter(
        pk__in=Product.objects.filter(current_stars__isnull=False).values(
            "product_set__group"
        )
    )
    return render(
        request,
        "evaluations/public_catalogue.html",
        {
            "page_obj": page,
            "query": query,
            "districts": districts,
            "groups": groups,
            "selected": {"district": district, "stars": stars, "group": group},
        },
    )


def _recognised_product(code: str) -> Product:
    product = (
        Product.objects.select_related(
            "producer__commune", "district", "product_set__group"
        )
        .filter(code=code, certificates__isnull=False)
        .distinct()
        .first()
    )
    if product is None:
        raise Http404
    return product


@login_not_required
@require_GET
def product_page(request, code: str):
    """`/p/<code>/`: the page a product's QR code opens."""
    product = _recognised_product(code)
    certificate = (
        product.certificates.select_related("decision")
        .order_by("-valid_from", "-pk")
        .first()
    )
    return render(
        request,
        "evaluations/public_product.html",
        {"product": product, "certificate": certificate, "today": timezone.localdate()},
    )


@login_not_required
@require_GET
@cache_control(public=True, max_age=86400)
def product_qr(request, code: str):
    """An SVG QR code pointing at the product's public page."""
    product = _recognised_product(code)
    url = request.build_absolute_uri(reverse("public-product", args=[product.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return HttpResponse(
        image.to_string(encoding="unicode"), content_type="image/svg+xml"
    )


@login_not_required
@require_GET
def verify(request):
    """`/verify/`: a form; a number typed in goes to `/verify/<number>/`."""
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("public-verify-number", number=number[:30])
    return render(request, "evaluations/public_verify.html", {})


@login_not_required
@require_GET
def verify_number(request, number: str):
    certificate = (
        Certificate.objects.select_related(
            "product__producer", "product__district", "decision", "superseded_by"
        )
        .filter(number=number.strip())
        .first()
    )
    today = timezone.localdate()
    context = {"number": number, "certificate": certificate, "today": today}
    if certificate is None:
        return render(request, "evaluations/public_verify.html", context, status=404)
    context["is_valid"] = (
        certificate.status == CertificateStatus.ACTIVE
        and certificate.valid_until >= today
    )
    return render(request, "evaluations/public_verify.html", context)


def get_certificate_for_user(user, pk: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.visible_to(user).select_related(
            "product__producer__commune",
            "product__district",
            "decision",
            "province",
            "superseded_by",
        ),
        pk=pk,
    )


@require_GET
def certificate_detail(request, pk: int):
    """The printable certificate (print stylesheet), with its history."""
    certificate = get_certificate_for_user(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "evaluations/certificate_detail.html",
        {
            "certificate": certificate,
            "history": history_rows(certificate),
            "grounds": RevocationGround.choices,
            "can_revoke": can_revoke_certificate(request.user, certificate)
            and certificate.status == CertificateStatus.ACTIVE
            and certificate.valid_until >= today,
            "today": today,
        },
    )


@require_POST
def certificate_revoke(request, pk: int):
    certificate = get_certificate_for_user(request.user, pk)
    if not can_revoke_certificate(request.user, certificate):
        raise PermissionDenied
    try:
        revoke_certificate(
            certificate=certificate,
            user=request.user,
            reason=request.POST.get("reason", ""),
            ground=request.POST.get("ground", ""),
            decided_by=request.POST.get("decided_by", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s is revoked.") % {"number": certificate.number},
        )
    return redirect("evaluations:certificate-detail", pk=certificate.pk)
