import datetime
import difflib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.models import User
from core import clock
from regions.models import AdministrativeUnit
from regions.text import fold

from .models import Producer
from .permissions import (
    can_edit_producer,
    can_register_in_commune,
    can_register_producers,
)

# Fields a district officer edits; the audit trail compares these.
EDITABLE_FIELDS = [
    "kind",
    "name",
    "registration_number",
    "registration_issuer",
    "registration_date",
    "legal_representative",
    "phone",
    "email",
    "address",
    "commune",
]

# Set by Producer.save() from other fields, so not validated beforehand.
DERIVED_FIELDS = ["district", "search_text", "created_by"]

# Legal-form words that do not tell two producers apart ("Công ty TNHH Nam Huy" and
# "Cty Nam Huy" are the same producer).
_LEGAL_FORMS = re.compile(
    r"\b(cong ty|cty|co phan|tnhh|mtv|mot thanh vien|hop tac xa|htx|to hop tac|thq|"
    r"co so|ho kinh doanh|hkd|doanh nghiep tu nhan|dntn|chi nhanh|cn)\b"
)
SIMILARITY_THRESHOLD = 0.85


def name_key(name: str) -> str:
    return " ".join(_LEGAL_FORMS.sub(" ", fold(name)).split())


def similar_producers(
    *, name: str, commune: AdministrativeUnit | None, exclude_pk: int | None = None
) -> list[Producer]:
    """Producers of the same commune whose names look like `name` (diacritics, case and
    legal-form words ignored). Used to warn about duplicates, never to block."""
    key = name_key(name)
    if not key or commune is None:
        return []
    candidates = Producer.objects.filter(commune=commune).exclude(pk=exclude_pk)
    similar = []
    for producer in candidates.only("pk", "name", "registration_number", "commune"):
        other = name_key(producer.name)
        if (
            other == key
            or difflib.SequenceMatcher(None, key, other).ratio() >= SIMILARITY_THRESHOLD
        ):
            similar.append(producer)
    return similar


def _check_commune(user: User, commune: AdministrativeUnit) -> None:
    if not can_register_in_commune(user, commune):
        raise ValidationError(
            {"commune": _("Choose a commune you act for.")}, code="not_your_commune"
        )
    today = clock.today()
    if not commune.is_valid_on(today):
        raise ValidationError(
            {
                "commune": _(
                    "%(commune)s no longer exists (it ended on %(day)s): choose a "
                    "commune of today."
                )
                % {"commune": commune, "day": commune.valid_to.strftime("%d/%m/%Y")}
            },
            code="former_commune",
        )


def _save(producer: Producer) -> None:
    """Save; a tax code registered by someone else a moment ago (after full_clean
    checked it) comes back as the same form error instead of a 500."""
    try:
        with transaction.atomic():
            producer.save()
    except IntegrityError as error:
        if (
            Producer.objects.filter(registration_number=producer.registration_number)
            .exclude(pk=producer.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "registration_number": Producer._meta.get_field(
                        "registration_number"
                    ).error_messages["unique"]
                }
            ) from error
        raise


@transaction.atomic
def create_producer(
    *,
    user: User,
    kind: str,
    name: str,
    registration_number: str,
    legal_representative: str,
    commune: AdministrativeUnit,
    registration_issuer: str = "",
    registration_date: datetime.date | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
) -> Producer:
    """Register a producer in the officer's district. Raises PermissionDenied for
    anyone else and ValidationError for a commune outside the district."""
    if not can_register_producers(user):
        raise PermissionDenied
    _check_commune(user, commune)
    producer = Producer(
        created_by=user,
        kind=kind,
        name=name,
        registration_number=registration_number,
        registration_issuer=registration_issuer,
        registration_date=registration_date,
        legal_representative=legal_representative,
        phone=phone,
        email=email,
        address=address,
        commune=commune,
    )
    producer.full_clean(exclude=DERIVED_FIELDS)
    _save(producer)
    record_created(target=producer, actor=user, fields=EDITABLE_FIELDS)
    return producer


@transaction.atomic
def update_producer(
    *,
    producer: Producer,
    user: User,
    kind: str,
    name: str,
    registration_number: str,
    registration_issuer: str,
    registration_date: datetime.date | None,
    legal_representative: str,
    phone: str,
    email: str,
    address: str,
    commune: AdministrativeUnit,
) -> Producer:
    """Change a producer's details and record what changed. Raises PermissionDenied
    outside the officer's district and ValidationError like create_producer."""
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    if not can_edit_producer(user, producer):
        raise PermissionDenied
    # A producer keeps the commune it was registered in, even one that has since
    # ended; moving it is choosing a commune of today.
    if commune.pk != producer.commune_id:
        _check_commune(user, commune)
    before = snapshot(producer, EDITABLE_FIELDS)
    producer.kind = kind
    producer.name = name
    producer.registration_number = registration_number
    producer.registration_issuer = registration_issuer
    producer.registration_date = registration_date
    producer.legal_representative = legal_representative
    producer.phone = phone
    producer.email = email
    producer.address = address
    producer.commune = commune
    producer.full_clean(exclude=DERIVED_FIELDS)
    changes = changes_between(before, snapshot(producer, EDITABLE_FIELDS))
    if changes:
        _save(producer)
        record_event(target=producer, actor=user, action="updated", changes=changes)
    return producer


@transaction.atomic
def archive_producer(*, producer: Producer, user: User, reason: str) -> Producer:
    """Hide a producer from lists (records that rely on it stay). Reason required."""
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    if not can_edit_producer(user, producer):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for archiving.")})
    producer.archived_at = clock.now()
    producer.save(update_fields=["archived_at", "updated_at"])
    record_event(target=producer, actor=user, action="archived", reason=reason.strip())
    return producer
