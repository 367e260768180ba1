"""List filters of evaluation rounds."""

import django_filters

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet

from .models import RoundStatus


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
