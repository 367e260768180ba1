import io
import threading

import pytest
from PIL import Image

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import AuditEvent
from core.states import InvalidTransition
from products import imports, process, services
from products.models import (
    DossierKind,
    DossierStatus,
    Product,
    ProductCodeSequence,
)
from tests.producers.factories import ProducerFactory
from tests.products.factories import (
    PDF,
    DocumentFactory,
    DossierFactory,
    ProductFactory,
    complete,
    product_set,
)

pytestmark = pytest.mark.usefixtures("catalogue")


def _pdf(name="ho-so.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# Products -----------------------------------------------------------------------------


def test_product_code_is_province_district_commune_sequence_year(personas):
    producer = ProducerFactory()
    first = services.create_product(
        user=personas["laivung"],
        producer=producer,
        name="Nem Lai Vung",
        product_set=product_set(),
        description="",
        year=2021,
    )
    second = services.create_product(
        user=personas["laivung"],
        producer=producer,
        name="Chả lụa",
        product_set=product_set(),
        description="",
        year=2021,
    )
    commune = producer.commune
    assert first.code == f"87-876-{commune.code}-001-2021"
    assert second.code == f"87-876-{commune.code}-002-2021"
    assert (first.commune, first.district) == (commune, commune.parent)
    event = AuditEvent.objects.for_object(first).get()
    assert event.action == "created"
    assert event.changes["code"] == ["", first.code]
    assert event.changes["name"] == ["", "Nem Lai Vung"]


def test_only_the_districts_officer_registers_products(personas):
    producer = ProducerFactory()
    data = {"name": "Nem", "product_set": product_set(), "description": ""}
    for username in ("thapmuoi", "province"):
        with pytest.raises(PermissionDenied):
            services.create_product(user=personas[username], producer=producer, **data)


def test_update_product_records_changes(personas):
    product = ProductFactory(name="Nem chua")
    services.update_product(
        product=product,
        user=personas["laivung"],
        name="Nem chua quế",
        product_set=product.product_set,
        description="Nem chua gói lá chuối",
    )
    event = AuditEvent.objects.for_object(product).get()
    assert event.action == "updated"
    assert event.changes == {
        "name": ["Nem chua", "Nem chua quế"],
        "description": ["", "Nem chua gói lá chuối"],
    }
    product.refresh_from_db()
    assert product.search_text.startswith("nem chua que")


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x8825] = {2: (10.0, 20.0, 30.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photo_is_reencoded_without_exif(personas):
    product = ProductFactory()
    raw = _jpeg_with_exif()
    assert Image.open(io.BytesIO(raw)).getexif()
    photo = services.add_photo(
        product=product,
        user=personas["laivung"],
        upload=SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg"),
        caption="Hộp hạt sen",
    )
    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert stored != raw
    reopened = Image.open(io.BytesIO(stored))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert photo.image.name.startswith("private/photos/")
    assert "IMG_0001" not in photo.image.name
    assert AuditEvent.objects.for_object(product).get().action == "photo_added"


def test_png_photo_loses_its_text_chunks(personas):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 10.45N 105.63E")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG", pnginfo=info)
    photo = services.add_photo(
        product=ProductFactory(),
        user=personas["laivung"],
        upload=SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png"),
    )
    with photo.image.open("rb") as handle:
        assert b"GPS" not in handle.read()


def test_photo_must_be_an_image(personas):
    with pytest.raises(ValidationError) as error:
        services.add_photo(
            product=ProductFactory(), user=personas["laivung"], upload=_pdf("a.jpg")
        )
    assert error.value.messages == ["Ảnh phải ở định dạng JPEG hoặc PNG."]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL; SQLite serialises whole transactions",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_in_one_commune_get_distinct_codes(dong_thap):
    from ocop_portal import demo
    from products.catalogue import load_catalogue

    load_catalogue()
    users = {user.username: user for user in demo.seed_users()}
    producer = ProducerFactory()
    # The commune already has a sequence row (its first product): the two
    # registrations then meet on the row lock, not on the row's creation.
    ProductCodeSequence.objects.create(commune=producer.commune, year=2021)
    barrier = threading.Barrier(2)
    codes, errors = [], []

    def register(name):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            product = services.create_product(
                user=users["laivung"],
                producer=producer,
                name=name,
                product_set=product_set(),
                description="",
                year=2021,
            )
            codes.append(product.code)
        except Exception as error:  # reported by the assertion below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=register, args=(name,))
        for name in ("Nem Lai Vung", "Chả lụa Lai Vung")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(codes) == 2
    assert len(set(codes)) == 2
    assert sorted(code.split("-")[3] for code in codes) == ["001", "002"]
    assert Product.objects.count() == 2


# Dossiers -----------------------------------------------------------------------------


def test_new_dossier_is_a_draft_of_the_products_district(personas):
    product = ProductFactory()
    dossier = services.create_dossier(
        user=personas["laivung"],
        product=product,
        year=2021,
        kind=DossierKind.NEW,
        self_assessment_score=None,
    )
    assert dossier.status == DossierStatus.DRAFT
    assert dossier.district == product.district
    assert AuditEvent.objects.for_object(dossier).get().action == "created"


def test_second_dossier_in_one_year_is_refused(personas):
    dossier = DossierFactory()
    with pytest.raises(ValidationError) as error:
        services.create_dossier(
            user=personas["laivung"],
            product=dossier.product,
            year=2021,
            kind=DossierKind.NEW,
            self_assessment_score=None,
        )
    assert "year" in error.value.message_dict


def test_upgrade_without_an_earlier_dossier_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        services.create_dossier(
            user=personas["laivung"],
            product=ProductFactory(),
            year=2022,
            kind=DossierKind.UPGRADE,
            self_assessment_score=None,
        )
    assert "kind" in error.value.message_dict


def test_upgrade_starts_with_the_previous_dossiers_documents(personas):
    previous = complete(DossierFactory(accepted=True, year=2021))
    # A document taken off the 2021 checklist is not taken over.
    DocumentFactory(
        dossier=previous, original_name="cu.pdf", removed_at="2021-05-01T00:00Z"
    )
    upgrade = services.create_dossier(
        user=personas["laivung"],
        product=previous.product,
        year=2024,
        kind=DossierKind.UPGRADE,
        self_assessment_score=None,
    )
    assert upgrade.previous == previous
    copied = list(upgrade.documents.all())
    originals = list(previous.documents.filter(removed_at__isnull=True))
    assert len(copied) == len(originals) == 8
    assert {d.copied_from for d in copied} == set(originals)
    assert {d.file.name for d in copied} == {d.file.name for d in originals}
    assert services.missing_documents(upgrade) == []
    event = AuditEvent.objects.for_object(upgrade).get()
    assert event.reason == "Kế thừa 8 tài liệu từ hồ sơ năm 2021"


def test_add_and_remove_document_are_recorded(personas):
    dossier = DossierFactory()
    document_type = services.required_document_types(dossier).first()
    document = services.add_document(
        dossier=dossier,
        user=personas["laivung"],
        document_type=document_type,
        upload=_pdf("phieu dang ky.pdf"),
        note="Mẫu 01",
    )
    assert document.original_name == "phieu dang ky.pdf"
    assert document.file.name.startswith("private/documents/")
    assert document.file.name.endswith(".pdf")
    assert "phieu" not in document.file.name
    services.remove_document(document=document, user=personas["laivung"])
    document.refresh_from_db()
    assert document.removed_at is not None
    assert document.file.storage.exists(document.file.name)  # evidence is kept
    actions = [e.action for e in AuditEvent.objects.for_object(dossier)]
    assert actions == ["document_removed", "document_added"]


def test_documents_cannot_change_once_submitted(personas):
    dossier = complete(DossierFactory(submitted=True))
    with pytest.raises(PermissionDenied):
        services.add_document(
            dossier=dossier,
            user=personas["laivung"],
            document_type=services.required_document_types(dossier).first(),
            upload=_pdf(),
        )
    with pytest.raises(PermissionDenied):
        services.remove_document(
            document=dossier.documents.first(), user=personas["laivung"]
        )


def test_submit_lists_the_missing_required_documents(personas):
    dossier = DossierFactory()
    DocumentFactory(
        dossier=dossier,
        document_type=services.required_document_types(dossier).get(
            code="registration_form"
        ),
    )
    with pytest.raises(ValidationError) as error:
        process.submit_dossier(dossier=dossier, user=personas["laivung"])
    message = error.value.messages[0]
    assert message.startswith("Còn thiếu tài liệu bắt buộc: ")
    assert "Phương án / dự án sản xuất kinh doanh" in message
    assert "Phiếu kết quả kiểm nghiệm" in message
    assert "Phiếu đăng ký sản phẩm OCOP" not in message
    assert "Câu chuyện sản phẩm" not in message  # optional
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT


def test_tourism_set_needs_no_food_documents(personas):
    product = ProductFactory(product_set=product_set("148", 26))
    dossier = DossierFactory(product=product)
    codes = set(
        services.required_document_types(dossier).values_list("code", flat=True)
    )
    assert "food_safety" not in codes and "test_results" not in codes
    assert "registration_form" in codes


def test_return_needs_a_reason_and_shows_it(personas):
    dossier = complete(DossierFactory(submitted=True))
    with pytest.raises(ValidationError) as error:
        process.return_dossier(dossier=dossier, user=personas["province"], reason=" ")
    assert error.value.message_dict["reason"] == [
        "Nêu rõ huyện cần bổ sung hoặc chỉnh sửa nội dung gì."
    ]
    process.return_dossier(
        dossier=dossier, user=personas["province"], reason="Thiếu kiểm nghiệm"
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.return_reason) == ("returned", "Thiếu kiểm nghiệm")
    event = AuditEvent.objects.for_object(dossier).first()
    assert event.action == "status"
    assert event.reason == "Thiếu kiểm nghiệm"
    assert event.changes == {"status": ["Đã nộp", "Trả lại để bổ sung"]}


def test_whole_review_cycle_writes_one_event_per_step(personas):
    dossier = complete(DossierFactory())
    process.submit_dossier(dossier=dossier, user=personas["laivung"])
    process.return_dossier(dossier=dossier, user=personas["province"], reason="Bổ sung")
    process.submit_dossier(dossier=dossier, user=personas["laivung"])
    process.accept_dossier(dossier=dossier, user=personas["province"])
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED
    assert dossier.accepted_at and dossier.submitted_at
    steps = [
        (e.actor.username, e.changes["status"][1])
        for e in reversed(AuditEvent.objects.for_object(dossier))
    ]
    assert steps == [
        ("laivung", "Đã nộp"),
        ("province", "Trả lại để bổ sung"),
        ("laivung", "Đã nộp lại"),
        ("province", "Đã tiếp nhận"),
    ]


def test_update_dossier_changes_only_the_self_assessment(personas):
    dossier = DossierFactory()
    services.update_dossier(
        dossier=dossier,
        user=personas["laivung"],
        self_assessment_score=72,
    )
    dossier.refresh_from_db()
    assert dossier.self_assessment_score == 72
    assert dossier.kind == DossierKind.NEW
    assert AuditEvent.objects.for_object(dossier).get().changes == {
        "self_assessment_score": ["", "72"]
    }


def test_update_dossier_does_not_take_a_kind(personas):
    dossier = DossierFactory()
    with pytest.raises(TypeError):
        services.update_dossier(
            dossier=dossier,
            user=personas["laivung"],
            self_assessment_score=72,
            kind=DossierKind.UPGRADE,
        )


@pytest.mark.parametrize(
    ("username", "action"),
    [
        ("thapmuoi", "submit"),
        ("province", "submit"),
        ("laivung", "return"),
        ("laivung", "accept"),
        ("thapmuoi", "accept"),
    ],
)
def test_wrong_person_gets_permission_denied(personas, username, action):
    dossier = complete(DossierFactory(submitted=action != "submit"))
    call = {
        "submit": lambda user: process.submit_dossier(dossier=dossier, user=user),
        "return": lambda user: process.return_dossier(
            dossier=dossier, user=user, reason="x"
        ),
        "accept": lambda user: process.accept_dossier(dossier=dossier, user=user),
    }[action]
    with pytest.raises(PermissionDenied):
        call(personas[username])


# Records from before the portal ------------------------------------------------------


def test_import_product_takes_the_code_of_its_year_and_says_imported(personas):
    producer = ProducerFactory()
    product = imports.import_product(
        user=personas["province"],
        producer=producer,
        name="Hạt sen sấy",
        product_set=product_set("1048", 7),
        year=2020,
    )
    assert product.code == f"87-876-{producer.commune.code}-001-2020"
    assert AuditEvent.objects.for_object(product).get().action == "imported"
    with pytest.raises(PermissionDenied):
        imports.import_product(
            user=personas["thapmuoi"],
            producer=producer,
            name="Mít sấy",
            product_set=product_set("1048", 7),
            year=2020,
        )


def test_import_dossier_keeps_checked_documents_and_is_limited_to_review_statuses(
    personas,
):
    product = ProductFactory()
    registration = services.required_document_types(
        DossierFactory.build(product=product)
    ).first()
    dossier = imports.import_dossier(
        user=personas["province"],
        product=product,
        year=2021,
        kind=DossierKind.UPGRADE,
        status=DossierStatus.ACCEPTED,
        files=[(registration, "phieu.pdf", PDF)],
    )
    assert (dossier.status, dossier.kind) == ("accepted", "upgrade")
    assert dossier.accepted_at is not None
    assert dossier.documents.get().content_type == "application/pdf"
    assert AuditEvent.objects.for_object(dossier).get().action == "imported"
    with pytest.raises(ValidationError):
        imports.import_dossier(
            user=personas["province"],
            product=ProductFactory(),
            year=2021,
            kind=DossierKind.NEW,
            status=DossierStatus.DRAFT,
            files=[(registration, "x.pdf", b"MZ" + b"\0" * 20)],
        )
    with pytest.raises(InvalidTransition):
        imports.import_dossier(
            user=personas["province"],
            product=ProductFactory(),
            year=2021,
            kind=DossierKind.NEW,
            status=DossierStatus.DECIDED,
            files=[],
        )
    with pytest.raises(PermissionDenied):
        imports.import_dossier(
            user=personas["laivung"],
            product=ProductFactory(),
            year=2021,
            kind=DossierKind.NEW,
            status=DossierStatus.DRAFT,
            files=[],
        )
