import csv
import datetime
import math
from pathlib import Path

from django.db import transaction

from .models import AdministrativeUnit, UnitLevel, UnitSuccession

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


# The two-tier reform of 1/7/2025 --------------------------------------------------------

# Districts ended on 30/6/2025; from 1/7/2025 the merged Đồng Tháp (GSO 82, seat in Mỹ
# Tho) has 102 commune-level units directly under the province (Resolution
# 1663/NQ-UBTVQH15 on the provinces, and the Standing Committee's resolution on the
# communes of Đồng Tháp).
REFORM_DAY = datetime.date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = datetime.date(2025, 6, 30)
MERGED_PROVINCE_CODE = "82"
FORMER_DONG_THAP_CODE = "87"
FORMER_TIEN_GIANG_CODE = "82"
# The package's pre-reform list is the one in force when the reform took effect; the
# portal keeps no earlier state of the former Tiền Giang, so its units are dated from
# the last commune reorganisation before the reform (1/1/2025).
TIEN_GIANG_VALID_FROM = datetime.date(2025, 1, 1)
# Two wards of Cao Lãnh city in the 2021 list had merged into Phường 2 (29869, renamed
# Phường 1) on 1/1/2025 (see the header of dong_thap_2021_units.csv): they succeed as
# 29869 did.
MERGED_BEFORE_REFORM = {"29863": "29869", "29866": "29869"}
# How far a split commune's secondary successor may lie (see load_two_tier_reform).
SPLIT_RADIUS_KM = 20


def _reform_source() -> tuple[list[dict], list[dict], dict, dict]:
    """The package's pre-reform units of the two provinces, the merged province's units
    and its succession tables (new ward key → former keys; split former key → new
    wards). Imported here: the package is only needed to load units."""
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )
    from vietnamadminunits.database import get_data

    former = [
        row
        for row in get_data(
            fields=[
                "provinceCode",
                "province",
                "provinceKey",
                "districtCode",
                "district",
                "districtType",
                "districtKey",
                "wardCode",
                "ward",
                "wardType",
                "wardKey",
                "wardLat",
                "wardLon",
            ],
            table="admin_units_legacy",
        )
        if row["provinceCode"] in (FORMER_DONG_THAP_CODE, FORMER_TIEN_GIANG_CODE)
    ]
    merged = [
        row
        for row in get_data(
            fields=[
                "provinceCode",
                "province",
                "wardCode",
                "ward",
                "wardType",
                "wardKey",
                "wardLat",
                "wardLon",
            ],
            table="admin_units",
        )
        if row["provinceCode"] == MERGED_PROVINCE_CODE
    ]
    province_key = "tinhdongthap"
    return (
        former,
        merged,
        DICT_PROVINCE_WARD_NO_DIVIDED[province_key],
        DICT_PROVINCE_WARD_DIVIDED.get(province_key, {}),
    )


def _unit(*, code, valid_from, name, kind, level, parent, valid_to):
    return AdministrativeUnit.objects.update_or_create(
        code=code,
        valid_from=valid_from,
        defaults={
            "name": name,
            "kind": kind,
            "level": level,
            "parent": parent,
            "valid_to": valid_to,
        },
    )


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (latitude, longitude) points, flat-earth: enough at the
    scale of a province."""
    north = (a[0] - b[0]) * 111.2
    east = (a[1] - b[1]) * 111.2 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


def _successors(former_key: str, not_divided: dict, divided: dict) -> list[tuple]:
    """(new ward key, main) for a former commune's full key."""
    found = [(new, True) for new, olds in not_divided.items() if former_key in olds]
    for new in divided.get(former_key, []):
        found.append((new["newWardKey"], new["isDefaultNewWard"]))
    return found


