import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from core.states import StatusTransitions
from producers.models import Producer
from regions.models import AdministrativeUnit
from regions.text import fold, search_terms

# Classification ---------------------------------------------------------------------


class Classification(models.Model):
    """A legal product classification: 148/QĐ-TTg (2023) or 1048/QĐ-TTg (2019)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    decision = models.CharField(_("legal basis"), max_length=60)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["-effective_from"]

    def __str__(self):
        return self.decision


class ProductGroup(models.Model):
    """One of the top-level groups of a classification (148: 6 groups, I–VI)."""

    classification = models.ForeignKey(
        Classification, on_delete=models.PROTECT, related_name="groups"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["classification", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "code"], name="products_group_code_unique"
            )
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"


class ProductSet(models.Model):
    """A product set (bộ sản phẩm): the unit a criteria sheet is written for."""

    classification = models.ForeignKey(
        Classification, on_delete=models.PROTECT, related_name="sets"
    )
    group = models.ForeignKey(
        ProductGroup, on_delete=models.PROTECT, related_name="sets"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    subgroup_code = models.CharField(_("subgroup code"), max_length=10, blank=True)
    subgroup_name = models.CharField(_("subgroup"), max_length=200, blank=True)
    ministry = models.CharField(_("managing ministry"), max_length=200, blank=True)
    requires_samples = models.BooleanField(_("product samples required"), default=True)

    class Meta:
        verbose_name = _("product set")
        verbose_name_plural = _("product sets")
        ordering = ["classification", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "number"], name="products_set_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class DocumentType(models.Model):
    """A kind of document in a dossier's checklist; required for some product sets."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    required_for_sets = models.ManyToManyField(
        ProductSet,
        verbose_name=_("required for"),
        blank=True,
        related_name="required_documents",
    )

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


# Products ---------------------------------------------------------------------------


class ProductQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProductQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="district", commune="commune")
        )

    def active(self) -> "ProductQuerySet":
        return self.filter(archived_at__isnull=True)

    def search(self, query: str) -> "ProductQuerySet":
        """Every word must appear in the product's name or code, or in its producer's
        name, tax code or representative (diacritics and case ignored)."""
        condition = Q()
        for term in search_terms(query):
            condition &= Q(search_text__contains=term) | Q(
                producer__search_text__contains=term
            )
        return self.filter(condition)


