"""The transition table: the one way a record with a status changes it.

A model lists its legal moves in `TRANSITIONS` (status → statuses it may move to) and
changes status only through `move_to`, which raises InvalidTransition for any other
move. Templates ask `can_move_to` which buttons to show; the table is the
documentation.
"""

from collections.abc import Mapping


class InvalidTransition(Exception):
    """A status change the model's transition table does not allow."""


class StatusTransitions:
    """Mixin for models with a `status` field and a `TRANSITIONS` table."""

    TRANSITIONS: Mapping[str, set[str]] = {}

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    def move_to(self, status: str) -> None:
        if not self.can_move_to(status):
            raise InvalidTransition(
                f"{type(self).__name__} {self.pk}: {self.status} -> {status}"
            )
        self.status = status

    move_to.alters_data = True
