"""Permission matrix: every URL of the evaluations app × persona × method.

anonymous → login; out of scope → 404; in scope but not allowed → 403; GET on a
POST-only URL → 405. Each request runs in a savepoint that is rolled back, so a POST
that succeeds does not change what the next persona sees.
"""

import datetime

import pytest

from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse

from evaluations import services, sheets
from evaluations.certificates import record_decision
from evaluations.models import CriteriaVersion
from evaluations.results import finalise_round
from tests.evaluations.factories import RoundFactory, answer_all, pick_index
from tests.products.factories import DocumentFactory, DossierFactory

COVERED_URL_NAMES = {
    "evaluations:round-list",
    "evaluations:round-create",
    "evaluations:round-detail",
    "evaluations:round-assign",
    "evaluations:round-open-scoring",
    "evaluations:round-finalise",
    "evaluations:round-decision",
    "evaluations:round-export",
    "evaluations:round-minutes",
    "evaluations:entry-detail",
    "evaluations:entry-document",
    "evaluations:entry-remove",
    "evaluations:entry-conflict",
    "evaluations:sheet-open",
    "evaluations:sheet-detail",
    "evaluations:sheet-save",
    "evaluations:sheet-totals",
    "evaluations:sheet-reopen",
    "evaluations:certificate-detail",
    "evaluations:certificate-revoke",
    "evaluations:advisory-report",
    "evaluations:criteria-list",
    "evaluations:criteria-detail",
    "evaluations:criteria-correct",
    "evaluations:criteria-publish",
    "evaluations:self-assessment",
    "evaluations:self-assessment-totals",
}

PERSONAS = ("anonymous", "laivung", "member", "other", "secretary", "chair", "province")
LOGIN = (302, 302)


def row(laivung, member, other, secretary, chair, province):
    return {
        "anonymous": LOGIN,
        "laivung": laivung,
        "member": member,
        "other": other,
        "secretary": secretary,
        "chair": chair,
        "province": province,
    }


# url name → (object the URL takes, {persona: (GET status, POST status)})
MATRIX = {
    "evaluations:round-list": (
        None,
        row((200, 405), (200, 405), (200, 405), (200, 405), (200, 405), (200, 405)),
    ),
    "evaluations:round-create": (
        None,
        row((403, 403), (403, 403), (403, 403), (200, 200), (403, 403), (200, 200)),
    ),
    "evaluations:round-detail": (
        "round",
        row((404, 405), (200, 405), (404, 405), (200, 405), (200, 405), (200, 405)),
    ),
    "evaluations:round-assign": (
        "round",
        row((404, 404), (403, 403), (404, 404), (200, 302), (200, 302), (403, 403)),
    ),
    "evaluations:round-open-scoring": (
        "preparing",
        row((405, 404), (405, 403), (405, 404), (405, 302), (405, 302), (405, 403)),
    ),
    "evaluations:round-finalise": (
        "round",
        row((405, 404), (405, 403), (405, 404), (405, 302), (405, 302), (405, 403)),
    ),
    "evaluations:round-decision": (
        "closed",
        row((405, 404), (405, 403), (405, 404), (405, 403), (405, 200), (405, 403)),
    ),
    "evaluations:round-export": (
        "round",
        row((404, 405), (403, 405), (404, 405), (200, 405), (200, 405), (200, 405)),
    ),
    "evaluations:round-minutes": (
        "closed",
        row((404, 405), (403, 405), (404, 405), (200, 405), (200, 405), (200, 405)),
    ),
    "evaluations:entry-detail": (
        "entry",
        row((404, 405), (200, 405), (404, 405), (200, 405), (200, 405), (200, 405)),
    ),
    "evaluations:entry-document": (
        "document",
        row((404, 405), (200, 405), (404, 405), (200, 405), (200, 405), (200, 405)),
    ),
    "evaluations:entry-remove": (
        "fresh_entry",
        row((405, 404), (405, 403), (405, 404), (405, 302), (405, 302), (405, 403)),
    ),
    "evaluations:entry-conflict": (
        "entry",
        row((404, 404), (200, 200), (404, 404), (200, 200), (200, 200), (403, 403)),
    ),
    "evaluations:sheet-open": (
        "entry",
        row((405, 404), (405, 302), (405, 404), (405, 302), (405, 302), (405, 403)),
    ),
    "evaluations:sheet-detail": (
        "draft_sheet",
        row((404, 405), (200, 405), (404, 405), (403, 405), (403, 405), (403, 405)),
    ),
    "evaluations:sheet-save": (
        "draft_sheet",
        row((405, 404), (405, 302), (405, 404), (405, 403), (405, 403), (405, 403)),
    ),
    "evaluations:sheet-totals": (
        "draft_sheet",
        row((405, 404), (405, 200), (405, 404), (405, 403), (405, 403), (405, 403)),
    ),
    "evaluations:sheet-reopen": (
        "submitted_sheet",
        row((405, 404), (405, 403), (405, 404), (405, 403), (405, 200), (405, 403)),
    ),
    # Certificates are scoped like products: the district's officer and the province.
    "evaluations:certificate-detail": (
        "certificate",
        row((200, 405), (404, 405), (404, 405), (404, 405), (404, 405), (200, 405)),
    ),
    "evaluations:certificate-revoke": (
        "certificate",
        row((405, 403), (405, 404), (405, 404), (405, 404), (405, 404), (405, 302)),
    ),
    # The province's office records the advisory team's report on an accepted dossier
    # (an empty POST shows the form's errors); dossiers are scoped like products.
    "evaluations:advisory-report": (
        "accepted_dossier",
        row((403, 403), (404, 404), (404, 404), (404, 404), (404, 404), (200, 200)),
    ),
    # Everyone of the programme reads the sheets; only the administrator corrects.
    "evaluations:criteria-list": (None, row(*[(200, 405)] * 6)),
    "evaluations:criteria-detail": ("draft_criteria", row(*[(200, 405)] * 6)),
    "evaluations:criteria-correct": ("draft_criteria", row(*[(405, 403)] * 6)),
    "evaluations:criteria-publish": ("draft_criteria", row(*[(405, 403)] * 6)),
    # The local officer fills the self-assessment of a draft; the province reads it.
    "evaluations:self-assessment": (
        "draft_dossier",
        row((200, 200), (404, 404), (404, 404), (404, 404), (404, 404), (200, 403)),
    ),
    "evaluations:self-assessment-totals": (
        "draft_dossier",
        row((405, 200), (405, 404), (405, 404), (405, 404), (405, 404), (405, 403)),
    ),
}


