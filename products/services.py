"""Every state change of products and dossiers. Views, commands and the evaluations
services call these; each owns its transaction, lock, guard and audit record."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.models import User
from core import clock
from producers.models import Producer
from regions.models import AdministrativeUnit

from . import uploads
from .models import (
    DocumentType,
    Dossier,
    DossierDocument,
    DossierKind,
    DossierStatus,
    Product,
    ProductCodeSequence,
    ProductPhoto,
    ProductSet,
)
from .permissions import (
    can_edit_dossier,
    can_edit_product,
    can_register_products,
)

PRODUCT_FIELDS = ["name", "product_set", "description"]
DOSSIER_FIELDS = ["kind", "self_assessment_score"]
# The kind is fixed once the dossier exists: a re-rating or upgrade took over the
# previous dossier's documents when it was opened.
DOSSIER_EDITABLE_FIELDS = ["self_assessment_score"]

# Products -----------------------------------------------------------------------------


def _next_sequence(*, commune, year: int) -> int:
    """Reserve the next product number of a commune and year, under a row lock.

    The lock is held until the caller's transaction ends, so concurrent registrations
    in one commune queue here and get consecutive numbers.
    """
    # get_or_create is safe here thanks to the unique (commune, year) constraint.
    ProductCodeSequence.objects.get_or_create(commune=commune, year=year)
    sequence = ProductCodeSequence.objects.select_for_update().get(
        commune=commune, year=year
    )
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def product_code(*, commune, number: int, year: int) -> str:
    """Province-district-commune-sequence-year, e.g. 87-876-30298-003-2021; since the
    two-tier reform (no districts) province-commune-sequence-year, e.g.
    82-30226-001-2026. A code never changes once given."""
    district = commune.district
    if district is None:
        return f"{commune.parent.code}-{commune.code}-{number:03d}-{year}"
    return f"{district.parent.code}-{district.code}-{commune.code}-{number:03d}-{year}"


def register_product(
    *,
    user: User,
    producer: Producer,
    name: str,
    product_set: ProductSet,
    description: str,
    year: int,
    commune: AdministrativeUnit,
) -> Product:
    """A new product made in `commune`, with the next code of the year there."""
    number = _next_sequence(commune=commune, year=year)
    district = commune.district
    product = Product(
        producer=producer,
        commune=commune,
        district_id=district.pk if district else None,
        created_by=user,
        code=product_code(commune=commune, number=number, year=year),
        name=name,
        product_set=product_set,
        description=description,
    )
    product.save()
    return product


@transaction.atomic
def create_product(
    *,
    user: User,
    producer: Producer,
    name: str,
    product_set: ProductSet,
    description: str = "",
    year: int | None = None,
) -> Product:
    """Register a product of a producer the officer acts for; gives it its code. The
    product is made where the producer is today: a producer registered in a commune
    that has since been merged makes its new products in the successor unit."""
    if not can_register_products(user, producer):
        raise PermissionDenied
    today = clock.today()
    product = register_product(
        user=user,
        producer=producer,
        name=name,
        product_set=product_set,
        description=description,
        year=year or today.year,
        commune=producer.commune.current_on(today),
    )
    record_created(target=product, actor=user, fields=[*PRODUCT_FIELDS, "code"])
    return product


@transaction.atomic
def update_product(
    *,
    product: Product,
    user: User,
    name: str,
    product_set: ProductSet,
    description: str,
) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    if not can_edit_product(user, product):
        raise PermissionDenied
    before = snapshot(product, PRODUCT_FIELDS)
    product.name = name
    product.product_set = product_set
    product.description = description
    changes = changes_between(before, snapshot(product, PRODUCT_FIELDS))
    if changes:
        product.save()
        record_event(target=product, actor=user, action="updated", changes=changes)
    return product


@transaction.atomic
def add_photo(
    *, product: Product, user: User, upload, caption: str = ""
) -> ProductPhoto:
    """Store a re-encoded copy of an uploaded photo. Raises ValidationError."""
    if not can_edit_product(user, product):
        raise PermissionDenied
    checked = uploads.check_photo(upload)
    photo = ProductPhoto(product=product, caption=caption, uploaded_by=user)
    photo.image.save(f"photo.{checked.extension}", checked.content, save=False)
    photo.save()
    record_event(
        target=product,
        actor=user,
        action="photo_added",
        changes={"photos": ["", checked.original_name]},
    )
    return photo


# Dossiers -----------------------------------------------------------------------------


def required_document_types(dossier: Dossier):
    return DocumentType.objects.filter(required_for_sets=dossier.product.product_set_id)


def missing_documents(dossier: Dossier) -> list[DocumentType]:
    present = dossier.documents.filter(removed_at__isnull=True).values("document_type")
    return list(required_document_types(dossier).exclude(pk__in=present))


def previous_dossier(product: Product, year: int) -> Dossier | None:
    return (
        product.dossiers.filter(year__lt=year)
        .exclude(status=DossierStatus.DRAFT)
        .order_by("-year")
        .first()
    )


@transaction.atomic
def create_dossier(
    *,
    user: User,
    product: Product,
    year: int,
    kind: str,
    self_assessment_score: Decimal | None = None,
) -> Dossier:
    """Open a dossier for a product and year. A re-rating or upgrade starts with the
    documents of the product's previous dossier, so the officer adds only what changed.
    Raises ValidationError when the product already has a dossier for the year."""
    if not can_edit_product(user, product):
        raise PermissionDenied
    if Dossier.objects.filter(product=product, year=year).exists():
        raise ValidationError(
            {
                "year": _("This product already has a dossier for %(year)s.")
                % {"year": year}
            }
        )
    previous = previous_dossier(product, year) if kind != DossierKind.NEW else None
    if kind != DossierKind.NEW and previous is None:
        raise ValidationError(
            {
                "kind": _(
                    "A re-rating or upgrade needs an earlier dossier of this product."
                )
            }
        )
    dossier = Dossier.objects.create(
        product=product,
        year=year,
        district_id=product.district_id,
        previous=previous,
        created_by=user,
        kind=kind,
        self_assessment_score=self_assessment_score,
    )
    copied = 0
    if previous is not None:
        for document in previous.documents.filter(removed_at__isnull=True):
            DossierDocument.objects.create(
                dossier=dossier,
                document_type_id=document.document_type_id,
                file=document.file.name,
                original_name=document.original_name,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                note=document.note,
                copied_from=document,
                uploaded_by=document.uploaded_by,
            )
            copied += 1
    record_event(
        target=dossier,
        actor=user,
        action="created",
        changes=changes_between(
            {}, snapshot(dossier, ["year", *DOSSIER_FIELDS, "status"])
        ),
        reason=_("%(count)s documents taken over from the %(year)s dossier")
        % {"count": copied, "year": previous.year}
        if previous
        else "",
    )
    return dossier


def locked_dossier(dossier: Dossier) -> Dossier:
    # Lock the dossier row only: its district is empty since the two-tier reform, and
    # PostgreSQL cannot lock the nullable side of an outer join.
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("district", "product")
        .get(pk=dossier.pk)
    )


@transaction.atomic
def update_dossier(
    *, dossier: Dossier, user: User, self_assessment_score: Decimal | None
) -> Dossier:
    dossier = locked_dossier(dossier)
    if not can_edit_dossier(user, dossier):
        raise PermissionDenied
    before = snapshot(dossier, DOSSIER_EDITABLE_FIELDS)
    dossier.self_assessment_score = self_assessment_score
    changes = changes_between(before, snapshot(dossier, DOSSIER_EDITABLE_FIELDS))
    if changes:
        dossier.save()
        record_event(target=dossier, actor=user, action="updated", changes=changes)
    return dossier


def store_document(
    *,
    dossier: Dossier,
    document_type: DocumentType,
    checked: uploads.CheckedFile,
    user: User,
    note: str = "",
) -> DossierDocument:
    """Save a checked upload under a random name, with what was checked about it."""
    document = DossierDocument(
        dossier=dossier,
        document_type=document_type,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        uploaded_by=user,
    )
    document.file.save(f"document.{checked.extension}", checked.content, save=False)
    document.save()
    return document


@transaction.atomic
def add_document(
    *, dossier: Dossier, user: User, document_type: DocumentType, upload, note: str = ""
) -> DossierDocument:
    """Check and store an uploaded document. Raises ValidationError for a wrong type
    or size, PermissionDenied when the dossier is not with the officer."""
    dossier = locked_dossier(dossier)
    if not can_edit_dossier(user, dossier):
        raise PermissionDenied
    checked = uploads.check_document(upload)
    document = store_document(
        dossier=dossier,
        document_type=document_type,
        checked=checked,
        user=user,
        note=note,
    )
    record_event(
        target=dossier,
        actor=user,
        action="document_added",
        changes={"documents": ["", f"{document_type.name}: {checked.original_name}"]},
    )
    return document


@transaction.atomic
def remove_document(*, document: DossierDocument, user: User) -> DossierDocument:
    """Take a document off the checklist. The file is kept: it is evidence."""
    dossier = locked_dossier(document.dossier)
    if not can_edit_dossier(user, dossier):
        raise PermissionDenied
    document = DossierDocument.objects.select_for_update().get(pk=document.pk)
    if document.removed_at is None:
        document.removed_at = clock.now()
        document.save(update_fields=["removed_at"])
        record_event(
            target=dossier,
            actor=user,
            action="document_removed",
            changes={
                "documents": [
                    f"{document.document_type.name}: {document.original_name}",
                    "",
                ]
            },
        )
    return document
