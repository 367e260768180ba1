"""Fixtures for the council / round / sheet tests: the catalogue, a provincial council
(chair, secretary, five members), a member of another council, and rounds."""

from types import SimpleNamespace

import pytest

from django.test import Client

from evaluations import services
from evaluations.catalogue import load_criteria, load_regimes
from products.catalogue import load_catalogue
from tests.evaluations.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    RoundFactory,
)
from tests.evaluations.scenario import TEST_SHEETS
from tests.products.factories import DossierFactory


@pytest.fixture
def catalogue(personas):
    """Product classifications, regimes and the criteria sheets of TEST_SHEETS; the
    personas by username."""
    load_catalogue()
    load_regimes()
    load_criteria(only=TEST_SHEETS)
    return personas


@pytest.fixture
def full_catalogue(personas):
    """The whole catalogue: every criteria sheet shipped."""
    load_catalogue()
    load_regimes()
    load_criteria()
    return personas


@pytest.fixture
def board(catalogue):
    """The provincial council (chair, secretary, members member1…member5) and a
    member of Lai Vung's district council ("othermember")."""
    council = CouncilFactory(name="Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh")
    chair = CouncilMemberFactory(
        council=council,
        chair=True,
        user__username="chair",
        user__last_name="Huỳnh",
        user__first_name="Minh Tuấn",
    )
    secretary = CouncilMemberFactory(
        council=council,
        secretary=True,
        user__username="secretary",
        user__last_name="Trần",
        user__first_name="Thị Thu",
    )
    members = [
        CouncilMemberFactory(council=council, user__username=f"member{index}")
        for index in range(1, 6)
    ]
    other = CouncilMemberFactory(
        council=CouncilFactory(district=True, name="Hội đồng huyện Lai Vung"),
        user__username="othermember",
    )
    return SimpleNamespace(
        council=council,
        chair=chair,
        secretary=secretary,
        members=members,
        everyone=[chair, secretary, *members],
        other=other,
    )


@pytest.fixture
def preparing_round(board):
    return RoundFactory(council=board.council, created_by=board.secretary.user)


@pytest.fixture
def scoring_round(board):
    """A provincial 2021 round in scoring with two products assigned by the secretary."""
    round = RoundFactory(
        council=board.council, created_by=board.secretary.user, scoring=True
    )
    for name in ("Hạt sen sấy", "Xoài sấy dẻo"):
        dossier = DossierFactory(
            accepted=True, classification="1048", product__name=name
        )
        services.assign_dossier(round=round, dossier=dossier, user=board.secretary.user)
    return round


@pytest.fixture
def client_as():
    """A test client signed in as a user."""

    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
