"""Who acts where: the one place that answers "which units does this user act for, on
which day" and "may this user act on a record of this commune / district / province".

Every `visible_to(user)` queryset, every permission module, the dashboard's scope and
the home page ask here.

A user acts through dated mandates (accounts.Mandate): a district officer for their
district until the district ended (30/6/2025), a commune officer for one or several
communes from 1/7/2025, a provincial officer or administrator for a province. The day
is `core.clock.today()` unless given.

- Acting units are those of the mandates valid on the day, each with the units it
  succeeded (the merged Đồng Tháp's officers act for the former Đồng Tháp's and
  Tiền Giang's records; the officer of Xã Lai Vung for the producers registered in
  the communes it took over, such as Xã Tân Phước of 2021).
- A mandate that has ended leaves read-only access to the records of its unit: the
  officer of Huyện Lai Vung still reads the district's records up to 30/6/2025.
- A superuser reads and acts everywhere.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q, QuerySet

from core import clock
from regions.models import AdministrativeUnit, UnitLevel, UnitSuccession

from .models import Mandate, Role, User

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Units:
    """Provinces, districts and communes (ids), each with its predecessors."""

    provinces: frozenset[int] = frozenset()
    districts: frozenset[int] = frozenset()
    communes: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.provinces or self.districts or self.communes)

    def q(self, *, district: str, commune: str | None, provinces: list[str]) -> Q:
        condition = NOTHING
        if self.communes and commune:
            condition |= Q(**{f"{commune}__in": self.communes})
        if self.districts:
            condition |= Q(**{f"{district}__in": self.districts})
        for lookup in provinces if self.provinces else ():
            condition |= Q(**{f"{lookup}__in": self.provinces})
        return condition


@dataclass(frozen=True)
class Jurisdiction:
    """Where one user acts, and reads, as an OCOP officer on one day."""

    user: User
    day: datetime.date
    acting: Units = field(default_factory=Units)
    # Acting units and the units of ended mandates (read-only).
    reading: Units = field(default_factory=Units)
    # The provinces of the user's own units (a commune or district officer's
    # province), and with the provinces they succeeded: province-wide documents
    # (plans, trainings) are theirs to read.
    home_provinces: frozenset[int] = frozenset()
    work_provinces: frozenset[int] = frozenset()
    everywhere: bool = False
    roles: frozenset[str] = frozenset()
    # The user's own units on the day, for display and forms (not predecessors).
    own_units: tuple[AdministrativeUnit, ...] = ()

    # What the user is -------------------------------------------------------------

    @property
    def is_officer(self) -> bool:
        """An OCOP officer, acting or reading (a former district's officer): the
        programme's lists are theirs. A council member without a mandate is not."""
        return self.everywhere or bool(self.reading)

    @property
    def is_provincial(self) -> bool:
        """Acts for a whole province (provincial officer, administrator, superuser)."""
        return self.everywhere or bool(self.acting.provinces)

    @property
    def is_district(self) -> bool:
        return bool(self.acting.districts)

    @property
    def is_commune(self) -> bool:
        return bool(self.acting.communes)

    @property
    def is_local(self) -> bool:
        """Acts for districts or communes: registers producers, compiles dossiers."""
        return self.is_district or self.is_commune

    @property
    def province_id(self) -> int | None:
        """The province the user works in, when there is one."""
        if len(self.home_provinces) == 1:
            return next(iter(self.home_provinces))
        return None

    @property
    def province(self) -> AdministrativeUnit | None:
        if self.province_id is None:
            return None
        for unit in self.own_units:
            province = unit if unit.level == UnitLevel.PROVINCE else unit.province
            if province.pk == self.province_id:
                return province
        return AdministrativeUnit.objects.get(pk=self.province_id)

    @property
    def district_id(self) -> int | None:
        """The district a district officer acts for (one, in practice)."""
        units = [u for u in self.own_units if u.level == UnitLevel.DISTRICT]
        return units[0].pk if len(units) == 1 else None

    @property
    def district(self) -> AdministrativeUnit | None:
        units = [u for u in self.own_units if u.level == UnitLevel.DISTRICT]
        return units[0] if len(units) == 1 else None

    @property
    def label(self) -> str:
        """Roles and units on the day: "Cán bộ OCOP cấp xã · Xã Lai Vung"."""
        if not self.own_units and self.everywhere:
            return str(Role.ADMINISTRATOR.label)
        names = ", ".join(unit.name for unit in self.own_units)
        roles = ", ".join(str(Role(role).label) for role in sorted(self.roles))
        return f"{roles} · {names}" if names else roles

    # May the user act on a record of ... -------------------------------------------

    def acts_for_place(
        self, *, commune_id: int | None, district_id: int | None
    ) -> bool:
        """The local officer of a record's place: the officer of its district (until
        districts ended) or of its commune (or of the commune that succeeded it).
        Nobody else registers producers or compiles dossiers, the province included."""
        return (district_id is not None and district_id in self.acting.districts) or (
            commune_id is not None and commune_id in self.acting.communes
        )

    def acts_for_district(self, district_id: int | None) -> bool:
        return district_id is not None and district_id in self.acting.districts

    def acts_for_province(self, province_id: int | None) -> bool:
        """A provincial officer or administrator of that province (or of the province
        that succeeded it), or a superuser: reviews dossiers, sets plans, revokes
        certificates."""
        return self.everywhere or (
            province_id is not None and province_id in self.acting.provinces
        )

    def works_in_province(self, province_id: int | None) -> bool:
        """Acts for the province or for one of its districts or communes."""
        return self.everywhere or (
            province_id is not None and province_id in self.work_provinces
        )

    # Querysets -------------------------------------------------------------------------

    def q(
        self, *, district: str, commune: str | None = None, province: str | None = None
    ) -> Q:
        """A filter keeping the rows the user reads: those of their communes and
        districts, of their provinces, and of the units of their ended mandates; a
        superuser's all.

        `district` and `commune` are lookups from the model to the unit it was
        registered in; the province is found through them (a 2021 record's district,
        a 2026 record's commune: communes are directly under the province since the
        reform), or through `province` when the model has its own.
        """
        if self.everywhere:
            return Q()
        provinces = [province] if province else [f"{district}__parent"]
        if commune and not province:
            provinces.append(f"{commune}__parent")
        return self.reading.q(district=district, commune=commune, provinces=provinces)

    def province_q(self, province: str) -> Q:
        """A filter keeping the rows of the provinces the user works in: documents of
        the whole province (plans, trainings) that its local officers read too."""
        if self.everywhere:
            return Q()
        if not self.work_provinces:
            return NOTHING
        return Q(**{f"{province}__in": self.work_provinces})

    def districts(self) -> QuerySet:
        """The districts a provincial user may filter by: those of their provinces
        (the former ones included); none for a local officer."""
        units = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT)
        if self.everywhere:
            return units.order_by("code")
        if not self.acting.provinces:
            return units.none()
        return units.filter(parent__in=self.acting.provinces).order_by(
            "parent__code", "code"
        )

    def communes(self) -> QuerySet:
        """The communes the user acts for that exist on the day: where they register
        producers. A provincial user's: every commune of their provinces."""
        units = AdministrativeUnit.objects.communes().valid_on(self.day)
        if self.everywhere:
            return units.select_related("parent").order_by("parent__code", "name")
        condition = NOTHING
        if self.acting.communes:
            condition |= Q(pk__in=self.acting.communes)
        if self.acting.districts:
            condition |= Q(parent__in=self.acting.districts)
        if self.acting.provinces:
            condition |= Q(parent__in=self.acting.provinces) | Q(
                parent__parent__in=self.acting.provinces
            )
        return (
            units.filter(condition)
            .select_related("parent")
            .order_by("parent__code", "name")
        )


