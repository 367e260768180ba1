"""What the dashboard shows, read from snapshots and database aggregates.

The number of queries does not depend on the amount of data: targets are read with
their snapshots (at most one per day), everything else is a GROUP BY or a short list.
A district officer's view is cut from the same rows: their district's share of each
breakdown and the targets set for their district.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from accounts.jurisdiction import acting_day_in, jurisdiction_of
from core import clock
from evaluations.models import (
    Certificate,
    CertificateStatus,
    RoundEntry,
    ScoreSheet,
    SheetStatus,
)
from products.models import Dossier, DossierKind, DossierStatus
from regions.models import AdministrativeUnit, UnitLevel, UnitSuccession
from regions.text import fold, search_terms

from . import indicators
from .models import Plan, ProgressSnapshot, Target

EXPIRING_DAYS = 90
LIST_LIMIT = 25
ONE = Decimal("0.1")


@dataclass(frozen=True)
class Scope:
    """The province, and the district for a district officer. `provinces` adds the
    provinces it succeeded (the merged Đồng Tháp reads the certificates the former
    Đồng Tháp and Tiền Giang issued that are still in force)."""

    province: AdministrativeUnit
    district: AdministrativeUnit | None = None
    provinces: frozenset[int] = frozenset()

    @classmethod
    def for_user(cls, user, year: int | None = None) -> "Scope | None":
        """The user's own slice (accounts.jurisdiction) as it was in `year`: the
        province they acted for then (the former Đồng Tháp for 2021, the merged one
        for 2026) and their district for a district officer of that time. None for a
        user who acted for no province."""
        day = clock.today() if year is None else acting_day_in(user, year)
        reach = jurisdiction_of(user, day)
        if reach.province is None:
            return None
        return cls(
            province=reach.province,
            district=reach.district,
            provinces=reach.work_provinces,
        )

    @property
    def province_ids(self) -> frozenset[int]:
        return self.provinces | {self.province.pk}

    def q(self, *, district: str, province: str, commune: str | None = None) -> Q:
        """Rows of the scope; `commune` finds the province of records made since the
        two-tier reform (their commune is directly under the province)."""
        if self.district is not None:
            return Q(**{district: self.district.pk})
        condition = Q(**{f"{province}__in": self.province_ids})
        if commune:
            condition |= Q(**{f"{commune}__parent__in": self.province_ids})
        return condition


def _one_place(value) -> Decimal:
    return Decimal(str(value)).quantize(ONE, ROUND_HALF_UP)


def year_fraction(year: int, today: datetime.date) -> Decimal:
    """How much of the year has passed: 0 before it starts, 1 once it is over."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days + 1) / Decimal((end - start).days + 1)


# Targets ----------------------------------------------------------------------------


@dataclass
class TargetRow:
    key: str
    label: str
    unit: str
    target: Target
    target_value: Decimal | None
    expected: Decimal | None
    series: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    by_district: dict[str, float] = field(default_factory=dict)
    computed_at: datetime.datetime | None = None

    @property
    def area_name(self) -> str:
        """The district, or the commune since the reform, the target is set for;
        empty for a target of the whole province."""
        area = self.target.area
        return area.name if area is not None else ""

    @property
    def district_name(self) -> str:
        """The target's area (a district, or a commune since the reform)."""
        return self.area_name

    @property
    def full_label(self) -> str:
        return (
            f"{self.label} · {self.district_name}" if self.district_name else self.label
        )

    @property
    def is_percent(self) -> bool:
        return self.unit == indicators.PERCENT

    @property
    def achieved(self) -> Decimal | None:
        return self.series[-1][1] if self.series else None

    @property
    def percent(self) -> Decimal | None:
        if not self.target_value or self.achieved is None:
            return None
        return _one_place(self.achieved * 100 / self.target_value)

    @property
    def meter_value(self) -> Decimal:
        return min(self.percent or Decimal(0), Decimal(100))

    @property
    def on_pace(self) -> bool | None:
        if self.expected is None or self.achieved is None:
            return None
        return self.achieved >= self.expected


def _history(plan: Plan, last_day: datetime.date) -> dict[int, list[ProgressSnapshot]]:
    history = defaultdict(list)
    for snapshot in ProgressSnapshot.objects.filter(
        target__plan=plan, day__lte=last_day
    ).order_by("target", "day"):
        history[snapshot.target_id].append(snapshot)
    return history


