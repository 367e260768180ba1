import hashlib
import io

import factory
from PIL import Image

from django.utils import timezone

from products.models import (
    DocumentType,
    Dossier,
    DossierDocument,
    DossierKind,
    DossierStatus,
    EvaluationLevel,
    Product,
    ProductSet,
)
from tests.producers.factories import ProducerFactory

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes(size=(8, 8), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def product_set(classification: str = "148", number: int = 7) -> ProductSet:
    return ProductSet.objects.get(classification__code=classification, number=number)


class ProductFactory(factory.django.DjangoModelFactory):
    """A product of set 7 of a producer in Lai Vung. `district_code="872"` places the
    producer elsewhere; `classification="1048"` takes set 7 of 1048 (the set with a
    published criteria sheet, for rounds) instead of 148's."""

    class Meta:
        model = Product

    class Params:
        district_code = "876"
        classification = "148"

    producer = factory.SubFactory(
        ProducerFactory, district_code=factory.SelfAttribute("..district_code")
    )
    name = factory.Sequence(lambda n: f"Hạt sen sấy loại {n}")
    product_set = factory.LazyAttribute(lambda o: product_set(o.classification))
    code = factory.Sequence(lambda n: f"87-876-TEST-{n:04d}-2021")
    commune = factory.LazyAttribute(lambda o: o.producer.commune)
    district = factory.LazyAttribute(lambda o: o.producer.district)
    created_by = factory.LazyAttribute(lambda o: o.producer.created_by)


class DossierFactory(factory.django.DjangoModelFactory):
    """A 2021 dossier for a new product, a draft unless a state trait says otherwise;
    `classification` is its product's (see ProductFactory)."""

    class Meta:
        model = Dossier

    product = factory.SubFactory(
        ProductFactory, classification=factory.SelfAttribute("..classification")
    )
    year = 2021
    kind = DossierKind.NEW
    district = factory.LazyAttribute(lambda o: o.product.district)
    created_by = factory.LazyAttribute(lambda o: o.product.created_by)

    class Params:
        classification = "148"
        submitted = factory.Trait(
            status=DossierStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            status=DossierStatus.RETURNED,
            submitted_at=factory.LazyFunction(timezone.now),
            return_reason="Bổ sung phiếu kết quả kiểm nghiệm còn hiệu lực.",
        )
        resubmitted = factory.Trait(
            status=DossierStatus.RESUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            return_reason="Bổ sung phiếu kết quả kiểm nghiệm còn hiệu lực.",
        )
        accepted = factory.Trait(
            status=DossierStatus.ACCEPTED,
            submitted_at=factory.LazyFunction(timezone.now),
            accepted_at=factory.LazyFunction(timezone.now),
        )
        forwarded = factory.Trait(
            accepted=True,
            status=DossierStatus.FORWARDED,
            level=EvaluationLevel.PROVINCE,
        )
        under_evaluation = factory.Trait(
            accepted=True,
            status=DossierStatus.UNDER_EVALUATION,
            level=EvaluationLevel.PROVINCE,
        )


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierDocument

    dossier = factory.SubFactory(DossierFactory)
    document_type = factory.LazyFunction(lambda: DocumentType.objects.first())
    file = factory.django.FileField(data=PDF, filename="document.pdf")
    original_name = "phieu-dang-ky.pdf"
    content_type = "application/pdf"
    size = len(PDF)
    sha256 = hashlib.sha256(PDF).hexdigest()
    uploaded_by = factory.LazyAttribute(lambda o: o.dossier.created_by)


def complete(dossier: Dossier) -> Dossier:
    """Give the dossier one document of every type required for its product set."""
    for document_type in DocumentType.objects.filter(
        required_for_sets=dossier.product.product_set
    ):
        DocumentFactory(
            dossier=dossier,
            document_type=document_type,
            original_name=f"{document_type.code}.pdf",
        )
    return dossier
