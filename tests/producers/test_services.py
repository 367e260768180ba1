import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from producers.models import Producer, ProducerKind
from producers.services import (
    archive_producer,
    create_producer,
    name_key,
    similar_producers,
    update_producer,
)
from tests.producers.factories import ProducerFactory, first_commune


def _data(commune, **overrides):
    data = {
        "kind": ProducerKind.HOUSEHOLD,
        "name": "Cơ sở sản xuất nem Hoàng Khánh",
        "registration_number": "1401234567",
        "registration_issuer": "Phòng Tài chính - Kế hoạch huyện Lai Vung",
        "registration_date": None,
        "legal_representative": "Lê Hoàng Khánh",
        "phone": "0277 3851 234",
        "email": "",
        "address": "Ấp Tân Thuận",
        "commune": commune,
    }
    data.update(overrides)
    return data


def test_officer_registers_a_producer_of_their_district_with_an_audit_row(personas):
    commune = first_commune("876")
    producer = create_producer(user=personas["laivung"], **_data(commune))
    assert producer.district.code == "876"
    assert producer.created_by == personas["laivung"]
    assert producer.search_text.startswith("co so san xuat nem hoang khanh")
    event = AuditEvent.objects.for_object(producer).get()
    assert event.action == "created"
    assert event.actor == personas["laivung"]
    assert event.changes["name"] == ["", "Cơ sở sản xuất nem Hoàng Khánh"]
    assert event.changes["commune"] == ["", commune.name]


def test_commune_of_another_district_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        create_producer(user=personas["laivung"], **_data(first_commune("872")))
    assert "commune" in error.value.message_dict


def test_provincial_officer_cannot_register_producers(personas):
    with pytest.raises(PermissionDenied):
        create_producer(user=personas["province"], **_data(first_commune("876")))


@pytest.mark.parametrize(
    "number", ["140123456", "14012345678", "1401234567-01", "140123456A", "14-01234567"]
)
def test_malformed_tax_code_is_refused(personas, number):
    with pytest.raises(ValidationError) as error:
        create_producer(
            user=personas["laivung"],
            **_data(first_commune("876"), registration_number=number),
        )
    assert "registration_number" in error.value.message_dict


@pytest.mark.parametrize("number", ["1401234567", "1401234567-001"])
def test_tax_code_and_branch_code_are_accepted(personas, number):
    producer = create_producer(
        user=personas["laivung"],
        **_data(first_commune("876"), registration_number=number),
    )
    assert producer.registration_number == number


def test_duplicate_tax_code_is_refused(personas):
    ProducerFactory(registration_number="1401234567")
    with pytest.raises(ValidationError) as error:
        create_producer(user=personas["laivung"], **_data(first_commune("876")))
    assert error.value.message_dict["registration_number"] == [
        "Đã có chủ thể với mã số thuế này."
    ]


def test_update_records_old_and_new_values(personas):
    producer = create_producer(user=personas["laivung"], **_data(first_commune("876")))
    update_producer(
        producer=producer,
        user=personas["laivung"],
        **_data(producer.commune, phone="0909 123 456"),
    )
    event = AuditEvent.objects.for_object(producer).first()
    assert event.action == "updated"
    assert event.changes == {"phone": ["0277 3851 234", "0909 123 456"]}


def test_update_without_change_writes_no_event(personas):
    producer = create_producer(user=personas["laivung"], **_data(first_commune("876")))
    update_producer(
        producer=producer, user=personas["laivung"], **_data(producer.commune)
    )
    assert AuditEvent.objects.for_object(producer).count() == 1


def test_officer_of_other_district_cannot_update(personas):
    producer = ProducerFactory()
    with pytest.raises(PermissionDenied):
        update_producer(
            producer=producer,
            user=personas["thapmuoi"],
            **_data(producer.commune),
        )


def test_archive_needs_a_reason_and_records_it(personas):
    producer = ProducerFactory()
    with pytest.raises(ValidationError):
        archive_producer(producer=producer, user=personas["laivung"], reason="  ")
    archive_producer(
        producer=producer, user=personas["laivung"], reason="Trùng với chủ thể khác"
    )
    producer.refresh_from_db()
    assert producer.archived_at is not None
    event = AuditEvent.objects.for_object(producer).first()
    assert (event.action, event.reason) == ("archived", "Trùng với chủ thể khác")
    assert Producer.objects.active().filter(pk=producer.pk).count() == 0


def test_archived_producer_can_no_longer_be_edited(personas):
    producer = ProducerFactory()
    archive_producer(
        producer=producer, user=personas["laivung"], reason="Ngừng hoạt động"
    )
    with pytest.raises(PermissionDenied):
        update_producer(
            producer=producer, user=personas["laivung"], **_data(producer.commune)
        )


def test_name_key_drops_legal_form_words_diacritics_and_case():
    assert name_key("Công ty TNHH MTV Nam Huy Đồng Tháp") == "nam huy dong thap"
    assert name_key("CTY NAM HUY ĐỒNG THÁP") == "nam huy dong thap"


def test_similar_names_in_the_same_commune_are_found(personas):
    commune = first_commune("876")
    existing = ProducerFactory(name="Cơ sở nem Hoàng Khánh", commune=commune)
    ProducerFactory(name="Cơ sở nem Hoàng Khánh", commune=first_commune("872"))
    ProducerFactory(name="Hợp tác xã Quýt hồng Lai Vung", commune=commune)
    found = similar_producers(name="CƠ SỞ NEM HOANG KHANH", commune=commune)
    assert found == [existing]
    assert (
        similar_producers(
            name="Cơ sở nem Hoàng Khánh", commune=commune, exclude_pk=existing.pk
        )
        == []
    )
