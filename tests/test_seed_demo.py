import pytest

from django.core.management import CommandError, call_command

from accounts.models import Role, User


@pytest.mark.django_db
def test_seed_demo_is_refused_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--force")
    first = sorted(User.objects.values_list("username", "role", "jurisdiction__code"))
    call_command("seed_demo", "--force")
    assert (
        sorted(User.objects.values_list("username", "role", "jurisdiction__code"))
        == first
    )
    users = {user.username: user for user in User.objects.all()}
    assert users["admin"].is_superuser
    assert users["province"].role == Role.PROVINCIAL_OFFICER
    assert users["laivung"].jurisdiction.name == "Huyện Lai Vung"
    assert users["thapmuoi"].jurisdiction.name == "Huyện Tháp Mười"
    assert users["chauthanh"].jurisdiction.name == "Huyện Châu Thành"
    assert users["laivung"].check_password("ocop2021")
