"""Every dossier transition, legal and illegal: the model's table, and each service
from every status (parametrized over Dossier.TRANSITIONS)."""

import pytest

from django.core.exceptions import PermissionDenied

from accounts.models import AuditEvent
from core.states import InvalidTransition
from products import process
from products.models import Dossier, DossierStatus
from tests.products.factories import DossierFactory, complete

# Every transition, legal and illegal ------------------------------------------------

ALL_PAIRS = [(a, b) for a in DossierStatus for b in DossierStatus]


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_move_to_follows_the_transition_table(source, target):
    dossier = Dossier(status=source)
    legal = target in Dossier.TRANSITIONS.get(source, set())
    assert dossier.can_move_to(target) is legal
    if legal:
        dossier.move_to(target)
        assert dossier.status == target
    else:
        with pytest.raises(InvalidTransition):
            dossier.move_to(target)
        assert dossier.status == source


def _table_allows(source, *targets) -> bool:
    return bool(set(targets) & Dossier.TRANSITIONS.get(source, set()))


# Each service, from every status: legal exactly when the table says so.
SERVICE_RULES = {
    "submit": lambda s: (
        _table_allows(s, DossierStatus.SUBMITTED)
        or _table_allows(s, DossierStatus.RESUBMITTED)
    ),
    # The province returns what it received or accepted; the commune returns what is
    # with it through its assessment (tested in test_process.py).
    "return": lambda s: (
        _table_allows(s, DossierStatus.RETURNED) and s in Dossier.RETURNABLE
    ),
    "accept": lambda s: (
        _table_allows(s, DossierStatus.ACCEPTED) and s in Dossier.AWAITING_REVIEW
    ),
    "start_evaluation": lambda s: _table_allows(s, DossierStatus.UNDER_EVALUATION),
    "withdraw": lambda s: (
        _table_allows(s, DossierStatus.ACCEPTED) and s == DossierStatus.UNDER_EVALUATION
    ),
    "forward": lambda s: _table_allows(s, DossierStatus.FORWARDED),
    "decide": lambda s: _table_allows(s, DossierStatus.DECIDED),
    "mark_reviewed": lambda s: (
        _table_allows(s, DossierStatus.REVIEWED) and s == DossierStatus.ACCEPTED
    ),
}


def _call(service, dossier, personas):
    laivung, province = personas["laivung"], personas["province"]
    calls = {
        "submit": lambda: process.submit_dossier(dossier=dossier, user=laivung),
        "return": lambda: process.return_dossier(
            dossier=dossier, user=province, reason="Bổ sung"
        ),
        "accept": lambda: process.accept_dossier(dossier=dossier, user=province),
        "start_evaluation": lambda: process.start_evaluation(
            dossier=dossier, level="province", actor=province
        ),
        "withdraw": lambda: process.withdraw_from_evaluation(
            dossier=dossier, actor=province, reason="Rút khỏi đợt"
        ),
        "forward": lambda: process.forward_dossier(
            dossier=dossier, to_level="national", actor=province, reason="≥ 90"
        ),
        "mark_reviewed": lambda: process.mark_reviewed(
            dossier=dossier, actor=province, reason="Tổ tư vấn đã báo cáo"
        ),
        "decide": lambda: process.decide_dossier(
            dossier=dossier, actor=province, reason="Công nhận"
        ),
    }
    return calls[service]()


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("source", list(DossierStatus))
@pytest.mark.parametrize("service", list(SERVICE_RULES))
def test_each_service_moves_only_where_the_table_allows(personas, service, source):
    dossier = complete(DossierFactory(status=source))
    if SERVICE_RULES[service](source):
        moved = _call(service, dossier, personas)
        assert moved.status in Dossier.TRANSITIONS[source]
        assert AuditEvent.objects.for_object(dossier).first().action == "status"
    else:
        with pytest.raises((InvalidTransition, PermissionDenied)):
            _call(service, dossier, personas)
        dossier.refresh_from_db()
        assert dossier.status == source
        assert not AuditEvent.objects.for_object(dossier).exists()
