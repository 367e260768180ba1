"""Who may do what with products and dossiers. Scope comes first (`visible_to`); these
answer "in scope, but allowed?". Who acts where is accounts.jurisdiction's answer."""

from accounts.jurisdiction import jurisdiction_of


def is_officer_of_district(user, district_id: int) -> bool:
    """The district's own OCOP officer, who compiles its dossiers."""
    return jurisdiction_of(user).acts_for_district(district_id)


def can_register_products(user, producer) -> bool:
    return (
        is_officer_of_district(user, producer.district_id)
        and producer.archived_at is None
    )


def can_edit_product(user, product) -> bool:
    return (
        is_officer_of_district(user, product.district_id)
        and product.archived_at is None
    )


def can_edit_dossier(user, dossier) -> bool:
    """The district officer changes fields and documents while the dossier is with them."""
    return can_compile_dossier(user, dossier) and dossier.is_editable


def can_compile_dossier(user, dossier) -> bool:
    """The district's officer compiles the dossier, submits it and answers returns
    (whatever its status; can_edit_dossier adds "while it is with them")."""
    return is_officer_of_district(user, dossier.district_id)


def can_review_dossier(user, dossier) -> bool:
    """Provincial officers of the dossier's province return it for supplement and
    accept it."""
    return jurisdiction_of(user).acts_for_province(dossier.district.parent_id)


def can_import_records(user, district) -> bool:
    """Records from before the portal: the officers of the district's province."""
    return jurisdiction_of(user).acts_for_province(district.parent_id)
