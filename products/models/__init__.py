"""The products app's models, one module per topic; import them from here."""

from .catalogue import Classification, DocumentType, ProductGroup, ProductSet
from .dossiers import (
    AssessmentConclusion,
    CommuneAssessment,
    Dossier,
    DossierDocument,
    DossierKind,
    DossierProcess,
    DossierStatus,
    EvaluationLevel,
)
from .products import (
    Product,
    ProductCodeSequence,
    ProductPhoto,
    document_upload_to,
    photo_upload_to,
)

__all__ = [
    "AssessmentConclusion",
    "Classification",
    "CommuneAssessment",
    "DocumentType",
    "Dossier",
    "DossierDocument",
    "DossierKind",
    "DossierProcess",
    "DossierStatus",
    "EvaluationLevel",
    "Product",
    "ProductCodeSequence",
    "ProductGroup",
    "ProductPhoto",
    "ProductSet",
    "document_upload_to",
    "photo_upload_to",
]