def target_rows(
    plan: Plan, targets: list[Target], scope: Scope, today: datetime.date
) -> list[TargetRow]:
    """One row per target in scope, with its snapshots and the year's pace.

    A district officer sees the targets set for their district and, for each
    province-wide target not split for them, their district's share (without a target
    value: the province's target is not theirs)."""
    last_day = min(today, datetime.date(plan.year, 12, 31))
    fraction = year_fraction(plan.year, today)
    history = _history(plan, last_day)
    district_id = scope.district.pk if scope.district else None
    split_for_me = {
        t.indicator for t in targets if district_id and t.district_id == district_id
    }
    # The communes of the targets split by commune, in one query.
    prefetch_related_objects([t for t in targets if t.commune_id], "commune")
    rows = []
    for target in targets:
        indicator = indicators.get(target.indicator)
        snapshots = history.get(target.pk, [])
        province_wide = target.district_id is None and target.commune_id is None
        if district_id is None or target.district_id == district_id:
            series = [(s.day, s.value) for s in snapshots]
            target_value = target.target_value
            by_district = snapshots[-1].by_district if snapshots else {}
        elif province_wide and target.indicator not in split_for_me:
            key = str(district_id)
            series = [
                (s.day, Decimal(str(s.by_district.get(key, 0)))) for s in snapshots
            ]
            target_value = None
            by_district = {}
        else:
            continue
        rows.append(
            TargetRow(
                key=target.indicator,
                label=indicator.label_for(plan.year) if indicator else target.indicator,
                unit=indicator.unit if indicator else indicators.COUNT,
                target=target,
                target_value=target_value,
                expected=_one_place(target_value * fraction) if target_value else None,
                series=series,
                by_district=by_district,
                computed_at=snapshots[-1].computed_at if snapshots else None,
            )
        )
    return rows


def chart_data(rows: list[TargetRow], year: int, today: datetime.date) -> dict:
    """Percent of target per day of the year, per target, and the linear pace line;
    read by static/js/plans.js through json_script."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = (end - start).days + 1
    series = [
        {
            "label": row.full_label,
            "points": [
                {
                    "x": (day - start).days + 1,
                    "y": float(_one_place(value * 100 / row.target_value)),
                }
                for day, value in row.series
            ],
        }
        for row in rows
        if row.target_value
    ]
    return {
        "days": days,
        "series": series,
        "pace": [{"x": 0, "y": 0}, {"x": days, "y": 100}],
        "today": (today - start).days + 1 if start <= today <= end else None,
        "labels": {
            "pace": _("Pace of the year"),
            "axis": _("Percent of target"),
            "today": _("Today"),
            "months": [
                datetime.date(year, month, 1).strftime("%m/%Y")
                for month in range(1, 13)
            ],
            "month_starts": [
                (datetime.date(year, month, 1) - start).days + 1
                for month in range(1, 13)
            ],
        },
    }


def district_table(
    rows: list[TargetRow], targets: list[Target], scope: Scope
) -> tuple[list[TargetRow], list[dict]]:
    """Rows: districts; columns: the province-wide targets; cells: the district's value
    in the latest snapshot, with the district's own target where the plan splits it."""
    columns = [
        row
        for row in rows
        if row.target.district_id is None and row.target.commune_id is None
    ]
    split = {
        (t.indicator, t.district_id or t.commune_id): t.target_value
        for t in targets
        if t.district_id or t.commune_id
    }
    # The province's own units: its districts until 30/6/2025, its communes since.
    districts = AdministrativeUnit.objects.filter(parent=scope.province).order_by(
        "code"
    )
    if scope.district is not None:
        districts = districts.filter(pk=scope.district.pk)
    districts = list(districts)
    # Only the communes of the two-tier government came from former units.
    by_commune = bool(districts) and districts[0].level == UnitLevel.COMMUNE
    formerly = former_units(districts) if by_commune else {}
    table = []
    for district in districts:
        cells = []
        for row in columns:
            if scope.district is not None:
                value = row.achieved or 0
            else:
                value = row.by_district.get(str(district.pk), 0)
            cells.append(
                {
                    "value": _one_place(value) if row.is_percent else int(value),
                    "target": split.get((row.key, district.pk)),
                    "is_percent": row.is_percent,
                }
            )
        table.append(
            {
                "district": district,
                "cells": cells,
                "formerly": formerly.get(district.pk, ""),
            }
        )
    return columns, table


