"""Runs a permission matrix: URL × persona × method → expected status code.

Each request runs in a savepoint that is rolled back, so a POST that succeeds (an
archive, a submit) does not change what the next persona sees.
"""

from django.db import transaction
from django.test import Client

PERSONAS = ("anonymous", "laivung", "thapmuoi", "province", "council")


def clients(personas, council_member) -> dict[str, Client]:
    made = {"anonymous": Client()}
    for username in ("laivung", "thapmuoi", "province"):
        made[username] = Client()
        made[username].force_login(personas[username])
    made["council"] = Client()
    made["council"].force_login(council_member)
    return made


def mismatches(
    clients_by_persona: dict[str, Client],
    url: str,
    expected: dict[str, tuple[int, int]],
) -> list[str]:
    """Every (persona, method) whose status differs from the table, as text."""
    assert set(expected) == set(PERSONAS), f"{url}: the table needs every persona"
    problems = []
    for persona, (get_status, post_status) in expected.items():
        for method, want in (("get", get_status), ("post", post_status)):
            with transaction.atomic():
                response = getattr(clients_by_persona[persona], method)(url)
                transaction.set_rollback(True)
            got = response.status_code
            if got != want:
                problems.append(f"{method.upper()} {url} as {persona}: {got} != {want}")
            elif persona == "anonymous" and not response.url.startswith(
                "/accounts/login/"
            ):
                problems.append(f"{method.upper()} {url}: anonymous not sent to login")
    return problems
