from accounts.models import Role


def is_district_officer_of(user, district_id: int) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.DISTRICT_OFFICER
        and user.jurisdiction_id == district_id
    )


def can_register_products(user, producer) -> bool:
    return (
        is_district_officer_of(user, producer.district_id)
        and producer.archived_at is None
    )


def can_edit_product(user, product) -> bool:
    return (
        is_district_officer_of(user, product.district_id)
        and product.archived_at is None
    )


def can_edit_dossier(user, dossier) -> bool:
    """The district officer changes fields and documents while the dossier is with them."""
    return is_district_officer_of(user, dossier.district_id) and dossier.is_editable


def can_review_dossier(user, dossier) -> bool:
    """Provincial officers return dossiers for supplement and accept them."""
    return (
        user.is_authenticated
        and user.is_provincial
        and (user.is_superuser or dossier.district.parent_id == user.jurisdiction_id)
    )
