"""Who may do what in plans. Scope comes first (`visible_to`); these predicates answer
"in scope, but allowed?"."""

from accounts.models import Role


def _provincial_of(user, province_id: int | None) -> bool:
    return (
        user.is_authenticated
        and user.is_provincial
        and user.jurisdiction_id is not None
        and (province_id is None or user.jurisdiction_id == province_id)
    )


def can_view_dashboard(user) -> bool:
    """OCOP officers: the province's or their district's numbers."""
    return user.is_authenticated and user.role in (
        Role.DISTRICT_OFFICER,
        Role.PROVINCIAL_OFFICER,
        Role.ADMINISTRATOR,
    )


def can_view_plans(user) -> bool:
    return can_view_dashboard(user)


def can_manage_plans(user, plan=None) -> bool:
    """Provincial officers set their province's plans and targets."""
    return _provincial_of(user, plan.province_id if plan else None)


def can_manage_trainings(user, training=None) -> bool:
    return _provincial_of(user, training.province_id if training else None)


def can_record_attendance(user, training) -> bool:
    """Provincial officers for any district; district officers for their own."""
    if _provincial_of(user, training.province_id):
        return True
    return (
        user.is_authenticated
        and user.role == Role.DISTRICT_OFFICER
        and user.jurisdiction.parent_id == training.province_id
    )


def can_remove_attendance(user, attendance) -> bool:
    if _provincial_of(user, attendance.event.province_id):
        return True
    return (
        user.is_authenticated
        and user.role == Role.DISTRICT_OFFICER
        and attendance.district_id == user.jurisdiction_id
    )


def can_manage_sales_points(user, point=None) -> bool:
    return _provincial_of(user, point.district.parent_id if point else None)
