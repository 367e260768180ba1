"""Records from before the portal: products recognised in 2019, dossiers compiled on
paper, recorded as they stand and audited as imported."""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.audit import changes_between, record_event, snapshot
from accounts.models import User
from core.states import InvalidTransition
from producers.models import Producer

from . import uploads
from .models import DocumentType, Dossier, DossierStatus, Product, ProductSet
from .permissions import can_import_records, can_register_products
from .services import register_product, store_document


@transaction.atomic
def import_product(
    *,
    user: User,
    producer: Producer,
    name: str,
    product_set: ProductSet,
    year: int,
    description: str = "",
) -> Product:
    """Record a product that existed before the portal (e.g. recognised in 2019), with a
    code of the year it was registered. Provincial officers, or the producer's district
    officer."""
    if not (
        can_import_records(user, producer) or can_register_products(user, producer)
    ):
        raise PermissionDenied
    product = register_product(
        user=user,
        producer=producer,
        name=name,
        product_set=product_set,
        description=description,
        year=year,
        commune=producer.commune,
    )
    record_event(target=product, actor=user, action="imported")
    return product


@transaction.atomic
def import_dossier(
    *,
    user: User,
    product: Product,
    year: int,
    kind: str,
    status: str,
    files: list[tuple[DocumentType, str, bytes]],
    return_reason: str = "",
) -> Dossier:
    """Record a dossier compiled on paper before the portal, as it stands (draft to
    accepted), with its documents; `files` are (document type, file name, bytes),
    checked like uploads. Provincial officers only; the audit says "imported"."""
    if not can_import_records(user, product):
        raise PermissionDenied
    # Later statuses belong to evaluation rounds, which have their own records.
    if status not in {
        *Dossier.EDITABLE,
        *Dossier.AWAITING_REVIEW,
        DossierStatus.ACCEPTED,
    }:
        raise InvalidTransition(f"import as {status}")
    now = timezone.now()
    dossier = Dossier.objects.create(
        product=product,
        year=year,
        kind=kind,
        status=status,
        district_id=product.district_id,
        return_reason=return_reason,
        submitted_at=None if status == DossierStatus.DRAFT else now,
        accepted_at=now if status == DossierStatus.ACCEPTED else None,
        created_by=user,
    )
    for document_type, name, content in files:
        checked = uploads.check_document(SimpleUploadedFile(name, content))
        store_document(
            dossier=dossier, document_type=document_type, checked=checked, user=user
        )
    record_event(
        target=dossier,
        actor=user,
        action="imported",
        changes=changes_between({}, snapshot(dossier, ["year", "kind", "status"])),
        reason=return_reason,
    )
    return dossier
