from django.urls import path

from . import public_views
from .views import advisory, criteria, entries, rounds, sheets
from .views import self_assessment as self_assessment_views

app_name = "evaluations"

urlpatterns = [
    path("rounds/", rounds.round_list, name="round-list"),
    path(
        "dossiers/<int:pk>/advisory-report/",
        advisory.advisory_report,
        name="advisory-report",
    ),
    path(
        "dossiers/<int:pk>/self-assessment/",
        self_assessment_views.self_assessment,
        name="self-assessment",
    ),
    path(
        "dossiers/<int:pk>/self-assessment/totals/",
        self_assessment_views.self_assessment_totals,
        name="self-assessment-totals",
    ),
    path("rounds/new/", rounds.round_create, name="round-create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("rounds/<int:pk>/assign/", rounds.round_assign, name="round-assign"),
    path("rounds/<int:pk>/open/", rounds.round_open_scoring, name="round-open-scoring"),
    path("rounds/<int:pk>/finalise/", rounds.round_finalise, name="round-finalise"),
    path("rounds/<int:pk>/decision/", rounds.round_decision, name="round-decision"),
    path("rounds/<int:pk>/export/", rounds.round_export, name="round-export"),
    path("rounds/<int:pk>/minutes/", rounds.round_minutes, name="round-minutes"),
    path("entries/<int:pk>/", entries.entry_detail, name="entry-detail"),
    path(
        "entries/<int:pk>/documents/<int:document_pk>/",
        entries.entry_document,
        name="entry-document",
    ),
    path("entries/<int:pk>/remove/", entries.entry_remove, name="entry-remove"),
    path("entries/<int:pk>/conflict/", entries.entry_conflict, name="entry-conflict"),
    path("entries/<int:pk>/sheet/", sheets.sheet_open, name="sheet-open"),
    path("sheets/<int:pk>/", sheets.sheet_detail, name="sheet-detail"),
    path("sheets/<int:pk>/save/", sheets.sheet_save, name="sheet-save"),
    path("sheets/<int:pk>/totals/", sheets.sheet_totals, name="sheet-totals"),
    path("sheets/<int:pk>/reopen/", entries.sheet_reopen, name="sheet-reopen"),
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
    # Criteria sheets: the catalogue, correcting a draft's cells, publishing it.
    path("criteria/", criteria.criteria_list, name="criteria-list"),
    path("criteria/<int:pk>/", criteria.criteria_detail, name="criteria-detail"),
    path(
        "criteria/<int:pk>/correct/", criteria.criteria_correct, name="criteria-correct"
    ),
    path(
        "criteria/<int:pk>/publish/", criteria.criteria_publish, name="criteria-publish"
    ),
]
