import pytest

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "jurisdiction"),
    [
        ("province", "Tỉnh Đồng Tháp"),
        ("laivung", "Huyện Lai Vung"),
        ("thapmuoi", "Huyện Tháp Mười"),
        ("chauthanh", "Huyện Châu Thành"),
        ("admin", "Tỉnh Đồng Tháp"),
    ],
)
def test_each_persona_signs_in_and_sees_their_home(
    page, personas, screenshot, username, jurisdiction
):
    login(page, username)
    assert page.get_by_test_id("jurisdiction").inner_text() == jurisdiction
    screenshot(page, f"home-{username}")
    assert page.console_errors == []
