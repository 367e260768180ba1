"""Products: registered by the local officer, coded by place and year, with photos."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from producers.models import Producer
from regions.models import AdministrativeUnit
from regions.text import fold, search_terms

from .catalogue import ProductSet

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
    def area(self):
        """The district the product was registered in, or its commune since the
        two-tier reform."""
        return self.district or self.commune

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
