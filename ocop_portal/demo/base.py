"""Demo step 1: administrative units, product catalogue and the personas."""

import datetime
from dataclasses import dataclass

from accounts.jurisdiction import forget_jurisdiction
from accounts.models import Mandate, Role, User
from evaluations.catalogue import load_criteria, load_regimes
from products.catalogue import load_catalogue
from regions.models import AdministrativeUnit
from regions.services import MERGED_PROVINCE_CODE, REFORM_DAY, load_all_units

DEMO_PASSWORD = "ocop2021"
DEMO_EMAIL_DOMAIN = "@ocop.dongthap.example"
PROVINCE_CODE = "87"
# The demo lives in 2021: units are the ones valid then.
DEMO_DAY = datetime.date(2021, 6, 30)


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    role: str
    unit_code: str
    organisation: str
    superuser: bool = False


PERSONAS = [
    Persona(
        "admin",
        "Quản trị",
        "Hệ thống",
        Role.ADMINISTRATOR,
        PROVINCE_CODE,
        "Trung tâm Công nghệ thông tin tỉnh Đồng Tháp",
        superuser=True,
    ),
    Persona(
        "province",
        "Minh Tâm",
        "Lê",
        Role.PROVINCIAL_OFFICER,
        PROVINCE_CODE,
        "Sở Công Thương Đồng Tháp",
    ),
    Persona(
        "laivung",
        "Thị Hồng",
        "Nguyễn",
        Role.DISTRICT_OFFICER,
        "876",
        "Phòng Nông nghiệp và Phát triển nông thôn huyện Lai Vung",
    ),
    Persona(
        "thapmuoi",
        "Văn Sen",
        "Trần",
        Role.DISTRICT_OFFICER,
        "872",
        "Phòng Nông nghiệp và Phát triển nông thôn huyện Tháp Mười",
    ),
    Persona(
        "chauthanh",
        "Quốc Huy",
        "Phạm",
        Role.DISTRICT_OFFICER,
        "877",
        "Phòng Nông nghiệp và Phát triển nông thôn huyện Châu Thành",
    ),
]


def unit(code: str) -> AdministrativeUnit:
    """The 2021 unit with this GSO code."""
    return AdministrativeUnit.objects.valid_on(DEMO_DAY).get(code=code)


def ensure_user(
    *,
    username: str,
    first_name: str,
    last_name: str,
    organisation: str = "",
    superuser: bool = False,
) -> tuple[User, bool]:
    """Create the demo user once; a re-run keeps its password and other edits."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "organisation": organisation,
            "email": f"{username}{DEMO_EMAIL_DOMAIN}",
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created


def ensure_mandate(*, user: User, role: str, unit: AdministrativeUnit) -> Mandate:
    """The user acts for the unit with this role for as long as the unit exists."""
    mandate, _created = Mandate.objects.get_or_create(
        user=user,
        unit=unit,
        valid_from=unit.valid_from,
        defaults={"role": role, "valid_to": unit.valid_to},
    )
    forget_jurisdiction(user)
    return mandate


def seed_users() -> list[User]:
    """The 2021 personas, with their mandates; the provincial ones continue at the
    merged province from 1/7/2025 when its units are loaded."""
    merged = AdministrativeUnit.objects.filter(
        code=MERGED_PROVINCE_CODE, valid_from=REFORM_DAY
    ).first()
    users = []
    for persona in PERSONAS:
        user, _ = ensure_user(
            username=persona.username,
            first_name=persona.first_name,
            last_name=persona.last_name,
            organisation=persona.organisation,
            superuser=persona.superuser,
        )
        ensure_mandate(user=user, role=persona.role, unit=unit(persona.unit_code))
        if merged is not None and persona.unit_code == PROVINCE_CODE:
            ensure_mandate(user=user, role=persona.role, unit=merged)
        users.append(user)
    return users


def seed_base(log) -> None:
    counts = load_all_units()
    log(
        f"Administrative units: {counts['created']} created, {counts['updated']} "
        f"already there, {counts['successions']} successions created."
    )
    counts = load_catalogue()
    log(f"Product catalogue: {sum(counts.values())} new rows.")
    load_regimes()
    sheets = load_criteria()
    log(
        f"Criteria sheets: {sum(created for _, created in sheets)} new of {len(sheets)}."
    )
    seed_users()


def report_logins(log) -> None:
    logins = (
        User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN)
        .prefetch_related("council_memberships__council", "mandates__unit")
        .order_by("pk")
    )
    log(f"Demo logins (password {DEMO_PASSWORD}):")
    for user in logins:
        duties = [
            f"{mandate.get_role_display()}, {mandate.unit.name}"
            f" ({mandate.valid_from:%d/%m/%Y}–"
            f"{mandate.valid_to.strftime('%d/%m/%Y') if mandate.valid_to else ''})"
            for mandate in user.mandates.all()
        ]
        duties += [
            f"{membership.get_role_display()} – {membership.council.name}"
            for membership in user.council_memberships.all()
        ]
        log(f"  {user.username:<13} {'; '.join(duties)}")
