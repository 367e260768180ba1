import datetime

import pytest

from django.core.management import CommandError, call_command

from accounts.jurisdiction import jurisdiction_of
from accounts.models import Mandate, Role, User


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
    call_command("seed_demo", "--force")
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