@transaction.atomic
def load_two_tier_reform() -> dict[str, int]:
    """Load the former Tiền Giang (districts and communes until 30/6/2025), the merged
    Đồng Tháp and its 102 units (from 1/7/2025), and link every former commune of both
    provinces to its successor(s). Needs the 2021 units of the former Đồng Tháp
    (load_dong_thap_2021). Idempotent: returns created/updated/successions counts.

    Source: the vietnamadminunits package (its pre-reform and 2025 tables and its
    converter). A split commune's main successor is the package's default; another
    successor is kept only within SPLIT_RADIUS_KM of the commune (the package's own
    coordinates), because the package lists some that cannot be: wards of Mỹ Tho, Cai
    Lậy and Sa Đéc "going to" Phường Cao Lãnh, 21 to 83 km away.
    """
    former, merged, not_divided, divided = _reform_source()
    counts = {"created": 0, "updated": 0, "successions": 0}

    def count(was_created: bool) -> None:
        counts["created" if was_created else "updated"] += 1

    # The former Tiền Giang, as it stood before the reform.
    tien_giang_rows = [r for r in former if r["provinceCode"] == FORMER_TIEN_GIANG_CODE]
    tien_giang, created = _unit(
        code=FORMER_TIEN_GIANG_CODE,
        valid_from=TIEN_GIANG_VALID_FROM,
        name=tien_giang_rows[0]["province"],
        kind="Tỉnh",
        level=UnitLevel.PROVINCE,
        parent=None,
        valid_to=LAST_DAY_BEFORE_REFORM,
    )
    count(created)
    districts = {}
    for row in sorted(tien_giang_rows, key=lambda r: r["districtCode"]):
        if row["districtCode"] in districts:
            continue
        districts[row["districtCode"]], created = _unit(
            code=row["districtCode"],
            valid_from=TIEN_GIANG_VALID_FROM,
            name=row["district"],
            kind=row["districtType"],
            level=UnitLevel.DISTRICT,
            parent=tien_giang,
            valid_to=LAST_DAY_BEFORE_REFORM,
        )
        count(created)
    for row in sorted(tien_giang_rows, key=lambda r: r["wardCode"]):
        _commune, created = _unit(
            code=row["wardCode"],
            valid_from=TIEN_GIANG_VALID_FROM,
            name=row["ward"],
            kind=row["wardType"],
            level=UnitLevel.COMMUNE,
            parent=districts[row["districtCode"]],
            valid_to=LAST_DAY_BEFORE_REFORM,
        )
        count(created)

    # The merged Đồng Tháp: communes directly under the province.
    province, created = _unit(
        code=MERGED_PROVINCE_CODE,
        valid_from=REFORM_DAY,
        name=merged[0]["province"],
        kind="Tỉnh",
        level=UnitLevel.PROVINCE,
        parent=None,
        valid_to=None,
    )
    count(created)
    new_by_key = {}
    for row in sorted(merged, key=lambda r: r["wardCode"]):
        new_by_key[row["wardKey"]], created = _unit(
            code=row["wardCode"],
            valid_from=REFORM_DAY,
            name=row["ward"],
            kind=row["wardType"],
            level=UnitLevel.COMMUNE,
            parent=province,
            valid_to=None,
        )
        count(created)

    # Successions: both former provinces, and each of their communes.
    former_provinces = AdministrativeUnit.objects.provinces().filter(
        code__in=[FORMER_DONG_THAP_CODE, FORMER_TIEN_GIANG_CODE],
        valid_to=LAST_DAY_BEFORE_REFORM,
    )
    links = [(old, province, True) for old in former_provinces]
    former_units = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.communes()
        .filter(parent__parent__in=former_provinces, valid_to=LAST_DAY_BEFORE_REFORM)
        .select_related("parent")
    }
    key_of = {
        row["wardCode"]: f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
        for row in former
    }
    for code in MERGED_BEFORE_REFORM:
        key_of[code] = key_of[MERGED_BEFORE_REFORM[code]]
    planned = {}
    for code, unit in former_units.items():
        if code not in key_of:
            raise UnitFileError(f"former commune {code} {unit} is not in the package")
        planned[unit] = _successors(key_of[code], not_divided, divided)
    place_of = {row["wardCode"]: (row["wardLat"], row["wardLon"]) for row in former}
    new_place = {row["wardKey"]: (row["wardLat"], row["wardLon"]) for row in merged}
    for unit, successors in planned.items():
        here = place_of[MERGED_BEFORE_REFORM.get(unit.code, unit.code)]
        for key, main in successors:
            if main or _km(here, new_place[key]) <= SPLIT_RADIUS_KM:
                links.append((unit, new_by_key[key], main))
    for predecessor, successor, main in links:
        _link, created = UnitSuccession.objects.update_or_create(
            predecessor=predecessor, successor=successor, defaults={"main": main}
        )
        counts["successions"] += created
    return counts


def load_all_units() -> dict[str, int]:
    """Everything the portal ships: the 2021 units of the former Đồng Tháp, then the
    reform (the former Tiền Giang, the merged province, the successions)."""
    created, updated = load_dong_thap_2021()
    counts = load_two_tier_reform()
    counts["created"] += created
    counts["updated"] += updated
    return counts
