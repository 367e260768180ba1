"""List filters of producers, and the place filters every programme list shares: the
districts and communes of the user's jurisdiction."""

import django_filters

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of, with_predecessors
from core.listing import ListFilterSet, NumberChoiceFilter
from regions.choices import grouped_by_parent
from regions.models import AdministrativeUnit, UnitLevel, UnitSuccession

from .models import ProducerKind


def commune_choices(user) -> list:
    """The communes the user acts for, grouped by district when there are several."""
    reach = jurisdiction_of(user)
    communes = reach.communes()
    if reach.is_district:
        return [(commune.pk, commune.name) for commune in communes]
    return grouped_by_parent(communes)


class PlaceFilterSet(ListFilterSet):
    """A list whose rows have a `district` and a `commune` (under `PLACE`, e.g. a
    dossier's product): filter by either, within the user's jurisdiction (a district
    officer's list has no district filter).

    Places read across the two-tier reform: a commune of today finds the records made
    in the communes it took over (a 2021 product of Xã Tân Phước under Xã Lai Vung);
    a former district finds its records and those made since in the communes that
    took its communes over."""

    PLACE = ""

    district = django_filters.ModelChoiceFilter(
        label=_("District"),
        queryset=AdministrativeUnit.objects.none(),
        empty_label=_("All districts"),
        method="filter_district",
    )
    commune = NumberChoiceFilter(
        label=_("Commune"), empty_label=_("All communes"), method="filter_commune"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reach = jurisdiction_of(self.user)
        if reach.is_provincial:
            self.filters["district"].queryset = reach.districts()
        else:
            del self.filters["district"]
        self.filters["commune"].set_choices(commune_choices(self.user))

    def filter_district(self, queryset, name, value):
        successors = UnitSuccession.objects.filter(
            predecessor__parent=value, predecessor__level=UnitLevel.COMMUNE
        ).values("successor")
        return queryset.filter(
            Q(**{f"{self.PLACE}district": value})
            | Q(
                **{f"{self.PLACE}district__isnull": True},
                **{f"{self.PLACE}commune__in": successors},
            )
        )

    def filter_commune(self, queryset, name, value):
        return queryset.filter(
            **{f"{self.PLACE}commune__in": with_predecessors({value})}
        )


class ProducerFilter(PlaceFilterSet):
    SORTS = {
        "name": (_("Name A–Z"), ("name", "pk")),
        "-name": (_("Name Z–A"), ("-name", "-pk")),
        "-created": (_("Newest first"), ("-created_at", "-pk")),
        "created": (_("Oldest first"), ("created_at", "pk")),
        "district": (_("District, then name"), ("district__code", "name", "pk")),
        "-products": (_("Most products"), ("-product_count", "name", "pk")),
    }

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ProducerKind.choices, empty_label=_("All kinds")
    )
    archived = django_filters.BooleanFilter(
        label=_("Show archived"),
        method="filter_archived",
        widget=forms.CheckboxInput,
    )

    field_order = ["q", "district", "commune", "kind", "sort", "archived"]

    def filter_archived(self, queryset, name, value):
        return queryset if value else queryset.active()
