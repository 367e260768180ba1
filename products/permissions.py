"""Who may do what with products and dossiers. Scope comes first (`visible_to`); these
answer "in scope, but allowed?". Who acts where is accounts.jurisdiction's answer."""

from accounts.jurisdiction import jurisdiction_of


def is_local_officer_of(user, record) -> bool:
    """The local OCOP officer of a producer's, product's or dossier's place (its
    district's until 30/6/2025, its commune's, or its successor's, since), who
    compiles its dossiers."""
    commune_id = getattr(record, "commune_id", None)
    if commune_id is None:
        commune_id = record.product.commune_id
    return jurisdiction_of(user).acts_for_place(
        commune_id=commune_id, district_id=record.district_id
    )


def can_register_products(user, producer) -> bool:
    return is_local_officer_of(user, producer) and producer.archived_at is None


def can_edit_product(user, product) -> bool:
    return is_local_officer_of(user, product) and product.archived_at is None


def can_edit_dossier(user, dossier) -> bool:
    """The local officer changes fields and documents while the dossier is with them."""
    return can_compile_dossier(user, dossier) and dossier.is_editable


def can_compile_dossier(user, dossier) -> bool:
    """The local officer compiles the dossier, submits it and answers returns
    (whatever its status; can_edit_dossier adds "while it is with them")."""
    return is_local_officer_of(user, dossier)


def can_check_at_commune(user, dossier) -> bool:
    """The officer of the commune that received the dossier checks and proposes it
    (Điều 7.2 of 26/2026/QĐ-TTg)."""
    return dossier.commune_id is not None and jurisdiction_of(user).acts_for_place(
        commune_id=dossier.commune_id, district_id=None
    )


def can_review_dossier(user, dossier) -> bool:
    """Provincial officers of the dossier's province return it for supplement and
    accept it."""
    return jurisdiction_of(user).acts_for_province(dossier.province_pk)


def can_import_records(user, record) -> bool:
    """Records from before the portal: the officers of the record's province."""
    return jurisdiction_of(user).acts_for_province(record.province_pk)
