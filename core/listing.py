"""List pages: filters (django-filter), sorting, numbered pages, the Excel link.

A list view builds its FilterSet on `request.GET` and the user's scoped queryset, and
pages `filterset.qs`:

    filters = ProducerFilter(request.GET, queryset=Producer.objects.visible_to(user),
                             request=request)
    page_obj = paginate(request, filters.qs)

A bad value in a bookmarked URL (an unknown status, "abc" for a year) is ignored
rather than answered with an error: django-filter applies only the fields that
validate.
"""

import django_filters

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (the last one for a number past the end, the first for
    anything that is not a number), with `page_numbers`: the numbers to link, "…"
    where a run is left out (1 … 4 5 6 7 8 … 40)."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.page_numbers = list(
        paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    page.ellipsis = Paginator.ELLIPSIS
    return page


def export_url(request: HttpRequest, path: str | None = None) -> str:
    """The Excel download of the list as filtered and sorted: `path` (an export view
    of its own) with the list's query, or the list's own URL with export=xlsx."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    if path is None:
        path = request.path
        query["export"] = "xlsx"
    return f"{path}?{query.urlencode()}" if query else path


def list_context(
    request: HttpRequest, filters: "ListFilterSet", *, export_path: str | None = None
) -> dict:
    """What every list template takes: the filter bar, the page of filtered rows and
    the Excel link (see export_url for `export_path`)."""
    return {
        "filter_form": filters.form,
        "page_obj": paginate(request, filters.qs),
        "export_url": export_url(request, export_path),
    }


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def _style(field: forms.Field) -> None:
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input js-autosubmit"
    elif isinstance(widget, forms.Select):
        css = "form-select form-select-sm js-autosubmit"
    else:
        css = "form-control form-control-sm"
    widget.attrs["class"] = css


class NumberChoiceFilter(django_filters.TypedChoiceFilter):
    """A choice of ids or years (whole numbers), with a blank choice labelled
    `empty_label` ("All districts") before the `choices` the FilterSet sets."""

    def __init__(self, *args, empty_label="", **kwargs):
        super().__init__(*args, coerce=int, empty_value=None, **kwargs)
        self.empty_label = empty_label

    def set_choices(self, choices: list) -> None:
        self.extra["choices"] = [("", self.empty_label), *choices]


class ListFilterSet(django_filters.FilterSet):
    """Base of every list's filters: a search box (the queryset's `search`) and a sort
    order chosen from `SORTS` (key → (label, order_by fields)); the first key is the
    default. Subclasses add their own filters; `request` gives the user for choices
    scoped to their jurisdiction."""

    SORTS: dict[str, tuple[str, tuple]] = {}
    # The filters in the order the bar shows them (declared order otherwise).
    field_order: list[str] = []

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), method="filter_nothing", empty_label=None
    )

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        if self.SORTS:
            self.filters["sort"].extra["choices"] = [
                (key, label) for key, (label, _fields) in self.SORTS.items()
            ]
        else:
            del self.filters["sort"]

    @property
    def user(self):
        return self.request.user

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            if self.field_order:
                form.order_fields(self.field_order)
            for field in form.fields.values():
                _style(field)
        return self._form

    def value(self, name: str):
        """The cleaned value of one filter; None when absent or invalid."""
        self.form.is_valid()
        return self.form.cleaned_data.get(name)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_nothing(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The sort is applied last, in filter_queryset, whatever was chosen.
        return queryset

    def ordering(self) -> tuple:
        key = self.value("sort") or next(iter(self.SORTS))
        return self.SORTS[key][1]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.SORTS:
            queryset = queryset.order_by(*self.ordering())
        return queryset