def _predecessor_graph(unit_ids: set[int]) -> dict[int, set[int]]:
    """unit → the units it succeeded, for the given units and their predecessors,
    however many reforms back (one query per reform)."""
    graph: dict[int, set[int]] = {}
    frontier = set(unit_ids)
    while frontier:
        found: dict[int, set[int]] = {unit: set() for unit in frontier}
        for successor, predecessor in UnitSuccession.objects.filter(
            successor__in=frontier
        ).values_list("successor", "predecessor"):
            found[successor].add(predecessor)
        graph.update(found)
        frontier = {p for preds in found.values() for p in preds} - set(graph)
    return graph


def with_predecessors(unit_ids: set[int]) -> frozenset[int]:
    """The units and every unit they succeeded, however many reforms back: where the
    records now read under them were made."""
    return _closure(set(unit_ids), _predecessor_graph(set(unit_ids)))


def _closure(unit_ids: set[int], graph: dict[int, set[int]]) -> frozenset[int]:
    found, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        frontier = {p for unit in frontier for p in graph.get(unit, ())} - found
        found |= frontier
    return frozenset(found)


def _units(mandates: list[Mandate], graph: dict[int, set[int]]) -> Units:
    by_level: dict[str, set[int]] = {level: set() for level in UnitLevel.values}
    for mandate in mandates:
        by_level[mandate.unit.level].add(mandate.unit_id)
    return Units(
        provinces=_closure(by_level[UnitLevel.PROVINCE], graph),
        districts=_closure(by_level[UnitLevel.DISTRICT], graph),
        communes=_closure(by_level[UnitLevel.COMMUNE], graph),
    )


