"""Who may do what with producers. Who acts where is accounts.jurisdiction's answer."""

from accounts.jurisdiction import jurisdiction_of


def can_register_producers(user) -> bool:
    """District officers register producers of their own district."""
    return jurisdiction_of(user).is_district


def can_register_in_commune(user, commune) -> bool:
    return jurisdiction_of(user).acts_for_district(commune.parent_id)


def can_edit_producer(user, producer) -> bool:
    return (
        jurisdiction_of(user).acts_for_district(producer.district_id)
        and producer.archived_at is None
    )


def can_view_programme_lists(user) -> bool:
    """Producer, product and dossier lists are for OCOP officers. A council member
    without a programme role reaches dossiers through their rounds instead."""
    return jurisdiction_of(user).is_officer
