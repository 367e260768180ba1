import pytest

from django.urls import reverse

from ocop_portal.demo import DEMO_PASSWORD

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_lockouts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_login_page_is_in_vietnamese(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()
    assert 'lang="vi"' in response.content.decode()


def test_english_can_be_chosen(client, db):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": LOGIN}, follow=True
    )
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()


def test_persona_logs_in_and_reaches_home(client, personas):
    response = client.post(LOGIN, {"username": "laivung", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("portal-home")
    assert client.get(reverse("portal-home")).status_code == 200


def test_login_cycles_the_session_key(client, personas):
    client.get(LOGIN)
    client.cookies["sessionid"] = "attacker-chosen"
    client.post(LOGIN, {"username": "laivung", "password": DEMO_PASSWORD})
    assert client.cookies["sessionid"].value != "attacker-chosen"


def test_wrong_password_gives_a_clear_message_and_keeps_the_username(client, personas):
    response = client.post(LOGIN, {"username": "laivung", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sai tên đăng nhập hoặc mật khẩu" in html
    assert 'value="laivung"' in html


def test_unknown_user_and_wrong_password_look_the_same(client, personas):
    unknown = client.post(LOGIN, {"username": "nobody", "password": "wrong"})
    wrong = client.post(LOGIN, {"username": "laivung", "password": "wrong"})
    assert unknown.status_code == wrong.status_code == 200
    strip = lambda html, name: html.replace(f'value="{name}"', "")  # noqa: E731
    unknown_html = strip(unknown.content.decode(), "nobody")
    wrong_html = strip(wrong.content.decode(), "laivung")
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", unknown_html) == token.sub("", wrong_html)


def test_logout_ends_the_session(client, personas):
    client.post(LOGIN, {"username": "province", "password": DEMO_PASSWORD})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_logout_is_post_only(client_for):
    assert client_for("province").get("/accounts/logout/").status_code == 405


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/portal/"


def test_repeated_failures_lock_the_account(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "laivung", "password": "wrong"})
    response = client.post(LOGIN, {"username": "laivung", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


def test_inactive_user_cannot_log_in(client, personas):
    personas["laivung"].is_active = False
    personas["laivung"].save()
    response = client.post(LOGIN, {"username": "laivung", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
