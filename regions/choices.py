"""Choices of units for select boxes."""

from collections.abc import Iterable

from .models import AdministrativeUnit


def grouped_by_parent(units: Iterable[AdministrativeUnit]) -> list:
    """Units as select choices grouped under their parent's name ("Huyện Lai Vung":
    its communes). Give units ordered by parent, then name, with the parent selected."""
    groups: dict[str, list] = {}
    for unit in units:
        groups.setdefault(unit.parent.name, []).append((unit.pk, unit.name))
    return list(groups.items())
