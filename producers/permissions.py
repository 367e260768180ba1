from accounts.models import Role


def can_register_producers(user) -> bool:
    """District officers register producers of their own district."""
    return user.is_authenticated and user.role == Role.DISTRICT_OFFICER


def can_edit_producer(user, producer) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.DISTRICT_OFFICER
        and producer.district_id == user.jurisdiction_id
        and producer.archived_at is None
    )