def _province_of(unit: AdministrativeUnit) -> int:
    return unit.pk if unit.level == UnitLevel.PROVINCE else unit.province.pk


def jurisdiction_of(user, on: datetime.date | None = None) -> Jurisdiction:
    """Where `user` acts and reads on `on` (default: clock.today()). Anonymous and
    inactive users: nowhere. Worked out once per user object and day."""
    day = on or clock.today()
    if not user.is_authenticated or not user.is_active:
        return Jurisdiction(user=user, day=day)
    cache = user.__dict__.setdefault("_jurisdictions", {})
    if day not in cache:
        cache[day] = _work_out(user, day)
    return cache[day]


def acting_day_in(user, year: int) -> datetime.date:
    """The day a report of `year` is read for the user: the year's last day (or today
    while it runs), or the last day of the year the user acted, when their mandates
    ended during it (a district officer's 2025 ends on 30/6/2025)."""
    day = min(clock.today(), datetime.date(year, 12, 31))
    if not user.is_authenticated or jurisdiction_of(user, day).province_id is not None:
        return day
    ended = (
        Mandate.objects.filter(
            user=user,
            valid_from__lte=day,
            valid_to__gte=datetime.date(year, 1, 1),
            valid_to__lt=day,
        )
        .order_by("-valid_to")
        .values_list("valid_to", flat=True)
        .first()
    )
    return ended or day


def last_year_acting(user) -> int | None:
    """The year of the user's last day as an officer, up to today (None: never)."""
    if not user.is_authenticated:
        return None
    today = clock.today()
    mandates = Mandate.objects.filter(user=user, valid_from__lte=today)
    if mandates.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).exists():
        return today.year
    last = mandates.aggregate(last=Max("valid_to"))["last"]
    return last.year if last else None


def forget_jurisdiction(user) -> None:
    """Drop what jurisdiction_of worked out for this user object (mandates changed)."""
    user.__dict__.pop("_jurisdictions", None)


def _work_out(user: User, day: datetime.date) -> Jurisdiction:
    mandates = list(
        Mandate.objects.filter(user=user, valid_from__lte=day).select_related(
            "unit__parent__parent"
        )
    )
    current = [m for m in mandates if m.valid_to is None or m.valid_to >= day]
    ended = [m for m in mandates if m.valid_to is not None and m.valid_to < day]
    home = {_province_of(m.unit) for m in current}
    if user.is_superuser and not current:
        home = {_province_of(m.unit) for m in ended}
    graph = _predecessor_graph({m.unit_id for m in mandates} | home)
    return Jurisdiction(
        user=user,
        day=day,
        acting=_units(current, graph),
        reading=_units(current + ended, graph),
        home_provinces=frozenset(home),
        work_provinces=_closure(home, graph),
        everywhere=user.is_superuser,
        roles=frozenset(m.role for m in current),
        own_units=tuple(m.unit for m in current),
    )


def local_mandates(*, province_id: int, on: datetime.date) -> QuerySet:
    """The mandates of the active local officers (district officers until 30/6/2025,
    commune officers since) of a province's units on the day: who counts among the
    officers to train, grouped by their unit."""
    return Mandate.objects.valid_on(on).filter(
        Q(unit__parent=province_id) | Q(unit__parent__parent=province_id),
        role__in=[Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER],
        user__is_active=True,
    )


def local_officers(
    *,
    commune_id: int | None = None,
    district_id: int | None = None,
    province_id: int | None = None,
    on: datetime.date | None = None,
) -> QuerySet:
    """The active users who act as local OCOP officers on the day (the inverse
    question: who is told about a producer's certificate, who counts among the
    officers to train): of a district, of a commune or the commune that succeeded it,
    or of any district or commune of a province."""
    day = on or clock.today()
    mandates = Mandate.objects.valid_on(day).filter(
        role__in=[Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER]
    )
    condition = NOTHING
    if district_id is not None:
        condition |= Q(unit=district_id)
    if commune_id is not None:
        condition |= Q(unit__in=_with_successors({commune_id}))
    if province_id is not None:
        condition |= Q(unit__parent=province_id) | Q(unit__parent__parent=province_id)
    return User.objects.filter(
        is_active=True, pk__in=mandates.filter(condition).values("user")
    )


def _with_successors(unit_ids: set[int]) -> frozenset[int]:
    """The units and every unit that succeeded them."""
    found, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        frontier = (
            set(
                UnitSuccession.objects.filter(predecessor__in=frontier).values_list(
                    "successor", flat=True
                )
            )
            - found
        )
        found |= frontier
    return frozenset(found)


def officer_district(user, on: datetime.date | None = None) -> int | None:
    """The district a user acts for as its officer on the day (an officer attends a
    training for it), or None."""
    return jurisdiction_of(user, on).district_id
