"""Pieces the producer, product and dossier lists share: who may open a list, the
district and commune choices of the user's jurisdiction, sorting and pagination."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from regions.models import AdministrativeUnit, UnitLevel

PAGE_SIZE = 25


def require_programme_role(user) -> None:
    """Producer, product and dossier lists are for OCOP officers. A council member
    without a programme role reaches dossiers through their rounds instead: 403."""
    if not (user.role or user.is_superuser):
        raise PermissionDenied


def paginate(request, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def districts_for(user) -> QuerySet:
    """The districts a provincial user filters by (none for a district officer)."""
    if not user.is_provincial:
        return AdministrativeUnit.objects.none()
    districts = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT)
    if user.jurisdiction_id:
        districts = districts.filter(parent=user.jurisdiction_id)
    return districts.order_by("code")


def communes_for(user) -> QuerySet:
    """Communes of the user's jurisdiction: their district, or the whole province."""
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    if user.is_district_officer:
        return communes.filter(parent=user.jurisdiction_id).order_by("name")
    if user.is_provincial and user.jurisdiction_id:
        communes = communes.filter(parent__parent=user.jurisdiction_id)
    elif not user.is_provincial:
        return communes.none()
    return communes.select_related("parent").order_by("parent__code", "name")


def grouped_commune_choices(user, blank_label) -> list:
    """Commune choices, grouped by district when the user sees more than one."""
    choices = [("", blank_label)]
    if user.is_district_officer:
        return choices + [(c.pk, c.name) for c in communes_for(user)]
    groups: dict[str, list] = {}
    for commune in communes_for(user):
        groups.setdefault(commune.parent.name, []).append((commune.pk, commune.name))
    return choices + list(groups.items())


class ListFilterForm(forms.Form):
    """Base of the list filter forms: a search box, district and commune (scoped to
    the user), and a sort order from `SORTS` (key → order_by fields)."""

    SORTS: dict[str, tuple[str, tuple]] = {}

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("All districts"),
    )
    commune = forms.TypedChoiceField(
        label=_("Commune"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        if user.is_provincial:
            self.fields["district"].queryset = districts_for(user)
        else:
            del self.fields["district"]
        self.fields["commune"].choices = grouped_commune_choices(
            user, _("All communes")
        )
        self.fields["sort"].choices = [
            (key, label) for key, (label, _fields) in self.SORTS.items()
        ]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm js-autosubmit"
            elif isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input js-autosubmit"
            else:
                css = "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def value(self, name):
        """The cleaned value; None when that field's entry is invalid or absent (a
        bad value in a bookmarked URL is ignored rather than answered with an error)."""
        self.is_valid()
        return self.cleaned_data.get(name)

    def ordering(self) -> tuple:
        key = self.value("sort") or next(iter(self.SORTS))
        return self.SORTS[key][1]

    def filter_place(self, queryset: QuerySet) -> QuerySet:
        """Apply the search box, district and commune (valid values only)."""
        if query := self.value("q"):
            queryset = queryset.search(query)
        if district := self.value("district"):
            queryset = queryset.filter(district=district)
        if commune := self.value("commune"):
            queryset = queryset.filter(commune=commune)
        return queryset