def test_every_url_of_the_app_is_in_the_matrix():
    resolver = get_resolver()
    names = {
        f"evaluations:{name}"
        for name in resolver.namespace_dict["evaluations"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == COVERED_URL_NAMES
    assert set(MATRIX) == COVERED_URL_NAMES


@pytest.fixture
def objects(board):
    secretary, member = board.secretary.user, board.members[0].user
    round = RoundFactory(council=board.council, created_by=secretary, scoring=True)
    entry = services.assign_dossier(
        round=round,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=secretary,
    )
    fresh_entry = services.assign_dossier(
        round=round,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=secretary,
    )
    draft_sheet = sheets.open_sheet(entry=entry, user=member)
    submitted_sheet = sheets.open_sheet(entry=entry, user=board.members[1].user)
    sheets.submit_sheet(
        sheet=submitted_sheet,
        user=board.members[1].user,
        choices=answer_all(submitted_sheet),
    )
    preparing = RoundFactory(council=board.council, created_by=secretary)
    services.assign_dossier(
        round=preparing,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=secretary,
    )
    closed = RoundFactory(council=board.council, created_by=secretary, scoring=True)
    closed_entry = services.assign_dossier(
        round=closed,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=secretary,
    )
    for council_member in board.everyone:
        sheet = sheets.open_sheet(entry=closed_entry, user=council_member.user)
        # 70 points: 4★, recognised by the province under 1048.
        sheets.submit_sheet(
            sheet=sheet,
            user=council_member.user,
            choices=answer_all(sheet, pick_index(2)),
        )
    finalise_round(round=closed, user=secretary)
    decision = record_decision(
        round=closed,
        user=board.chair.user,
        number="1580/QĐ-UBND-HC",
        date=datetime.date(2021, 12, 20),
        signer="Huỳnh Minh Tuấn",
    )
    document = DocumentFactory(dossier=entry.dossier)
    return {
        "document": (entry.pk, document.pk),
        "certificate": decision.certificates.get(),
        "round": round,
        "entry": entry,
        "fresh_entry": fresh_entry,
        "draft_sheet": draft_sheet,
        "submitted_sheet": submitted_sheet,
        "preparing": preparing,
        "closed": closed,
        "accepted_dossier": DossierFactory(accepted=True, classification="1048"),
        "draft_dossier": DossierFactory(classification="1048"),
        "draft_criteria": CriteriaVersion.objects.filter(status="draft").first(),
    }


@pytest.fixture
def clients(board, personas):
    users = {
        "laivung": personas["laivung"],
        "member": board.members[0].user,
        "other": board.other.user,
        "secretary": board.secretary.user,
        "chair": board.chair.user,
        "province": personas["province"],
    }
    made = {"anonymous": Client()}
    for persona, user in users.items():
        made[persona] = Client()
        made[persona].force_login(user)
    return made


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, objects, clients):
    target, expected = MATRIX[name]
    assert set(expected) == set(PERSONAS)
    obj = objects[target] if target else None
    args = obj if isinstance(obj, tuple) else ([obj.pk] if obj else [])
    url = reverse(name, args=args)
    problems = []
    for persona, (get_status, post_status) in expected.items():
        for method, want in (("get", get_status), ("post", post_status)):
            with transaction.atomic():
                response = getattr(clients[persona], method)(url)
                transaction.set_rollback(True)
            if response.status_code != want:
                problems.append(
                    f"{method.upper()} {url} as {persona}: {response.status_code} != {want}"
                )
            elif persona == "anonymous" and not response.url.startswith(
                "/accounts/login/"
            ):
                problems.append(f"{method.upper()} {url}: anonymous not sent to login")
    assert not problems, "\n".join(problems)
