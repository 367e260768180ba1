"""Who may do what in plans. Scope comes first (`visible_to`); these predicates answer
"in scope, but allowed?". Who acts where is accounts.jurisdiction's answer."""

from django.db.models import QuerySet

from accounts.jurisdiction import acting_day_in, jurisdiction_of
from core import clock
from regions.models import UnitLevel


def can_view_dashboard(user, year: int | None = None) -> bool:
    """OCOP officers: the province's or their district's numbers; of a past year, those
    who acted for the province or district then."""
    day = clock.today() if year is None else acting_day_in(user, year)
    return jurisdiction_of(user, day).province_id is not None


def can_view_plans(user) -> bool:
    return can_view_dashboard(user)


def _manages(user, province_id: int | None) -> bool:
    """A provincial officer of the province; with no record yet, of a province of
    their own (where the new record goes)."""
    reach = jurisdiction_of(user)
    if province_id is None:
        return reach.is_provincial and reach.province_id is not None
    return reach.acts_for_province(province_id)


def can_manage_plans(user, plan=None) -> bool:
    """Provincial officers set their province's plans and targets."""
    return _manages(user, plan.province_id if plan else None)


def can_manage_trainings(user, training=None) -> bool:
    return _manages(user, training.province_id if training else None)


def attendance_areas(user, training) -> QuerySet:
    """The areas whose attendees the user records at the training: any of its areas
    (the province's districts until 30/6/2025, its communes since) for a provincial
    officer of its province; their own district or commune(s) for a local officer."""
    reach = jurisdiction_of(user)
    areas = training.areas()
    if reach.acts_for_province(training.province_id):
        return areas
    if not reach.is_local or not reach.works_in_province(training.province_id):
        return areas.none()
    return areas.filter(pk__in=[*reach.acting.districts, *reach.acting.communes])


def can_record_attendance(user, training) -> bool:
    """Provincial officers for any district or commune of the training; district
    officers for their own district at a training held until 30/6/2025, commune
    officers for their own commune(s) at a training held since."""
    reach = jurisdiction_of(user)
    if reach.acts_for_province(training.province_id):
        return True
    return attendance_areas(user, training).exists()


def can_record_attendee(user, area) -> bool:
    """Whether the user may record an attendee counted for this district or commune:
    their own, or any for a provincial officer (the training's province is checked
    by the service)."""
    reach = jurisdiction_of(user)
    if area is None:
        return False
    if reach.is_provincial:
        return True
    return reach.acts_for_place(
        district_id=area.pk if area.level == UnitLevel.DISTRICT else None,
        commune_id=area.pk if area.level == UnitLevel.COMMUNE else None,
    )


def can_remove_attendance(user, attendance) -> bool:
    reach = jurisdiction_of(user)
    return reach.acts_for_province(attendance.event.province_id) or (
        reach.acts_for_place(
            district_id=attendance.district_id, commune_id=attendance.commune_id
        )
    )


def can_manage_sales_points(user, point=None) -> bool:
    return _manages(user, point.commune.province.pk if point else None)
