"""Loads the evaluation catalogue shipped in evaluations/data: the regimes (who decides
what, per level) and the criteria sheets (YAML, one per product set and legal basis).

Loading is idempotent. A published criteria version is never edited: a sheet whose
content changed is loaded as the next version, and rounds keep the version their
entries were assigned with.
"""

import csv
import datetime
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
# libyaml's safe loader parses the 53 sheets ten times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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


def basis_of(legal_basis: str) -> str:
    """The short code of a sheet's decision: "148/QĐ-TTg" → "148",
    "26/2026/QĐ-TTg" → "26/2026"."""
    return str(legal_basis).split("/QĐ")[0].strip()


def _classification_code(basis: str) -> str:
    """The classification whose product sets a basis's sheets score: 26/2026 keeps
    148's 26 sets (the regime data says which)."""
    regime = Regime.objects.filter(code=basis).select_related("classification").first()
    return regime.classification.code if regime is not None else basis


def _product_set(sheet: dict, path: Path) -> ProductSet:
    basis = basis_of(sheet["legal_basis"])
    code = _classification_code(basis)
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


DISQUALIFIER_MARK = "Printed above the table (no field for it in this schema):"
HELD_BACK_MARK = "HELD BACK:"


def _header_lines(text: str) -> list[str]:
    """The comment lines above the YAML content, without their "# "."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return lines


def _disqualifier(header: list[str]) -> str:
    for line in header:
        if line.startswith(DISQUALIFIER_MARK):
            return line[len(DISQUALIFIER_MARK) :].strip()
    return ""


def _checksum(sheet: dict, disqualifier: str) -> str:
    content = {"legal_basis": sheet["legal_basis"], "parts": sheet["parts"]}
    if disqualifier:
        content["disqualifier"] = disqualifier
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _points(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


ALTERNATIVES_NOTE = "lua chon mot trong"
CASE_PREFIX = "truong hop"

# The two answers of a criterion printed with points and no options (met / not met).
YES, NO = "Đạt", "Không đạt"


def _is_alternatives(group_data: dict) -> bool:
    """A group whose note says "Lựa chọn một trong hai trường hợp sau" and whose
    criteria are the cases ("Trường hợp 1: …")."""
    criteria = group_data["criteria"]
    return (
        ALTERNATIVES_NOTE in fold(group_data.get("note", ""))
        and len(criteria) > 1
        and all(fold(c["name"]).startswith(CASE_PREFIX) for c in criteria)
    )


def _criterion_max(data: dict) -> Decimal | None:
    """A criterion's maximum: its best option's points, or its declared points when it
    has no options. None when a cell is missing or an option exceeds the declared
    maximum (a misprint): the sheet then stays a draft until corrected."""
    declared = _points(data.get("max_points"))
    if not data["options"]:
        return declared
    points = [_points(option["points"]) for option in data["options"]]
    if any(p is None for p in points):
        return declared
    best = max(points)
    if declared is not None and best > declared:
        return declared
    return best


def _build(version: CriteriaVersion, sheet: dict) -> None:
    """Create the parts, groups, criteria and options of a sheet, as transcribed, in a
    few bulk inserts per part."""
    options = []
    for part_position, part_data in enumerate(sheet["parts"]):
        part = CriteriaPart.objects.create(
            version=version,
            code=part_data["code"],
            name=part_data["name"],
            max_points=_points(part_data["max_points"]),
            position=part_position,
        )
        groups = CriterionGroup.objects.bulk_create(
            CriterionGroup(
                part=part,
                code=str(group_data["code"]),
                name=group_data["name"],
                note=group_data.get("note", ""),
                max_points=_points(group_data.get("max_points")),
                alternatives=_is_alternatives(group_data),
                position=group_position,
            )
            for group_position, group_data in enumerate(part_data["groups"])
        )
        rows = [
            (group, position, data)
            for group, group_data in zip(groups, part_data["groups"], strict=True)
            for position, data in enumerate(group_data["criteria"])
        ]
        criteria = Criterion.objects.bulk_create(
            Criterion(
                group=group,
                part=part,
                code=str(data["code"]),
                name=data["name"],
                description=data.get("description", ""),
                note=data.get("note", ""),
                max_points=_criterion_max(data),
                yes_no=not data["options"],
                required_for_stars=data.get("required_for_stars"),
                position=position,
            )
            for group, position, data in rows
        )
        for criterion, (_group, _position, data) in zip(criteria, rows, strict=True):
            answers = data["options"] or [
                {"text": NO, "points": 0},
                {"text": YES, "points": data.get("max_points")},
            ]
            options += [
                CriterionOption(
                    criterion=criterion,
                    text=option["text"],
                    points=_points(option["points"]),
                    required_for_stars=option.get("required_for_stars"),
                    position=option_position,
                )
                for option_position, option in enumerate(answers)
            ]
    CriterionOption.objects.bulk_create(options)


@functools.cache
def _parse(path: Path, mtime_ns: int, size: int) -> tuple[dict, list[str], str]:
    text = path.read_text(encoding="utf-8")
    sheet = yaml.load(text, Loader=SAFE_LOADER)
    header = _header_lines(text)
    return sheet, header, _checksum(sheet, _disqualifier(header))


def _read(path: Path) -> tuple[dict, list[str], str]:
    """A sheet, its header comments and its checksum; parsed once per process while
    the file is unchanged (the tests load the catalogue many times)."""
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@transaction.atomic
def load_sheet(path: Path, *, draft: bool = False) -> tuple[CriteriaVersion, bool]:
    """Load one YAML sheet; returns (version, created).

    A sheet is published unless `draft` (a file held back as incomplete) or it has a
    blocking problem (a missing or misprinted points cell): a draft waits for the
    provincial administrator to correct it against the printed decision and publish.
    """
    sheet, header, checksum = _read(path)
    product_set = _product_set(sheet, path)
    basis = basis_of(sheet["legal_basis"])
    disqualifier = _disqualifier(header)
    existing = CriteriaVersion.objects.filter(
        product_set=product_set, basis=basis, checksum=checksum
    ).first()
    if existing is not None:
        return existing, False
    last = (
        CriteriaVersion.objects.filter(product_set=product_set, basis=basis)
        .order_by("-version")
        .first()
    )
    held_back = [line for line in header if line.startswith(HELD_BACK_MARK)]
    version = CriteriaVersion.objects.create(
        classification=product_set.classification,
        product_set=product_set,
        basis=basis,
        version=(last.version + 1) if last else 1,
        name=f"Phiếu đánh giá {sheet['product_set']} ({sheet['legal_basis']})",
        source=f"{sheet.get('source', '')}\n{sheet.get('source_note', '')}".strip(),
        disqualifier=disqualifier,
        checksum=checksum,
    )
    _build(version, sheet)
    check = review(version)
    version.total_points = check.total
    version.notes = "\n".join(held_back + check.notes)
    if draft or check.blocking:
        version.save()
    else:
        version.move_to(CriteriaStatus.PUBLISHED)
        version.published_at = timezone.now()
        version.save()
    return version, True


def load_criteria(
    directory: Path = CRITERIA_DIR, *, only: Iterable[str] | None = None
) -> list[tuple[CriteriaVersion, bool]]:
    """Every sheet under `directory` (or the files named in `only`); those in a folder
    named "…incomplete…" load as drafts."""
    paths = sorted(directory.rglob("*.yaml"))
    if only is not None:
        wanted = set(only)
        paths = [path for path in paths if path.name in wanted]
        if len(paths) != len(wanted):
            raise CatalogueError(
                f"no such criteria sheets: {wanted - {p.name for p in paths}}"
            )
    if not paths:
        raise CatalogueError(f"no criteria sheets in {directory}")
    return [
        load_sheet(
            path,
            draft=any(
                "incomplete" in part for part in path.relative_to(directory).parts[:-1]
            ),
        )
        for path in paths
    ]


@dataclass(frozen=True)
class Review:
    """What a sheet's content says about itself: its real maximum, the problems that
    keep it a draft (`blocking`) and the facts the council is told (`notes`)."""

    total: Decimal
    blocking: list[str]
    notes: list[str]
    # Each blocking problem's cell on the sheet page ("option-12", "group-3").
    anchors: dict[str, str] = field(default_factory=dict)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def review(version: CriteriaVersion) -> Review:
    """Check a version's cells: every option and maximum has its points, no option
    exceeds its criterion's maximum; the parts and the total are summed with one case
    per alternative group. Four queries."""
    blocking, notes, anchors = [], [], {}

    def block(message: str, anchor: str) -> None:
        blocking.append(message)
        anchors[message] = anchor

    criteria = list(
        Criterion.objects.filter(part__version=version)
        .select_related("group", "part")
        .prefetch_related("options")
        .order_by("part__position", "group__position", "position")
    )
    part_sums: dict[int, Decimal] = defaultdict(Decimal)
    alternatives: dict[int, list[Decimal]] = defaultdict(list)
    for criterion in criteria:
        code = criterion.code
        for option in criterion.options.all():
            # A met / not met answer is corrected through its criterion's maximum.
            cell = (
                f"criterion-{criterion.pk}"
                if criterion.yes_no
                else f"option-{option.pk}"
            )
            if option.points is None:
                block(
                    _("Criterion %(code)s, answer “%(text)s”: the points are missing.")
                    % {"code": code, "text": option.text},
                    cell,
                )
            elif (
                criterion.max_points is not None
                and option.points > criterion.max_points
            ):
                block(
                    _(
                        "Criterion %(code)s, answer “%(text)s”: %(points)s points, "
                        "more than the criterion's maximum of %(max)s."
                    )
                    % {
                        "code": code,
                        "text": option.text,
                        "points": _fmt(option.points),
                        "max": _fmt(criterion.max_points),
                    },
                    cell,
                )
        if criterion.max_points is None:
            block(
                _("Criterion %(code)s: the maximum points are missing.")
                % {"code": code},
                f"criterion-{criterion.pk}",
            )
            continue
        if criterion.group.alternatives:
            alternatives[criterion.group_id].append(criterion.max_points)
        else:
            part_sums[criterion.part_id] += criterion.max_points
    groups = {c.group_id: c.group for c in criteria}
    for group_id, maxima in alternatives.items():
        group = groups[group_id]
        part_sums[group.part_id] += max(maxima)
        if group.max_points is None:
            block(
                _("Group %(code)s: the maximum points are missing.")
                % {"code": group.code},
                f"group-{group.pk}",
            )
    group_sums: dict[int, Decimal] = defaultdict(Decimal)
    for criterion in criteria:
        if criterion.max_points is not None and not criterion.group.alternatives:
            group_sums[criterion.group_id] += criterion.max_points
    for group_id, maxima in alternatives.items():
        group_sums[group_id] = max(maxima)
    for group in groups.values():
        if group.max_points is None:
            if not group.alternatives:
                block(
                    _("Group %(code)s: the maximum points are missing.")
                    % {"code": group.code},
                    f"group-{group.pk}",
                )
        elif group.max_points != group_sums[group.pk]:
            notes.append(
                _("Group %(code)s: maximum %(max)s, its criteria add up to %(sum)s.")
                % {
                    "code": group.code,
                    "max": _fmt(group.max_points),
                    "sum": _fmt(group_sums[group.pk]),
                }
            )
    parts = {c.part_id: c.part for c in criteria}
    for part_id, part in parts.items():
        if part_sums[part_id] != part.max_points:
            notes.append(
                _("Part %(code)s: maximum %(max)s, its criteria add up to %(sum)s.")
                % {
                    "code": part.code,
                    "max": _fmt(part.max_points),
                    "sum": _fmt(part_sums[part_id]),
                }
            )
    total = sum(part_sums.values(), Decimal(0))
    if total != 100:
        notes.append(
            _("The best answers add up to %(total)s points, not 100.")
            % {"total": _fmt(total)}
        )
    return Review(total=total, blocking=blocking, notes=notes, anchors=anchors)


def published_version_for(
    *, product_set: ProductSet, basis: str
) -> CriteriaVersion | None:
    """The newest published sheet of a product set under a decision, or None when none
    is published (never another set's or another decision's)."""
    return (
        CriteriaVersion.objects.filter(
            product_set=product_set, basis=basis, status=CriteriaStatus.PUBLISHED
        )
        .order_by("-version")
        .first()
    )


def basis_for_dossier(
    dossier, *, regime: Regime | None = None, day: datetime.date | None = None
) -> str | None:
    """The decision whose sheets score a dossier: that of the process it follows (the
    rules of its first submission day, Điều 12 of 26/2026/QĐ-TTg). A dossier that never
    went through the portal's process (recorded afterwards) takes the sheets of the
    round's regime, else of the process in force on `day`."""
    from products.models import DossierProcess
    from products.process import process_on

    process = dossier.process
    if process is None and regime is not None:
        process = DossierProcess.objects.filter(code=regime.code).first()
    if process is None and dossier.submitted_at:
        process = process_on(timezone.localdate(dossier.submitted_at))
    if process is None and day is not None:
        process = process_on(day)
    return process.criteria_basis if process is not None else None


def version_for_dossier(
    dossier, *, regime: Regime | None = None, day: datetime.date | None = None
) -> CriteriaVersion | None:
    """The published sheet a dossier is scored on, or None when its product set has
    none under its decision (nothing guesses another set's or decision's sheet)."""
    basis = basis_for_dossier(dossier, regime=regime, day=day)
    if basis is None:
        return None
    return published_version_for(product_set=dossier.product.product_set, basis=basis)


def basis_label(basis: str | None) -> str:
    """ "Quyết định 148/QĐ-TTg (2023)" for "148": the regime's name."""
    if not basis:
        return "—"
    regime = Regime.objects.filter(code=basis).first()
    return regime.name if regime is not None else basis
