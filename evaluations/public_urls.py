"""Public pages (no login): the catalogue of recognised products, the product page a
QR code points at, and certificate verification (DESIGN §7)."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.catalogue, name="public-home"),
    path("p/<str:code>/", public_views.product_page, name="public-product"),
    path("p/<str:code>/qr.svg", public_views.product_qr, name="public-product-qr"),
    path("verify/", public_views.verify, name="public-verify"),
    path(
        "verify/<str:number>/", public_views.verify_number, name="public-verify-number"
    ),
]
