"""Who may do what in plans. Scope comes first (`visible_to`); these predicates answer
"in scope, but allowed?". Who acts where is accounts.jurisdiction's answer."""

from accounts.jurisdiction import jurisdiction_of


def can_view_dashboard(user) -> bool:
    """OCOP officers: the province's or their district's numbers."""
    reach = jurisdiction_of(user)
    return reach.province_id is not None


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


def can_record_attendance(user, training) -> bool:
    """Provincial officers for any district; district officers for their own."""
    return jurisdiction_of(user).works_in_province(training.province_id)


def can_record_attendee(user, district_id: int | None) -> bool:
    """Whether the user may record an attendee of this district: their own district,
    or any district for a provincial officer."""
    reach = jurisdiction_of(user)
    if reach.is_provincial:
        return district_id is not None
    return reach.acts_for_district(district_id)


def can_remove_attendance(user, attendance) -> bool:
    reach = jurisdiction_of(user)
    return reach.acts_for_province(attendance.event.province_id) or (
        reach.acts_for_district(attendance.district_id)
    )


def can_manage_sales_points(user, point=None) -> bool:
    return _manages(user, point.commune.province.pk if point else None)
