"""List pages: numbered pages, the Excel link, and filters that ignore bad values."""

import django_filters
import pytest

from django.test import RequestFactory

from core.listing import ListFilterSet, NumberChoiceFilter, export_url, paginate
from regions.models import AdministrativeUnit, UnitLevel


class UnitFilter(ListFilterSet):
    SORTS = {
        "code": ("Code", ("code",)),
        "-name": ("Name Z–A", ("-name", "-pk")),
    }
    level = django_filters.ChoiceFilter(choices=UnitLevel.choices)
    parent = NumberChoiceFilter(field_name="parent", empty_label="All")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = AdministrativeUnit.objects.exclude(level=UnitLevel.COMMUNE)
        self.filters["parent"].set_choices([(u.pk, u.name) for u in parents])

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


def _filter(query: str):
    request = RequestFactory().get(f"/units/?{query}")
    return UnitFilter(
        request.GET, queryset=AdministrativeUnit.objects.all(), request=request
    )


def test_valid_values_filter_and_sort(dong_thap):
    lai_vung = AdministrativeUnit.objects.get(code="876")
    units = _filter(f"level=commune&parent={lai_vung.pk}&sort=-name").qs
    assert list(units) == sorted(lai_vung.children.all(), key=lambda u: u.name)[::-1]
    assert _filter("q=lai vung").qs.filter(level=UnitLevel.DISTRICT).count() == 1


@pytest.mark.parametrize(
    "query",
    ["level=planet", "parent=abc", "parent=²", "parent=99999999999999999999", "sort=x"],
)
def test_a_bad_value_is_ignored_not_an_error(dong_thap, query):
    filters = _filter(query)
    assert filters.qs.count() == AdministrativeUnit.objects.count()
    assert list(filters.qs[:3]) == list(AdministrativeUnit.objects.order_by("code")[:3])


def test_the_filter_bar_is_styled_for_bootstrap(dong_thap):
    form = _filter("").form
    assert "form-select" in form.fields["level"].widget.attrs["class"]
    assert "js-autosubmit" in form.fields["sort"].widget.attrs["class"]
    assert form.fields["q"].widget.attrs["class"] == "form-control form-control-sm"
    assert form.fields["parent"].choices[0] == ("", "All")


def test_pages_are_numbered_with_gaps(dong_thap, rf):
    units = AdministrativeUnit.objects.order_by("code")  # 156 units: 7 pages of 25
    page = paginate(rf.get("/units/", {"page": "4"}), units)
    assert page.number == 4
    assert page.page_numbers == [1, 2, 3, 4, 5, 6, 7]
    page = paginate(rf.get("/units/", {"page": "9"}), units, per_page=10)
    assert page.page_numbers == [1, page.ellipsis, 7, 8, 9, 10, 11, page.ellipsis, 16]
    assert paginate(rf.get("/units/", {"page": "abc"}), units).number == 1
    assert paginate(rf.get("/units/", {"page": "999"}), units).number == 7


def test_export_url_keeps_the_filters_and_drops_the_page(rf):
    request = rf.get("/producers/", {"q": "sen", "page": "3", "sort": "-name"})
    assert export_url(request) == "/producers/?q=sen&sort=-name&export=xlsx"
    assert (
        export_url(request, "/producers/export/")
        == "/producers/export/?q=sen&sort=-name"
    )
    assert export_url(rf.get("/rounds/"), "/rounds/export/") == "/rounds/export/"
