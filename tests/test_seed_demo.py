import datetime

import pytest

from django.core.management import CommandError, call_command

from accounts.jurisdiction import jurisdiction_of
from accounts.models import Mandate, Role, User
from evaluations.models import Certificate, Decision, Round, ScoreSheet
from producers.models import Producer
from products.models import Dossier, DossierStatus, Product


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [
            Producer,
            Product,
            Dossier,
            Round,
            ScoreSheet,
            Decision,
            Certificate,
            Mandate,
        ]
    }


@pytest.mark.django_db
def test_seed_demo_is_refused_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--force")
    first = sorted(
        Mandate.objects.values_list(
            "user__username", "role", "unit__code", "valid_from"
        )
    )
    counts = _counts()
    call_command("seed_demo", "--force")
    assert _counts() == counts
    assert (
        sorted(
            Mandate.objects.values_list(
                "user__username", "role", "unit__code", "valid_from"
            )
        )
        == first
    )
    users = {user.username: user for user in User.objects.all()}
    assert users["admin"].is_superuser
    before, after = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
    # The provincial officer continues at the merged province; district officers
    # stop with their districts.
    assert jurisdiction_of(users["province"], before).province.name == "Tỉnh Đồng Tháp"
    assert jurisdiction_of(users["province"], before).province.code == "87"
    assert jurisdiction_of(users["province"], after).province.code == "82"
    assert jurisdiction_of(users["province"], after).roles == {Role.PROVINCIAL_OFFICER}
    for username, district in [
        ("laivung", "Huyện Lai Vung"),
        ("thapmuoi", "Huyện Tháp Mười"),
        ("chauthanh", "Huyện Châu Thành"),
    ]:
        assert jurisdiction_of(users[username], before).district.name == district
        assert not jurisdiction_of(users[username], after).is_local
    assert users["laivung"].check_password("ocop2021")


@pytest.mark.django_db
def test_the_demo_runs_todays_process_in_the_merged_province():
    call_command("seed_demo", "--force")
    today = datetime.date(2026, 12, 1)
    officer = User.objects.get(username="xa.laivung")
    jurisdiction = jurisdiction_of(officer, today)
    assert jurisdiction.province.code == "82"
    assert [unit.name for unit in jurisdiction.own_units] == ["Xã Lai Vung"]
    dossiers = Dossier.objects.filter(year=2026, district__isnull=True)
    assert set(dossiers.values_list("status", flat=True)) >= {
        DossierStatus.DRAFT,
        DossierStatus.WITH_COMMUNE,
        DossierStatus.RETURNED,
        DossierStatus.PROPOSED,
        DossierStatus.ACCEPTED,
        DossierStatus.UNDER_EVALUATION,
        DossierStatus.DECIDED,
    }
    # Every 2026 dossier was handed to the commune and follows the process of its
    # submission day: 1489/QĐ-TTg in April, 26/2026 from 22/5.
    submitted = dossiers.exclude(status=DossierStatus.DRAFT)
    assert all(dossier.commune_id for dossier in submitted)
    assert {dossier.process.code for dossier in submitted} == {"1489", "26/2026"}
    decision = Decision.objects.get(number__startswith="1588/QĐ-UBND")
    assert sorted(decision.certificates.values_list("stars", flat=True)) == [3, 3, 4]
    assert decision.province.code == "82"
