import csv
import datetime
from pathlib import Path

from django.db import transaction

from .models import AdministrativeUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
DONG_THAP_2021 = DATA_DIR / "dong_thap_2021_units.csv"
# The GSO list in that file first appears in the release of 01/11/2020 and ends with
# the two-tier reform of 1/7/2025 (districts abolished, communes merged).
DONG_THAP_2021_VALID_FROM = datetime.date(2020, 11, 1)
DONG_THAP_2021_VALID_TO = datetime.date(2025, 6, 30)


class UnitFileError(ValueError):
    pass


def read_units(path: Path) -> list[dict]:
    """Rows of a units CSV (comment lines start with '#'), parents before children."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    required = {"code", "name", "kind", "level", "parent_code"}
    if not rows or not required <= set(rows[0]):
        raise UnitFileError(f"{path}: expected columns {sorted(required)}")
    order = {"province": 0, "district": 1, "commune": 2}
    for number, row in enumerate(rows, start=2):
        if row["level"] not in order:
            raise UnitFileError(f"{path}: row {number}: unknown level {row['level']!r}")
    return sorted(rows, key=lambda row: order[row["level"]])


@transaction.atomic
def load_units(
    *, path: Path, valid_from: datetime.date, valid_to: datetime.date | None
) -> tuple[int, int]:
    """Create or update the units of a file for one validity period; idempotent.

    Returns (created, updated). A parent missing from the file and the database raises
    UnitFileError and nothing is written.
    """
    created = updated = 0
    by_code: dict[str, AdministrativeUnit] = {}
    for row in read_units(path):
        parent = None
        if row["parent_code"]:
            parent = by_code.get(row["parent_code"])
            if parent is None:
                raise UnitFileError(f"{path}: unit {row['code']}: unknown parent")
        unit, was_created = AdministrativeUnit.objects.update_or_create(
            code=row["code"],
            valid_from=valid_from,
            defaults={
                "name": row["name"].strip(),
                "kind": row["kind"].strip(),
                "level": row["level"],
                "parent": parent,
                "valid_to": valid_to,
            },
        )
        by_code[unit.code] = unit
        created += was_created
        updated += not was_created
    return created, updated


def load_dong_thap_2021() -> tuple[int, int]:
    return load_units(
        path=DONG_THAP_2021,
        valid_from=DONG_THAP_2021_VALID_FROM,
        valid_to=DONG_THAP_2021_VALID_TO,
    )
