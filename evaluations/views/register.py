"""The certificate register (/certificates/): every certificate the user may see,
searched, filtered and exported, linked to its product and decision."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import clock
from core.exports import Sheet, xlsx_response
from core.listing import list_context, wants_export
from producers.permissions import can_view_programme_lists

from ..filters import CertificateFilter
from ..models import Certificate, CertificateStatus


def _filtered(request) -> CertificateFilter:
    if not can_view_programme_lists(request.user):
        raise PermissionDenied
    return CertificateFilter(
        request.GET,
        queryset=Certificate.objects.visible_to(request.user).select_related(
            "product__producer",
            "product__product_set__classification",
            "product__commune",
            "product__district",
            "decision",
        ),
        request=request,
    )


def state_of(certificate: Certificate, today) -> str:
    """What the register says of a certificate today: an active one past its end
    date reads "expired" before the nightly job flips it."""
    if (
        certificate.status == CertificateStatus.ACTIVE
        and certificate.valid_until < today
    ):
        return _("Expired")
    return certificate.get_status_display()


@require_GET
def certificate_register(request):
    filters = _filtered(request)
    today = clock.today()
    if wants_export(request):
        headers = [
            _("Certificate number"),
            _("Stars"),
            _("Status"),
            _("Valid from"),
            _("Valid until"),
            _("Product code"),
            _("Product"),
            _("Producer"),
            _("Product set"),
            _("Place"),
            _("Decision"),
            _("Decision date"),
        ]
        rows = (
            (
                c.number,
                c.stars,
                state_of(c, today),
                c.valid_from,
                c.valid_until,
                c.product.code,
                c.product.name,
                c.product.producer.name,
                str(c.product.product_set),
                c.product.commune.name,
                c.decision.number,
                c.decision.date,
            )
            for c in filters.qs.iterator(chunk_size=2000)
        )
        return xlsx_response(
            _("certificates"), [Sheet(_("Certificates"), headers, rows)]
        )
    context = list_context(request, filters)
    for certificate in context["page_obj"]:
        certificate.state = state_of(certificate, today)
        certificate.in_force = (
            certificate.status == CertificateStatus.ACTIVE
            and certificate.valid_until >= today
        )
    return render(request, "evaluations/certificate_register.html", context)
