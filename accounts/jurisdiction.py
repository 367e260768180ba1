"""Who acts where: the one place that answers "which units does this user act for" and
"may this user act on a record of this district / this province".

Every `visible_to(user)` queryset, every permission module, the dashboard's scope and
the home page ask here, so a change in who acts where (officers of the 2021 districts,
commune officers from 1/7/2025, an officer covering several communes) changes this
module and nothing else.

Today a user acts with one programme role at one unit (`User.role`,
`User.jurisdiction`), for all time: a district officer for their district, a
provincial officer or administrator for their province, a superuser everywhere.
Council members act through their council (evaluations.permissions), not here.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from regions.models import AdministrativeUnit, UnitLevel

from .models import Role, User

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Jurisdiction:
    """The units one user acts for as an OCOP officer.

    `province_id` is the province they work in (a district officer's parent unit);
    `district_id` is set for a district officer only. `everywhere` is the superuser,
    who reads every province (and acts as a provincial officer of each).
    """

    user: User
    province_id: int | None = None
    district_id: int | None = None
    everywhere: bool = False

    # What the user is -------------------------------------------------------------

    @property
    def is_officer(self) -> bool:
        """An OCOP officer of some unit (or a superuser): the programme's lists are
        theirs. A council member without a programme role is not."""
        return self.everywhere or self.province_id is not None

    @property
    def is_provincial(self) -> bool:
        """Acts for a whole province (provincial officer, administrator, superuser)."""
        return self.everywhere or (
            self.province_id is not None and self.district_id is None
        )

    @property
    def is_district(self) -> bool:
        return self.district_id is not None

    @property
    def province(self) -> AdministrativeUnit | None:
        if self.province_id is None:
            return None
        unit = self.user.jurisdiction
        return unit if unit.pk == self.province_id else unit.province

    @property
    def district(self) -> AdministrativeUnit | None:
        return self.user.jurisdiction if self.district_id is not None else None

    # May the user act on a record of ... -------------------------------------------

    def acts_for_district(self, district_id: int | None) -> bool:
        """The district's own OCOP officer: registers its producers and products and
        compiles its dossiers. Nobody else does that work, the province included."""
        return self.district_id is not None and self.district_id == district_id

    def acts_for_province(self, province_id: int | None) -> bool:
        """A provincial officer or administrator of that province, or a superuser:
        reviews dossiers, sets plans, revokes certificates."""
        if self.everywhere:
            return True
        return (
            self.district_id is None
            and self.province_id is not None
            and self.province_id == province_id
        )

    def works_in_province(self, province_id: int | None) -> bool:
        """Acts for the province or for one of its districts."""
        return self.everywhere or (
            self.province_id is not None and self.province_id == province_id
        )

    # Querysets -------------------------------------------------------------------------

    def q(self, *, district: str, province: str) -> Q:
        """A filter keeping the rows the user reads: a district officer their
        district's, a provincial officer their province's, a superuser all.

        `district` and `province` are lookups from the model to its district unit and
        its province unit, e.g. district="district", province="district__parent".
        """
        if self.everywhere:
            return Q()
        if self.district_id is not None:
            return Q(**{district: self.district_id})
        if self.province_id is not None:
            return Q(**{province: self.province_id})
        return NOTHING

    def province_q(self, province: str) -> Q:
        """A filter keeping the rows of the province the user works in: documents of
        the whole province (plans, trainings) that its district officers read too."""
        if self.everywhere:
            return Q()
        if self.province_id is not None:
            return Q(**{province: self.province_id})
        return NOTHING

    def districts(self) -> QuerySet:
        """The districts the user may filter by: the province's for a provincial
        user, none for a district officer (their list is one district)."""
        units = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT)
        if not self.is_provincial:
            return units.none()
        if self.province_id is not None:
            units = units.filter(parent=self.province_id)
        return units.order_by("code")

    def communes(self) -> QuerySet:
        """The communes the user acts for: their district's, or the province's."""
        units = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        if self.district_id is not None:
            return units.filter(parent=self.district_id).order_by("name")
        if self.province_id is not None:
            units = units.filter(parent__parent=self.province_id)
        elif not self.everywhere:
            return units.none()
        return units.select_related("parent").order_by("parent__code", "name")


def jurisdiction_of(user) -> Jurisdiction:
    """Where `user` acts as an OCOP officer (anonymous and inactive users: nowhere)."""
    if not user.is_authenticated or not user.is_active:
        return Jurisdiction(user=user)
    unit = user.jurisdiction if user.jurisdiction_id else None
    if user.is_superuser:
        return Jurisdiction(
            user=user,
            province_id=_province_id(unit),
            district_id=None,
            everywhere=True,
        )
    if unit is None:
        return Jurisdiction(user=user)
    if user.role == Role.DISTRICT_OFFICER:
        return Jurisdiction(user=user, province_id=unit.parent_id, district_id=unit.pk)
    if user.role in (Role.PROVINCIAL_OFFICER, Role.ADMINISTRATOR):
        return Jurisdiction(user=user, province_id=unit.pk)
    return Jurisdiction(user=user)


def _province_id(unit: AdministrativeUnit | None) -> int | None:
    if unit is None:
        return None
    return unit.pk if unit.level == UnitLevel.PROVINCE else unit.province.pk


def district_officers(
    *, district_id: int | None = None, province_id: int | None = None
) -> QuerySet:
    """The active users who act as district OCOP officers, of one district or of the
    districts of one province (the inverse question: who is told about a district's
    certificates, who counts among the officers to train). Their district is their
    `jurisdiction`."""
    officers = User.objects.filter(role=Role.DISTRICT_OFFICER, is_active=True)
    if district_id is not None:
        officers = officers.filter(jurisdiction_id=district_id)
    if province_id is not None:
        officers = officers.filter(jurisdiction__parent_id=province_id)
    return officers