def former_units(units) -> dict[int, str]:
    """For units of the two-tier government: the former districts (and provinces)
    their communes came from, e.g. "Lai Vung, Lấp Vò (Đồng Tháp)"."""
    names: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for successor, district, province in UnitSuccession.objects.filter(
        successor__in=units, predecessor__level=UnitLevel.COMMUNE
    ).values_list(
        "successor",
        "predecessor__parent__name",
        "predecessor__parent__parent__name",
    ):
        names[successor][province].add(district)
    return {
        unit: "; ".join(
            f"{', '.join(sorted(_short(d) for d in districts))} ({_short(province)})"
            for province, districts in sorted(by_province.items())
        )
        for unit, by_province in names.items()
    }


def main_former_units(units) -> dict[int, tuple[str, str]]:
    """For units of the two-tier government: the former district and province most of
    their communes came from (the one to group them under)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for successor, district, province in UnitSuccession.objects.filter(
        successor__in=units, predecessor__level=UnitLevel.COMMUNE
    ).values_list(
        "successor",
        "predecessor__parent__name",
        "predecessor__parent__parent__name",
    ):
        counts[successor][(_short(district), _short(province))] += 1
    return {
        unit: min(found.items(), key=lambda item: (-item[1], item[0]))[0]
        for unit, found in counts.items()
    }


AREA_GROUPS = {"district": 0, "province": 1}


@dataclass
class AreaGroup:
    """Rows of the by-commune table under one former district or province (or all of
    them, `name` empty), with the sums of its count columns."""

    name: str
    lines: list[dict]
    totals: list[int | None]


@dataclass
class AreaTable:
    groups: list[AreaGroup]
    query: str
    group: str
    sort: str
    shown: int
    total: int


def arrange_areas(
    board: "Dashboard", *, query: str = "", group: str = "", sort: str = ""
) -> AreaTable:
    """The by-commune table as the user asked for it: the communes whose name or
    former units match `query` (diacritics ignored), sorted by name, former units or a
    column (`sort` = "name", "former" or an indicator key, "-" first for descending),
    grouped by former district or former province. The 2021 table by district is
    only sorted."""
    lines = list(board.districts)
    keys = [column.key for column in board.columns]
    group = group if board.by_commune and group in AREA_GROUPS else ""
    terms = search_terms(query) if board.by_commune else []
    if terms:
        lines = [
            line
            for line in lines
            if all(
                term in fold(f"{line['district'].name} {line['formerly']}")
                for term in terms
            )
        ]
    field_name = sort.removeprefix("-")
    descending = sort.startswith("-")
    in_code_order = list(lines)
    # Ties keep the communes in name order, whichever way the column is sorted.
    lines.sort(key=lambda line: fold(line["district"].name))
    if field_name in keys:
        index = keys.index(field_name)
        lines.sort(key=lambda line: line["cells"][index]["value"], reverse=descending)
    elif field_name == "former" and board.by_commune:
        lines.sort(key=lambda line: fold(line["formerly"]), reverse=descending)
    elif field_name == "name":
        lines.sort(key=lambda line: fold(line["district"].name), reverse=descending)
    else:
        sort = ""
        lines = in_code_order
    if group:
        position = AREA_GROUPS[group]
        by_name: dict[str, list[dict]] = defaultdict(list)
        for line in lines:
            former = line.get("former") or ("", "")
            by_name[former[position]].append(line)
        groups = [
            _area_group(name, members, board.columns)
            for name, members in sorted(by_name.items(), key=lambda item: fold(item[0]))
        ]
    else:
        groups = [_area_group("", lines, board.columns)] if lines else []
    return AreaTable(
        groups=groups,
        query=query,
        group=group,
        sort=sort,
        shown=len(lines),
        total=len(board.districts),
    )


def _area_group(name: str, lines: list[dict], columns: list["TargetRow"]) -> AreaGroup:
    totals = [
        None
        if column.is_percent
        else sum(line["cells"][index]["value"] for line in lines)
        for index, column in enumerate(columns)
    ]
    return AreaGroup(name=name, lines=lines, totals=totals)


def _short(name: str) -> str:
    for kind in ("Thành phố ", "Thị xã ", "Huyện ", "Tỉnh "):
        if name.startswith(kind):
            return name[len(kind) :]
    return name


# Pipeline, stars, groups, expiring ------------------------------------------------------


def pipeline(scope: Scope, year: int) -> list[dict]:
    """Dossiers of the year by status and kind."""
    counts = (
        Dossier.objects.filter(
            scope.q(
                district="district",
                province="district__parent",
                commune="product__commune",
            ),
            year=year,
        )
        .values("status")
        .annotate(
            total=Count("pk"),
            **{kind: Count("pk", filter=Q(kind=kind)) for kind in DossierKind.values},
        )
        .order_by()
    )
    by_status = {row["status"]: row for row in counts}
    return [
        {
            "status": status,
            "label": str(label),
            "total": by_status.get(status, {}).get("total", 0),
            "kinds": [
                by_status.get(status, {}).get(kind, 0) for kind in DossierKind.values
            ],
        }
        for status, label in DossierStatus.choices
        if status in by_status
    ]


# Provisional bands: what a round still scoring may give (DESIGN §5 star bands).
BANDS = [
    (5, Decimal(90)),
    (4, Decimal(70)),
    (3, Decimal(50)),
    (0, Decimal(0)),
]


def provisional(scope: Scope, year: int) -> list[dict]:
    """Entries of the year's rounds that are still scoring and have submitted sheets:
    by provisional star band (mean of the submitted sheets) and dossier kind."""
    mean = (
        ScoreSheet.objects.filter(entry=OuterRef("pk"), status=SheetStatus.SUBMITTED)
        .values("entry")
        .annotate(mean=Avg("total"))
        .values("mean")
    )
    entries = (
        RoundEntry.objects.filter(
            scope.q(
                district="dossier__district",
                province="dossier__district__parent",
                commune="dossier__product__commune",
            ),
            round__year=year,
            result__isnull=True,
        )
        .annotate(mean=Subquery(mean))
        .filter(mean__isnull=False)
        .annotate(
            band=Case(
                *[When(mean__gte=floor, then=stars) for stars, floor in BANDS[:-1]],
                default=0,
                output_field=IntegerField(),
            )
        )
        .values("band")
        .annotate(
            total=Count("pk"),
            average=Avg("mean"),
            **{
                kind: Count("pk", filter=Q(dossier__kind=kind))
                for kind in DossierKind.values
            },
        )
        .order_by()
    )
    by_band = {row["band"]: row for row in entries}
    labels = {
        5: _("90 points or more: national 5★ candidate"),
        4: _("70 to under 90: 4★"),
        3: _("50 to under 70: 3★"),
        0: _("Under 50: not certified"),
    }
    return [
        {
            "band": stars,
            "label": labels[stars],
            "total": by_band[stars]["total"],
            "average": _one_place(by_band[stars]["average"]),
            "kinds": [by_band[stars][kind] for kind in DossierKind.values],
        }
        for stars, _floor in BANDS
        if stars in by_band
    ]


def certificates_in_force(scope: Scope, day: datetime.date) -> QuerySet:
    """Certificates valid on `day`: issued by then, not yet expired, not superseded by a
    certificate issued by then, not revoked by then."""
    return Certificate.objects.filter(
        scope.q(district="product__district", province="province"),
        valid_from__lte=day,
        valid_until__gte=day,
    ).exclude(
        Q(status=CertificateStatus.SUPERSEDED, superseded_by__valid_from__lte=day)
        | Q(status=CertificateStatus.REVOKED, status_changed_at__date__lte=day)
    )


def star_distribution(scope: Scope, day: datetime.date) -> list[dict]:
    counts = dict(
        certificates_in_force(scope, day)
        .values("stars")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("stars", "n")
    )
    total = sum(counts.values())
    return [
        {
            "stars": stars,
            "count": counts.get(stars, 0),
            "share": _one_place(Decimal(100) * counts.get(stars, 0) / total)
            if total
            else Decimal(0),
        }
        for stars in (3, 4, 5)
    ]


def by_product_group(scope: Scope, day: datetime.date) -> list[dict]:
    rows = (
        certificates_in_force(scope, day)
        .values(
            "product__product_set__group__code",
            "product__product_set__group__name",
            "product__product_set__classification__decision",
        )
        .annotate(
            total=Count("pk"),
            **{f"s{stars}": Count("pk", filter=Q(stars=stars)) for stars in (3, 4, 5)},
        )
        .order_by(
            "product__product_set__classification__decision",
            "product__product_set__group__code",
        )
    )
    return [
        {
            "group": f"{row['product__product_set__group__code']}. "
            f"{row['product__product_set__group__name']}",
            "basis": row["product__product_set__classification__decision"],
            "stars": [row["s3"], row["s4"], row["s5"]],
            "total": row["total"],
        }
        for row in rows
    ]


def expiring(scope: Scope, today: datetime.date) -> QuerySet:
    """Active certificates whose validity ends within the next 90 days."""
    return (
        Certificate.objects.filter(
            scope.q(district="product__district", province="province"),
            status=CertificateStatus.ACTIVE,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=EXPIRING_DAYS),
        )
        .select_related("product__producer", "product__district")
        .order_by("valid_until", "number")
    )


def expired_without_rerating(scope: Scope, today: datetime.date) -> QuerySet:
    """Certificates whose validity ended (expired, or still marked active until the
    daily job runs) for products that have not applied again since: no dossier of a
    later year than the certificate's."""
    applied_again = Dossier.objects.filter(
        product=OuterRef("product"), year__gt=OuterRef("year")
    )
    return (
        Certificate.objects.filter(
            scope.q(district="product__district", province="province"),
            status__in=[CertificateStatus.EXPIRED, CertificateStatus.ACTIVE],
            valid_until__lt=today,
        )
        .exclude(Exists(applied_again))
        .select_related("product__producer", "product__district")
        .order_by("-valid_until", "number")
    )


