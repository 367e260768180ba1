"""Members acting at the same moment, with real transactions and threads: each ends
with exactly one sheet, a double submit is refused without a 500, and a submitted
sheet is never saved over."""

import threading

import pytest

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from evaluations import sheets
from evaluations.models import Answer, ScoreSheet, SheetStatus
from tests.evaluations.factories import answer_all, pick_index

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) need PostgreSQL",
    ),
]


def at_once(*calls):
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(sheet, pick=None) -> dict:
    choices = answer_all(sheet, pick) if pick else answer_all(sheet)
    return {f"c{criterion}": option for criterion, option in choices.items()}


def test_two_members_opening_and_submitting_at_once_get_one_sheet_each(
    scoring_round, board
):
    entry = scoring_round.entries.first()
    first, second = board.members[0], board.members[1]
    clients = {member.pk: signed_in(member.user) for member in (first, second)}
    template = sheets.open_sheet(entry=entry, user=board.chair.user)
    data = form_data(template)

    def score(member):
        def call():
            client = clients[member.pk]
            opened = client.post(reverse("evaluations:sheet-open", args=[entry.pk]))
            submitted = client.post(
                opened.url + "save/",
                {**data, "action": "submit"},
            )
            return opened.status_code, submitted.status_code

        return call

    outcomes = at_once(score(first), score(second))
    assert outcomes == [(302, 302), (302, 302)], outcomes
    for member in (first, second):
        sheet = ScoreSheet.objects.get(entry=entry, member=member)
        assert sheet.status == SheetStatus.SUBMITTED
        assert sheet.total == sum(a.points for a in sheet.answers.all())


def test_one_member_opening_twice_at_once_gets_one_sheet(scoring_round, board):
    entry = scoring_round.entries.first()
    member = board.members[2]
    outcomes = at_once(
        lambda: sheets.open_sheet(entry=entry, user=member.user),
        lambda: sheets.open_sheet(entry=entry, user=member.user),
    )
    assert outcomes[0] == outcomes[1], outcomes
    assert ScoreSheet.objects.filter(entry=entry, member=member).count() == 1


def test_double_submit_through_the_page_is_refused_without_a_500(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[0].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    url = reverse("evaluations:sheet-save", args=[sheet.pk])
    data = {**form_data(sheet), "action": "submit"}
    clients = [signed_in(user), signed_in(user)]
    outcomes = at_once(
        lambda: clients[0].post(url, data).status_code,
        lambda: clients[1].post(url, data).status_code,
    )
    # One submit wins (redirect); the other waits for the lock, finds the sheet
    # locked and shows the page again with the message.
    assert sorted(outcomes) == [200, 302], outcomes
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    assert Answer.objects.filter(sheet=sheet).count() == len(answer_all(sheet))
    submits = AuditEvent.objects.for_object(sheet).filter(action="status")
    assert submits.count() == 1


def test_double_submit_in_services_submits_once(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[1].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    best, low = answer_all(sheet), answer_all(sheet, pick_index(0))
    outcomes = at_once(
        lambda: sheets.submit_sheet(sheet=sheet, user=user, choices=best),
        lambda: sheets.submit_sheet(sheet=sheet, user=user, choices=low),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    winner = next(o for o in outcomes if not isinstance(o, Exception))
    sheet.refresh_from_db()
    assert sheet.total == winner.total
    assert sheet.total == sum(a.points for a in sheet.answers.all())


def test_saving_while_another_request_submits_never_overwrites(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[3].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    best, low = answer_all(sheet), answer_all(sheet, pick_index(0))
    outcomes = at_once(
        lambda: sheets.submit_sheet(sheet=sheet, user=user, choices=best),
        lambda: sheets.save_sheet(sheet=sheet, user=user, choices=low),
    )
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    if isinstance(outcomes[1], Exception):
        # The submit went first: the save was refused and the sheet is the best one.
        assert isinstance(outcomes[1], ValidationError)
        assert sheet.total == sum(a.points for a in sheet.answers.all()) == 100
    else:
        # The save went first, then the submit replaced its answers.
        assert sheet.total == 100
