"""Public pages (no login): the catalogue of recognised products, the product page a
QR code points at, and certificate verification."""

from django.urls import path

from ocop_portal.views import public_home

urlpatterns = [
    path("", public_home, name="public-home"),
]
