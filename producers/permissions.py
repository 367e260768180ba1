"""Who may do what with producers. Who acts where is accounts.jurisdiction's answer."""

from accounts.jurisdiction import jurisdiction_of


def can_register_producers(user) -> bool:
    """The local officers (of a district until 30/6/2025, of communes since) register
    the producers of their units."""
    return jurisdiction_of(user).is_local


def can_register_in_commune(user, commune) -> bool:
    """A commune the user acts for (a former commune counts for the officer of the
    unit that succeeded it; whether it still exists is the service's check)."""
    return jurisdiction_of(user).acts_for_place(
        commune_id=commune.pk, district_id=commune.parent_id
    )


def can_edit_producer(user, producer) -> bool:
    return (
        jurisdiction_of(user).acts_for_place(
            commune_id=producer.commune_id, district_id=producer.district_id
        )
        and producer.archived_at is None
    )


def can_view_programme_lists(user) -> bool:
    """Producer, product and dossier lists are for OCOP officers (a former district's
    officer reads theirs). A council member without a mandate reaches dossiers
    through their rounds instead."""
    return jurisdiction_of(user).is_officer
