"""Every model with a status changes it through its transition table (core.states):
the table is complete and `move_to` follows it for every pair of statuses."""

import pytest

from django.apps import apps

from core.states import InvalidTransition, StatusTransitions

PORTAL_APPS = {"accounts", "regions", "producers", "products", "evaluations", "plans"}


def _portal_models():
    return [m for m in apps.get_models() if m._meta.app_label in PORTAL_APPS]


def _statuses(model) -> list[str]:
    return [value for value, _label in model._meta.get_field("status").choices]


TABLES = sorted(
    (m for m in _portal_models() if issubclass(m, StatusTransitions)),
    key=lambda m: m.__name__,
)
PAIRS = [
    pytest.param(model, source, target, id=f"{model.__name__}:{source}->{target}")
    for model in TABLES
    for source in _statuses(model)
    for target in _statuses(model)
]


def test_every_model_with_a_status_has_a_transition_table():
    with_status = {
        model
        for model in _portal_models()
        if any(field.name == "status" for field in model._meta.fields)
    }
    assert with_status == set(TABLES)
    assert {m.__name__ for m in TABLES} >= {
        "Certificate",
        "CriteriaVersion",
        "Dossier",
        "Plan",
        "Round",
        "ScoreSheet",
    }


@pytest.mark.parametrize("model", TABLES, ids=lambda m: m.__name__)
def test_each_table_names_only_the_model_s_statuses(model):
    statuses = set(_statuses(model))
    for source, targets in model.TRANSITIONS.items():
        assert source in statuses
        assert targets <= statuses
        assert source not in targets


@pytest.mark.parametrize(("model", "source", "target"), PAIRS)
def test_move_to_follows_the_transition_table(model, source, target):
    record = model(status=source)
    legal = target in model.TRANSITIONS.get(source, set())
    assert record.can_move_to(target) is legal
    if legal:
        record.move_to(target)
        assert record.status == target
    else:
        with pytest.raises(InvalidTransition):
            record.move_to(target)
        assert record.status == source
