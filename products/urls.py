from django.urls import path

from .views import dossiers, products

app_name = "products"

# Mounted at the site root: DESIGN §7 fixes /products/… and /dossiers/….
urlpatterns = [
    path("products/", products.product_list, name="product-list"),
    path("products/export/", products.product_export, name="product-export"),
    path(
        "producers/<int:producer_pk>/products/new/",
        products.product_create,
        name="product-create",
    ),
    path("products/<int:pk>/", products.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", products.product_edit, name="product-edit"),
    path("products/<int:pk>/photos/", products.product_photo_add, name="photo-add"),
    path("products/photos/<int:pk>/", products.product_photo, name="photo"),
    path(
        "products/<int:pk>/dossiers/new/",
        dossiers.dossier_create,
        name="dossier-create",
    ),
    path("dossiers/", dossiers.dossier_list, name="dossier-list"),
    path("dossiers/export/", dossiers.dossier_export, name="dossier-export"),
    path("dossiers/<int:pk>/", dossiers.dossier_detail, name="dossier-detail"),
    path("dossiers/<int:pk>/edit/", dossiers.dossier_edit, name="dossier-edit"),
    path("dossiers/<int:pk>/documents/", dossiers.document_add, name="document-add"),
    path(
        "dossiers/documents/<int:pk>/",
        dossiers.document_download,
        name="document-download",
    ),
    path(
        "dossiers/documents/<int:pk>/remove/",
        dossiers.document_remove,
        name="document-remove",
    ),
    path("dossiers/<int:pk>/submit/", dossiers.dossier_submit, name="dossier-submit"),
    path("dossiers/<int:pk>/return/", dossiers.dossier_return, name="dossier-return"),
    path("dossiers/<int:pk>/accept/", dossiers.dossier_accept, name="dossier-accept"),
    path(
        "dossiers/<int:pk>/commune-check/",
        dossiers.dossier_commune_check,
        name="dossier-commune-check",
    ),
]
