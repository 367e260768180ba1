"""Every URL has a row in a permission matrix, and no URL is open by accident.

Each app's tests/<app>/test_permissions.py lists the URL names it checks in
COVERED_URL_NAMES; a new URL without a row fails here. Then every URL is requested
anonymously: only the public allowlist may answer without sending to the login page.
"""

import importlib

import pytest

from django.urls import URLPattern, URLResolver, get_resolver, reverse

APPS = ["producers", "products", "evaluations", "plans"]
# Pages the public may open (DESIGN §6, §7).
PUBLIC = {
    "public-home",
    "public-product",
    "public-product-qr",
    "public-verify",
    "public-verify-number",
    "healthz",
    "set_language",
    "accounts:login",
    "accounts:logout",
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_app_url_has_a_permission_matrix_row():
    covered = set()
    for app in APPS:
        module = importlib.import_module(f"tests.{app}.test_permissions")
        covered |= set(module.COVERED_URL_NAMES)
    named = {name for name, _ in _named_urls() if name.split(":")[0] in APPS}
    assert named - covered == set(), "URLs without a row in a permission matrix"
    assert covered - named == set(), "matrix rows for URLs that no longer exist"


def _sample_kwargs(pattern: URLPattern) -> dict:
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        kwargs[name] = 1 if converter.regex == "[0-9]+" else "x"
    return kwargs


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_everywhere_but_public_pages(client):
    for name, pattern in _named_urls():
        if name in PUBLIC:
            continue
        url = reverse(name, kwargs=_sample_kwargs(pattern))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), (
                name,
                method,
                response.status_code,
            )
            if response.status_code == 302:
                assert response.url.startswith("/accounts/login/"), (
                    name,
                    method,
                    response.url,
                )


@pytest.mark.django_db
def test_every_post_without_a_csrf_token_is_refused(personas):
    """A signed-in officer's browser tricked into posting from another site gets 403 on
    every URL (CSRF), whatever the view would have done."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["province"])
    for name, pattern in _named_urls():
        if name in ("healthz",):
            continue
        url = reverse(name, kwargs=_sample_kwargs(pattern))
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 403, (name, response.status_code)
