import factory

from accounts.models import Role, User
from producers.models import Producer, ProducerKind
from regions.models import AdministrativeUnit


def officer_of(district: AdministrativeUnit) -> User:
    """A district officer of `district` (the demo persona where one exists)."""
    user = User.objects.filter(
        role=Role.DISTRICT_OFFICER, jurisdiction=district
    ).first()
    if user is None:
        user = User.objects.create_user(
            username=f"officer{district.code}",
            password="x",
            role=Role.DISTRICT_OFFICER,
            jurisdiction=district,
        )
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
