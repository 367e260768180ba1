"""Settings come from the environment and fail loudly when unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p" * 20 + "roduction-secret-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "ocop.dongthap.gov.vn",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "ocop_portal.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_to_start_without_secret_when_debug_is_off():
    result = _run(["manage.py", "check"], {"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_settings_start_without_secret_in_debug():
    result = _run(["manage.py", "check"], {"DJANGO_DEBUG": "true"})
    assert result.returncode == 0, result.stderr


def test_deploy_check_passes_with_production_variables():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/portal/"])
def test_every_page_sends_the_security_headers(client, db, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_hold_no_inline_script_or_style():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        for needle in (
            "<script>",
            'style="',
            "onclick=",
            "onchange=",
            "onsubmit=",
            "<style",
        ):
            if needle in text:
                offenders.append(f"{template.relative_to(ROOT)}: {needle}")
    assert offenders == []
