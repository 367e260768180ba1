"""The legal classification of products (1048/QĐ-TTg, 148/QĐ-TTg): groups, product
sets, and the documents a dossier needs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
