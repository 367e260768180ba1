"""Loads the evaluation catalogue shipped in evaluations/data: the regimes (who decides
what, per level) and the criteria sheets (YAML, one per product set and legal basis).

Loading is idempotent. A published criteria version is never edited: a sheet whose
content changed is loaded as the next version, and rounds keep the version their
entries were assigned with.
"""

import csv
import datetime
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import yaml

from django.db import transaction
from django.utils import timezone

from products.models import Classification, ProductSet
from regions.text import fold

from .models import (
    CriteriaPart,
    CriteriaStatus,
    CriteriaVersion,
    Criterion,
    CriterionGroup,
    CriterionOption,
    Regime,
    RegimeLevel,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
CRITERIA_DIR = DATA_DIR / "criteria"


class CatalogueError(ValueError):
    pass


def _optional_int(value: str) -> int | None:
    return int(value) if value.strip() else None


@transaction.atomic
def load_regimes(path: Path = DATA_DIR / "regimes.csv") -> int:
    """Create or update the regimes and their levels; returns the number of levels."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    for row in rows:
        try:
            classification = Classification.objects.get(code=row["classification"])
        except Classification.DoesNotExist as error:
            raise CatalogueError(
                f"regime {row['regime']}: classification {row['classification']} is not "
                "loaded (run load_catalogue first)"
            ) from error
        regime, _ = Regime.objects.update_or_create(
            code=row["regime"],
            defaults={
                "name": row["name"],
                "decision": row["decision"],
                "effective_from": datetime.date.fromisoformat(row["effective_from"]),
                "effective_to": datetime.date.fromisoformat(row["effective_to"])
                if row["effective_to"]
                else None,
                "classification": classification,
            },
        )
        threshold = row["forward_threshold"].strip()
        RegimeLevel.objects.update_or_create(
            regime=regime,
            level=row["level"],
            defaults={
                "min_recognised_stars": _optional_int(row["min_stars"]),
                "max_recognised_stars": _optional_int(row["max_stars"]),
                "forward_threshold": Decimal(threshold) if threshold else None,
                "calendar": row.get("calendar", "").strip(),
            },
        )
    return len(rows)


def _product_set(sheet: dict, path: Path) -> ProductSet:
    code = str(sheet["legal_basis"]).split("/")[0]
    sets = ProductSet.objects.filter(classification__code=code)
    if sheet.get("product_set_no"):
        found = sets.filter(number=int(sheet["product_set_no"])).first()
    else:
        wanted = fold(sheet["product_set"])
        found = next((s for s in sets if fold(s.name) == wanted), None)
    if found is None:
        raise CatalogueError(
            f"{path.name}: no product set {sheet['product_set']!r} in {code}"
        )
    return found


def _checksum(sheet: dict) -> str:
    content = {"legal_basis": sheet["legal_basis"], "parts": sheet["parts"]}
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _points(value) -> Decimal:
    return Decimal(str(value))


def _build(version: CriteriaVersion, sheet: dict) -> tuple[Decimal, list[str]]:
    """Create parts, groups, criteria and options; return the total and any mismatch."""
    notes = []
    total = Decimal(0)
    for part_position, part_data in enumerate(sheet["parts"]):
        part = CriteriaPart.objects.create(
            version=version,
            code=part_data["code"],
            name=part_data["name"],
            max_points=_points(part_data["max_points"]),
            position=part_position,
        )
        part_total = Decimal(0)
        for group_position, group_data in enumerate(part_data["groups"]):
            group = CriterionGroup.objects.create(
                part=part,
                code=str(group_data["code"]),
                name=group_data["name"],
                position=group_position,
            )
            for position, data in enumerate(group_data["criteria"]):
                best = max(_points(option["points"]) for option in data["options"])
                declared = _points(data.get("max_points", best))
                if declared != best:
                    notes.append(
                        f"criterion {data['code']}: declared {declared} points, "
                        f"best option gives {best}"
                    )
                criterion = Criterion.objects.create(
                    group=group,
                    part=part,
                    code=str(data["code"]),
                    name=data["name"],
                    description=data.get("description", ""),
                    note=data.get("note", ""),
                    max_points=best,
                    required_for_stars=data.get("required_for_stars"),
                    position=position,
                )
                CriterionOption.objects.bulk_create(
                    CriterionOption(
                        criterion=criterion,
                        text=option["text"],
                        points=_points(option["points"]),
                        required_for_stars=option.get("required_for_stars"),
                        position=option_position,
                    )
                    for option_position, option in enumerate(data["options"])
                )
                part_total += best
        if part_total != part.max_points:
            notes.append(
                f"part {part.code}: maximum {part.max_points}, criteria add up to {part_total}"
            )
        total += part_total
    if total != 100:
        notes.append(f"total of the best answers is {total}, not 100")
    return total, notes


@transaction.atomic
def load_sheet(path: Path) -> tuple[CriteriaVersion, bool]:
    """Load one YAML sheet as a published version. Returns (version, created)."""
    sheet = yaml.safe_load(path.read_text(encoding="utf-8"))
    product_set = _product_set(sheet, path)
    checksum = _checksum(sheet)
    existing = CriteriaVersion.objects.filter(
        product_set=product_set, checksum=checksum
    ).first()
    if existing is not None:
        return existing, False
    last = (
        CriteriaVersion.objects.filter(product_set=product_set)
        .order_by("-version")
        .first()
    )
    version = CriteriaVersion.objects.create(
        classification=product_set.classification,
        product_set=product_set,
        version=(last.version + 1) if last else 1,
        name=f"Phiếu đánh giá {sheet['product_set']} ({sheet['legal_basis']})",
        source=f"{sheet.get('source', '')}\n{sheet.get('source_note', '')}".strip(),
        checksum=checksum,
    )
    total, notes = _build(version, sheet)
    version.total_points = total
    version.notes = "\n".join(notes)
    version.move_to(CriteriaStatus.PUBLISHED)
    version.published_at = timezone.now()
    version.save()
    return version, True


def load_criteria(directory: Path = CRITERIA_DIR) -> list[tuple[CriteriaVersion, bool]]:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CatalogueError(f"no criteria sheets in {directory}")
    return [load_sheet(path) for path in paths]


def published_version_for(*, product_set: ProductSet) -> CriteriaVersion | None:
    """The newest published sheet for a product set, or None when none was transcribed."""
    return (
        CriteriaVersion.objects.filter(
            product_set=product_set, status=CriteriaStatus.PUBLISHED
        )
        .order_by("-version")
        .first()
    )
