"""List filters of evaluation rounds."""

import django_filters

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.listing import ListFilterSet, NumberChoiceFilter
from producers.filters import PlaceFilterSet
from products.filters import set_choices
from products.models import Product

from .models import CertificateStatus, RoundStatus


class RoundFilter(ListFilterSet):
    year = django_filters.NumberFilter(
        label=_("Year"),
        field_name="year",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"min": 2019, "max": 2100}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RoundStatus.choices, empty_label=_("All")
    )

    field_order = ["q", "year", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].extra["widget"] = forms.TextInput(
            attrs={"type": "search", "placeholder": _("Round or council name")}
        )

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(council__name__icontains=value)
        )


class CertificateFilter(PlaceFilterSet):
    """The certificate register: by status as of today, year, stars, place (across
    the reform) and product set."""

    PLACE = "product__"
    SORTS = {
        "-valid_from": (_("Newest first"), ("-valid_from", "-number")),
        "number": (_("Certificate number"), ("number",)),
        "product": (_("Product A–Z"), ("product__name", "-valid_from", "pk")),
        "-stars": (_("Most stars"), ("-stars", "product__name", "pk")),
        "valid_until": (_("Ending soonest"), ("valid_until", "number")),
    }

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        empty_label=_("Any status"),
        choices=[
            ("in_force", _("In force")),
            ("expired", _("Expired")),
            (CertificateStatus.SUPERSEDED, CertificateStatus.SUPERSEDED.label),
            (CertificateStatus.REVOKED, CertificateStatus.REVOKED.label),
        ],
    )
    year = NumberChoiceFilter(
        label=_("Year"), field_name="year", empty_label=_("Any year")
    )
    stars = django_filters.ChoiceFilter(
        label=_("Stars"),
        field_name="stars",
        empty_label=_("Any stars"),
        choices=[("5", "★★★★★"), ("4", "★★★★"), ("3", "★★★")],
    )
    product_set = NumberChoiceFilter(
        label=_("Product set"),
        field_name="product__product_set",
        empty_label=_("All product sets"),
    )

    field_order = [
        "q",
        "status",
        "year",
        "stars",
        "district",
        "commune",
        "product_set",
        "sort",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].extra["widget"] = forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Certificate number, product, producer or code"),
            }
        )
        self.filters["year"].set_choices(
            [
                (year, year)
                for year in self.queryset.order_by("-year")
                .values_list("year", flat=True)
                .distinct()
            ]
        )
        self.filters["product_set"].set_choices(set_choices())

    def filter_search(self, queryset, name, value):
        # Products and producers as their lists search them (no diacritics needed).
        products = Product.objects.search(value).values("pk")
        return queryset.filter(
            Q(number__icontains=value.strip()) | Q(product__in=products)
        )

    def filter_status(self, queryset, name, value):
        today = clock.today()
        if value == "in_force":
            return queryset.filter(
                status=CertificateStatus.ACTIVE, valid_until__gte=today
            )
        if value == "expired":
            return queryset.filter(
                Q(status=CertificateStatus.EXPIRED)
                | Q(status=CertificateStatus.ACTIVE, valid_until__lt=today)
            )
        return queryset.filter(status=value)
