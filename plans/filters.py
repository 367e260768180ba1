"""List filters of trainings and sales points."""

import django_filters

from django.utils.translation import gettext_lazy as _

from core.listing import ListFilterSet

from .models import SalesPointKind, TrainingAudience


class TrainingFilter(ListFilterSet):
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="held_on__year", min_value=2000, max_value=2100
    )
    audience = django_filters.ChoiceFilter(
        label=_("Audience"),
        choices=TrainingAudience.choices,
        empty_label=_("All audiences"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Trainings have no search box: a province holds a few a year.
        del self.filters["q"]


class SalesPointFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=SalesPointKind.choices, empty_label=_("All kinds")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["q"]