class Product(models.Model):
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("producer"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    name = models.CharField(_("product name"), max_length=255)
    product_set = models.ForeignKey(
        ProductSet,
        verbose_name=_("product set"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    code = models.CharField(
        _("product code"), max_length=40, unique=True, editable=False
    )
    # Where the product is made, fixed when it is registered: the code says so, and a 2021
    # product stays reportable by its 2021 district after later reforms.
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    # The star of the product's active certificate; written only by the evaluations
    # services in the transaction that issues, supersedes, expires or revokes it.
    current_stars = models.PositiveSmallIntegerField(
        _("current stars"), null=True, blank=True, editable=False
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    archived_at = models.DateTimeField(
        _("archived at"), null=True, blank=True, editable=False
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_stars__isnull=True)
                | Q(current_stars__range=(3, 5)),
                name="products_product_current_stars_certified",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "name"]),
            # The province-wide list is ordered by name: walk this index, sort nothing.
            models.Index(fields=["name", "id"], name="products_product_name_order"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The producer's words are searched on the producer's own row, so renaming a
        # producer needs no update here.
        self.search_text = fold(" ".join([self.name, self.code]))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("products:product-detail", args=[self.pk])

    @property
    def province_pk(self) -> int:
        """The province the product was registered in."""
        return self.district.parent_id if self.district_id else self.commune.parent_id


class ProductCodeSequence(models.Model):
    """The last product sequence number used in a commune and year.

    Incremented under a row lock in the transaction that creates the product, so two
    officers registering at once get two numbers and a rolled-back registration gives
    its number back.
    """

    commune = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year"], name="products_code_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.commune.code}/{self.year}: {self.last_value}"


def _private_upload_to(prefix: str):
    def upload_to(instance, filename):
        # Random names: nothing of the user's file name reaches the file system.
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return f"private/{prefix}/{uuid.uuid4().hex}.{extension}"

    return upload_to


def photo_upload_to(instance, filename):
    return _private_upload_to("photos")(instance, filename)


def document_upload_to(instance, filename):
    return _private_upload_to("documents")(instance, filename)


class ProductPhoto(models.Model):
    """A product photo, re-encoded on upload (EXIF and anything hidden dropped)."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_upload_to)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or f"{self.product} #{self.pk}"


# Dossiers ---------------------------------------------------------------------------


class DossierKind(models.TextChoices):
    NEW = "new", _("New product")
    RERATING = "rerating", _("Re-rating")
    UPGRADE = "upgrade", _("Upgrade")


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for supplement")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", _("Accepted")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    FORWARDED = "forwarded", _("Forwarded to the next level")
    DECIDED = "decided", _("Decided")


class EvaluationLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class DossierQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DossierQuerySet":
        return self.filter(
            jurisdiction_of(user).q(district="district", commune="product__commune")
        )

    def search(self, query: str) -> "DossierQuerySet":
        condition = Q()
        for term in search_terms(query):
            condition &= Q(product__search_text__contains=term) | Q(
                product__producer__search_text__contains=term
            )
        return self.filter(condition)


class Dossier(StatusTransitions, models.Model):
    """One application of a product to one year's evaluation (hồ sơ)."""

    # The only legal moves; anything else raises InvalidTransition. A provincial council
    # may send a product back to the district level (FORWARDED/UNDER_EVALUATION →
    # UNDER_EVALUATION at a lower level), which the evaluations services record.
    TRANSITIONS = {
        DossierStatus.DRAFT: {DossierStatus.SUBMITTED},
        DossierStatus.SUBMITTED: {DossierStatus.RETURNED, DossierStatus.ACCEPTED},
        DossierStatus.RETURNED: {DossierStatus.RESUBMITTED},
        DossierStatus.RESUBMITTED: {DossierStatus.RETURNED, DossierStatus.ACCEPTED},
        DossierStatus.ACCEPTED: {DossierStatus.UNDER_EVALUATION},
        DossierStatus.UNDER_EVALUATION: {
            DossierStatus.ACCEPTED,
            DossierStatus.FORWARDED,
            DossierStatus.DECIDED,
        },
        DossierStatus.FORWARDED: {
            DossierStatus.UNDER_EVALUATION,
            DossierStatus.DECIDED,
        },
    }
    # Statuses in which the district officer may still change documents and fields.
    EDITABLE = {DossierStatus.DRAFT, DossierStatus.RETURNED}
    # Statuses in which the province reviews the dossier (returns or accepts it).
    # UNDER_EVALUATION → ACCEPTED is a withdrawal from a round, not an acceptance.
    AWAITING_REVIEW = {DossierStatus.SUBMITTED, DossierStatus.RESUBMITTED}

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=DossierKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DossierStatus.choices,
        default=DossierStatus.DRAFT,
    )
    level = models.CharField(
        _("evaluation level"),
        max_length=10,
        choices=EvaluationLevel.choices,
        blank=True,
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous dossier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    self_assessment_score = models.DecimalField(
        _("self-assessment score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    district = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "year"], name="products_dossier_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DossierStatus.values),
                name="products_dossier_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DossierKind.values),
                name="products_dossier_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(self_assessment_score__isnull=True)
                | Q(self_assessment_score__range=(0, 100)),
                name="products_dossier_self_assessment_range",
            ),
        ]
        indexes = [models.Index(fields=["district", "year", "status"])]

    def __str__(self):
        return f"{self.product} ({self.year})"

    def get_absolute_url(self):
        return reverse("products:dossier-detail", args=[self.pk])

    @property
    def province_pk(self) -> int:
        """The province of the dossier's product."""
        return self.product.province_pk

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def awaits_review(self) -> bool:
        return self.status in self.AWAITING_REVIEW


class DossierDocument(models.Model):
    """One uploaded file of a dossier's checklist.

    A re-rating or upgrade dossier starts with rows pointing at the previous dossier's
    files (`copied_from`): the bytes are shared, never copied, and never deleted.
    """

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="documents"
    )
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=255, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["document_type__position", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
