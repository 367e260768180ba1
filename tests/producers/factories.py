import factory

from accounts.jurisdiction import forget_jurisdiction, local_officers
from accounts.models import Mandate, Role, User
from producers.models import Producer, ProducerKind
from regions.models import AdministrativeUnit, UnitLevel


def officer_of(unit: AdministrativeUnit) -> User:
    """The local officer of a district or commune (the demo persona where one
    exists), acting for it as long as it exists."""
    user = local_officers(
        district_id=unit.pk if unit.level == UnitLevel.DISTRICT else None,
        commune_id=unit.pk if unit.level == UnitLevel.COMMUNE else None,
        on=unit.valid_from,
    ).first()
    if user is None:
        user = User.objects.create_user(username=f"officer{unit.code}", password="x")
        give_mandate(user, unit)
    return user


def give_mandate(user: User, unit: AdministrativeUnit, role: str | None = None):
    """Make `user` the officer of `unit` for as long as the unit exists (role by the
    unit's level unless given)."""
    role = (
        role
        or {
            UnitLevel.COMMUNE: Role.COMMUNE_OFFICER,
            UnitLevel.DISTRICT: Role.DISTRICT_OFFICER,
            UnitLevel.PROVINCE: Role.PROVINCIAL_OFFICER,
        }[unit.level]
    )
    Mandate.objects.create(
        user=user,
        role=role,
        unit=unit,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )
    forget_jurisdiction(user)
    return user


def province_user() -> User:
    """The provincial officer persona ("province")."""
    return User.objects.get(username="province")


def first_commune(district_code: str) -> AdministrativeUnit:
    return (
        AdministrativeUnit.objects.filter(parent__code=district_code)
        .order_by("code")
        .first()
    )


class ProducerFactory(factory.django.DjangoModelFactory):
    """An enterprise in the first commune of Lai Vung (`district_code` for another
    district), registered by the district's officer; trait `with_email` gives it an
    address (expiry reminders go there)."""

    class Meta:
        model = Producer

    class Params:
        district_code = "876"
        with_email = factory.Trait(
            email=factory.Sequence(lambda n: f"coso{n}@example.vn")
        )

    kind = ProducerKind.ENTERPRISE
    name = factory.Sequence(lambda n: f"Cơ sở sản xuất số {n}")
    registration_number = factory.Sequence(lambda n: f"{1400100000 + n:010d}")
    legal_representative = "Nguyễn Văn An"
    commune = factory.LazyAttribute(lambda o: first_commune(o.district_code))
    created_by = factory.LazyAttribute(lambda o: officer_of(o.commune.parent))
