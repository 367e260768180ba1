"""List filters of products and dossiers."""

import django_filters

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.listing import NumberChoiceFilter
from producers.filters import PlaceFilterSet

from .models import Dossier, DossierKind, DossierStatus, ProductGroup, ProductSet


def set_choices() -> list:
    """Product sets grouped by legal basis, the newest basis first."""
    sets = ProductSet.objects.select_related("group", "classification").order_by(
        "-classification__effective_from", "number"
    )
    groups: dict[str, list] = {}
    for product_set in sets:
        groups.setdefault(product_set.classification.decision, []).append(
            (product_set.pk, str(product_set))
        )
    return list(groups.items())


def group_choices() -> list:
    groups: dict[str, list] = {}
    for group in ProductGroup.objects.select_related("classification").order_by(
        "-classification__effective_from", "pk"
    ):
        groups.setdefault(group.classification.decision, []).append(
            (group.pk, str(group))
        )
    return list(groups.items())


def year_choices(user) -> list:
    """The years of the dossiers the user sees, newest first."""
    years = (
        Dossier.objects.visible_to(user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return [(year, year) for year in years]


class ProductFilter(PlaceFilterSet):
    SORTS = {
        "name": (_("Name A–Z"), ("name", "pk")),
        "-name": (_("Name Z–A"), ("-name", "-pk")),
        "code": (_("Product code"), ("code",)),
        "-created": (_("Newest first"), ("-created_at", "-pk")),
        "-stars": (
            _("Most stars"),
            (F("current_stars").desc(nulls_last=True), "name", "pk"),
        ),
        "producer": (_("Producer"), ("producer__name", "name", "pk")),
    }

    group = NumberChoiceFilter(
        label=_("Product group"),
        field_name="product_set__group",
        empty_label=_("All groups"),
    )
    product_set = NumberChoiceFilter(
        label=_("Product set"),
        field_name="product_set",
        empty_label=_("All product sets"),
    )
    stars = django_filters.ChoiceFilter(
        label=_("Stars"),
        method="filter_stars",
        empty_label=_("Any stars"),
        choices=[
            ("5", "★★★★★"),
            ("4", "★★★★"),
            ("3", "★★★"),
            ("none", _("No certificate")),
        ],
    )
    year = NumberChoiceFilter(
        label=_("Dossier year"), method="filter_year", empty_label=_("Any year")
    )

    field_order = [
        "q",
        "district",
        "commune",
        "group",
        "product_set",
        "stars",
        "year",
        "sort",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].set_choices(group_choices())
        self.filters["product_set"].set_choices(set_choices())
        self.filters["year"].set_choices(year_choices(self.user))

    def filter_stars(self, queryset, name, value):
        if value == "none":
            return queryset.filter(current_stars__isnull=True)
        return queryset.filter(current_stars=int(value))

    def filter_year(self, queryset, name, value):
        return queryset.filter(
            pk__in=Dossier.objects.filter(year=value).values("product")
        )


class DossierFilter(PlaceFilterSet):
    SORTS = {
        "-year": (_("Newest year first"), ("-year", "product__name", "pk")),
        "product": (_("Product A–Z"), ("product__name", "-year", "pk")),
        "status": (_("Status"), ("status", "-year", "pk")),
        "-submitted": (
            _("Last submitted first"),
            (F("submitted_at").desc(nulls_last=True), "-pk"),
        ),
        "-updated": (_("Last changed first"), ("-updated_at", "-pk")),
    }

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DossierStatus.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=DossierKind.choices, empty_label=_("Any kind")
    )
    year = NumberChoiceFilter(
        label=_("Year"), field_name="year", empty_label=_("Any year")
    )
    product_set = NumberChoiceFilter(
        label=_("Product set"),
        field_name="product__product_set",
        empty_label=_("All product sets"),
    )

    # A dossier's place is its product's.
    PLACE = "product__"

    field_order = [
        "q",
        "district",
        "commune",
        "status",
        "kind",
        "year",
        "product_set",
        "sort",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].set_choices(year_choices(self.user))
        self.filters["product_set"].set_choices(set_choices())
