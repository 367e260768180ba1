"""Loads the product classifications (148 and 1048) and the document checklist from
the data files shipped in products/data. Idempotent: a re-run updates in place."""

import csv
import datetime
from pathlib import Path

from django.db import transaction

from .models import (
    Classification,
    DocumentType,
    DossierProcess,
    ProductGroup,
    ProductSet,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SET_FILES = {
    "148": DATA_DIR / "product_sets_148.csv",
    "1048": DATA_DIR / "product_sets_1048.csv",
}
# Sets whose evaluation is a site visit rather than product samples (tourism services).
NO_SAMPLE_SETS = {26}


class CatalogueError(ValueError):
    pass


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def _set_numbers(rule: str, all_numbers: set[int]) -> set[int]:
    """ "all", "none", "sets:1-20", "except-sets:26" -> set numbers."""
    if rule == "all":
        return set(all_numbers)
    if rule == "none":
        return set()
    kind, _, spec = rule.partition(":")
    numbers: set[int] = set()
    for part in spec.split(","):
        low, _, high = part.partition("-")
        numbers.update(range(int(low), int(high or low) + 1))
    if kind == "sets":
        return numbers & all_numbers
    if kind == "except-sets":
        return all_numbers - numbers
    raise CatalogueError(f"unknown required_for rule {rule!r}")


@transaction.atomic
def load_catalogue() -> dict[str, int]:
    counts = {
        "classifications": 0,
        "groups": 0,
        "sets": 0,
        "document_types": 0,
        "processes": 0,
    }
    groups: dict[tuple[str, str], ProductGroup] = {}
    for row in read_csv(DATA_DIR / "product_groups.csv"):
        classification, created = Classification.objects.update_or_create(
            code=row["classification"],
            defaults={
                "decision": row["decision"],
                "name": row["classification_name"],
                "effective_from": datetime.date.fromisoformat(row["effective_from"]),
            },
        )
        counts["classifications"] += created
        group, created = ProductGroup.objects.update_or_create(
            classification=classification,
            code=row["group_code"],
            defaults={"name": row["group_name"]},
        )
        groups[(classification.code, group.code)] = group
        counts["groups"] += created

    for code, path in SET_FILES.items():
        for row in read_csv(path):
            group_code = row["group_no"].split(".")[0]
            group = groups.get((code, group_code))
            if group is None:
                raise CatalogueError(
                    f"{path.name}: set {row['set_no']}: unknown group {group_code}"
                )
            number = int(row["set_no"])
            subgroup = row["group_no"] if "." in row["group_no"] else ""
            _, created = ProductSet.objects.update_or_create(
                classification=group.classification,
                number=number,
                defaults={
                    "group": group,
                    "name": row["set_name"],
                    "subgroup_code": subgroup,
                    "subgroup_name": row["group_name"] if subgroup else "",
                    "ministry": row["ministry"],
                    "requires_samples": number not in NO_SAMPLE_SETS,
                },
            )
            counts["sets"] += created

    sets = list(ProductSet.objects.all())
    for row in read_csv(DATA_DIR / "document_types.csv"):
        document_type, created = DocumentType.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "position": int(row["position"]),
                "description": row["description"],
            },
        )
        numbers = _set_numbers(row["required_for"], {s.number for s in sets})
        document_type.required_for_sets.set([s for s in sets if s.number in numbers])
        counts["document_types"] += created

    for row in read_csv(DATA_DIR / "dossier_processes.csv"):
        _process, created = DossierProcess.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "decision": row["decision"],
                "criteria_basis": row["criteria_basis"],
                "effective_from": _date(row["effective_from"]),
                "effective_to": _date(row["effective_to"]),
                "through_commune": row["through_commune"] == "yes",
                "commune_check_days": _number(row["commune_check_days"]),
                "advisory_review": row["advisory_review"] == "yes",
                "completion_deadline": _date(row["completion_deadline"]),
                "rerating_completion_deadline": _date(
                    row["rerating_completion_deadline"]
                ),
                "rerating_opens_days": _number(row["rerating_opens_days"]),
                "rerating_closes_days": _number(row["rerating_closes_days"]),
                "rerating_decision_days": _number(row["rerating_decision_days"]),
                "late_rerating_grace_days": _number(row["late_rerating_grace_days"]),
            },
        )
        counts["processes"] += created
    return counts


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value.strip() else None


def _number(value: str) -> int | None:
    return int(value) if value.strip() else None
