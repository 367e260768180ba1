from django.urls import path

from . import public_views, views

app_name = "evaluations"

urlpatterns = [
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round-assign"),
    path("rounds/<int:pk>/open/", views.round_open_scoring, name="round-open-scoring"),
    path("rounds/<int:pk>/finalise/", views.round_finalise, name="round-finalise"),
    path("rounds/<int:pk>/decision/", views.round_decision, name="round-decision"),
    path("rounds/<int:pk>/export/", views.round_export, name="round-export"),
    path("rounds/<int:pk>/minutes/", views.round_minutes, name="round-minutes"),
    path("entries/<int:pk>/", views.entry_detail, name="entry-detail"),
    path(
        "entries/<int:pk>/documents/<int:document_pk>/",
        views.entry_document,
        name="entry-document",
    ),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry-remove"),
    path("entries/<int:pk>/conflict/", views.entry_conflict, name="entry-conflict"),
    path("entries/<int:pk>/sheet/", views.sheet_open, name="sheet-open"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet-detail"),
    path("sheets/<int:pk>/save/", views.sheet_save, name="sheet-save"),
    path("sheets/<int:pk>/totals/", views.sheet_totals, name="sheet-totals"),
    path("sheets/<int:pk>/reopen/", views.sheet_reopen, name="sheet-reopen"),
    # Certificates (lead): printable page and revocation.
    path(
        "certificates/<int:pk>/",
        public_views.certificate_detail,
        name="certificate-detail",
    ),
    path(
        "certificates/<int:pk>/revoke/",
        public_views.certificate_revoke,
        name="certificate-revoke",
    ),
]
