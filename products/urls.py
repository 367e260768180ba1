from django.urls import path

from . import views

app_name = "products"

# Mounted at the site root: DESIGN §7 fixes /products/… and /dossiers/….
urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/export/", views.product_export, name="product-export"),
    path(
        "producers/<int:producer_pk>/products/new/",
        views.product_create,
        name="product-create",
    ),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/photos/", views.product_photo_add, name="photo-add"),
    path("products/photos/<int:pk>/", views.product_photo, name="photo"),
    path(
        "products/<int:pk>/dossiers/new/", views.dossier_create, name="dossier-create"
    ),
    path("dossiers/", views.dossier_list, name="dossier-list"),
    path("dossiers/export/", views.dossier_export, name="dossier-export"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier-detail"),
    path("dossiers/<int:pk>/edit/", views.dossier_edit, name="dossier-edit"),
    path("dossiers/<int:pk>/documents/", views.document_add, name="document-add"),
    path(
        "dossiers/documents/<int:pk>/",
        views.document_download,
        name="document-download",
    ),
    path(
        "dossiers/documents/<int:pk>/remove/",
        views.document_remove,
        name="document-remove",
    ),
    path("dossiers/<int:pk>/submit/", views.dossier_submit, name="dossier-submit"),
    path("dossiers/<int:pk>/return/", views.dossier_return, name="dossier-return"),
    path("dossiers/<int:pk>/accept/", views.dossier_accept, name="dossier-accept"),
]
