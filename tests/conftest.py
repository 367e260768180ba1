"""Shared fixtures: the Đồng Tháp units, the demo personas, logged-in clients, and a
Playwright browser on Debian's Chromium."""

import os
import shutil
from pathlib import Path

import pytest

from django.test import Client

from core import clock
from ocop_portal import demo
from regions.models import AdministrativeUnit
from regions.services import load_dong_thap_2021

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CHROMIUM = os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _run_queue_deleted_at_the_end():
    """The run's own Celery queue (tests/settings.py) goes when the run ends, with
    whatever tasks the tests left in it."""
    yield
    if os.environ.get("REDIS_URL"):
        from django.conf import settings

        from tests.queues import delete_queue

        delete_queue(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test ends back in the portal's language: a page read in English
    (LocaleMiddleware activates it for the thread) never leaks into the next test."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of a test go to its own directory: no test depends on what an earlier
    run left in a media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _acting_day(request):
    """Tests act on a day of the 2021 programme (the demo's day), when the personas'
    districts existed, unless marked `acting_on(day)`: the rules of who acts where
    are read for core.clock.today() (see core/clock.py)."""
    marker = request.node.get_closest_marker("acting_on")
    with clock.acting_on(marker.args[0] if marker else demo.DEMO_DAY) as day:
        yield day


@pytest.fixture
def dong_thap(db):
    """The 2021 units of Đồng Tháp (province 87, 12 districts, 143 communes)."""
    if not AdministrativeUnit.objects.filter(code=demo.PROVINCE_CODE).exists():
        load_dong_thap_2021()
    return demo.unit(demo.PROVINCE_CODE)


@pytest.fixture
def personas(dong_thap):
    """The demo users by username: admin, province, laivung, thapmuoi, chauthanh."""
    return {user.username: user for user in demo.seed_users()}


@pytest.fixture
def eager():
    """Run tasks in-process for the test, even when REDIS_URL points at a broker."""
    from ocop_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def client_for(personas):
    """A test client signed in as the named persona (None: anonymous)."""

    def make(username: str | None) -> Client:
        client = Client()
        if username is not None:
            client.force_login(personas[username])
        return client

    return make


# Browser tests ----------------------------------------------------------------------


def _chromium_or_skip():
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"CI must run browser tests, but Chromium is missing at {CHROMIUM}")
    pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    # Playwright's sync API runs an event loop in the test thread; the Django ORM calls
    # the tests make between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        viewport={"width": 1366, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def login(page, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/portal/")


@pytest.fixture
def merged_dong_thap(dong_thap):
    """The two-tier reform on top of the 2021 units: the former Tiền Giang, the merged
    Đồng Tháp (GSO 82) and its 102 units from 1/7/2025, the successions."""
    from regions.services import MERGED_PROVINCE_CODE, REFORM_DAY, load_two_tier_reform

    if not AdministrativeUnit.objects.filter(
        code=MERGED_PROVINCE_CODE, valid_from=REFORM_DAY
    ).exists():
        load_two_tier_reform()
    return AdministrativeUnit.objects.get(
        code=MERGED_PROVINCE_CODE, valid_from=REFORM_DAY
    )