# The whole page ----------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: Scope
    year: int
    today: datetime.date
    plan: Plan | None
    plans: list[Plan]
    rows: list[TargetRow]
    columns: list[TargetRow]
    districts: list[dict]
    chart: dict | None
    pipeline: list[dict]
    provisional: list[dict]
    stars: list[dict]
    groups: list[dict]
    in_force_on: datetime.date
    expiring: QuerySet
    expired: QuerySet
    # The province of the two-tier government reads by commune (it has no districts).
    by_commune: bool = False

    @property
    def computed_at(self) -> datetime.datetime | None:
        times = [row.computed_at for row in self.rows if row.computed_at]
        return max(times) if times else None


def build(
    *, scope: Scope, year: int, today: datetime.date, plan_id: int | None = None
) -> Dashboard:
    plans = list(
        Plan.objects.filter(province__in=scope.province_ids, year=year).order_by(
            "-issued_on", "-pk"
        )
    )
    plan = next((p for p in plans if p.pk == plan_id), plans[0] if plans else None)
    rows, columns, districts, chart = [], [], [], None
    if plan is not None:
        # The province's targets first, then those split by district or commune.
        targets = sorted(
            plan.targets.select_related("district"),
            key=lambda t: (
                t.district_id is not None or t.commune_id is not None,
                t.district_id or t.commune_id or 0,
                t.pk,
            ),
        )
        rows = target_rows(plan, targets, scope, today)
        columns, districts = district_table(rows, targets, scope)
        if districts and districts[0]["district"].level == UnitLevel.COMMUNE:
            former = main_former_units([line["district"] for line in districts])
            for line in districts:
                line["former"] = former.get(line["district"].pk, ("", ""))
        chart = chart_data(rows, year, today)
    in_force_on = min(today, datetime.date(year, 12, 31))
    return Dashboard(
        scope=scope,
        year=year,
        today=today,
        plan=plan,
        plans=plans,
        rows=rows,
        columns=columns,
        districts=districts,
        chart=chart,
        pipeline=pipeline(scope, year),
        provisional=provisional(scope, year),
        stars=star_distribution(scope, in_force_on),
        groups=by_product_group(scope, in_force_on),
        in_force_on=in_force_on,
        expiring=expiring(scope, today),
        expired=expired_without_rerating(scope, today),
        by_commune=bool(districts) and districts[0]["district"].level == "commune",
    )
