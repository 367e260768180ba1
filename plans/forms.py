from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from regions.choices import grouped_by_parent
from regions.models import AdministrativeUnit
from regions.text import fold

from . import indicators
from .models import Plan, SalesPoint, Target, TrainingAudience, TrainingEvent
from .services import PLAN_FIELDS, SALES_POINT_FIELDS, TARGET_FIELDS, TRAINING_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = PLAN_FIELDS
        widgets = {"issued_on": DATE_WIDGET}
        help_texts = {
            "number": _("As on the document, e.g. 122/KH-UBND."),
            "lead_agency": _("The agency that leads the programme in the province."),
        }

    def clean_number(self):
        return " ".join(self.cleaned_data["number"].split())


def grouped_by_kind(units) -> list:
    """Communes of the two-tier government as select choices: they are all directly
    under the province, so grouped by kind ("Phường", "Xã"), each group sorted by
    name as Vietnamese reads it (diacritics aside: "Đạo Thạnh" among the D's)."""
    groups: dict[str, list] = {}
    for unit in sorted(units, key=lambda unit: (fold(unit.name), unit.name)):
        groups.setdefault(unit.kind, []).append((unit.pk, unit.name))
    return sorted(groups.items(), key=lambda group: fold(group[0]))


class TargetForm(forms.ModelForm):
    """A target for the whole province or one of its districts; for a plan of a year
    the province has no districts (the two-tier government), one of its communes."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=())

    class Meta:
        model = Target
        fields = TARGET_FIELDS
        labels = {"target_value": _("Target value")}
        help_texts = {
            "target_value": _("A number of products or sales points, or a percentage."),
            "district": _("Leave empty for a target of the whole province."),
            "commune": _("Leave empty for a target of the whole province."),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "---------"), *indicators.choices()]
        areas = plan.target_areas()
        if plan.by_commune:
            del self.fields["district"]
            field = self.fields["commune"]
            field.queryset = areas
            field.choices = [("", _("Whole province")), *grouped_by_kind(areas)]
        else:
            del self.fields["commune"]
            field = self.fields["district"]
            field.queryset = areas
            field.empty_label = _("Whole province")


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingEvent
        fields = TRAINING_FIELDS
        widgets = {"held_on": DATE_WIDGET}


class AttendeeAreaForm(forms.Form):
    """A provincial officer (or an officer of several communes) first picks the area
    whose attendees to list: a district of the province for a training held until
    30/6/2025 (field `district`), a commune since (field `commune`)."""

    def __init__(self, *args, training: TrainingEvent, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_field = "commune" if training.by_commune else "district"
        field = forms.ModelChoiceField(
            label=_("Commune") if training.by_commune else _("District"),
            queryset=areas,
            required=False,
            empty_label=(
                _("Choose a commune") if training.by_commune else _("Choose a district")
            ),
            widget=forms.Select(attrs={"class": "js-autosubmit"}),
        )
        if training.by_commune:
            field.choices = [("", _("Choose a commune")), *grouped_by_kind(areas)]
        self.fields[self.area_field] = field

    @property
    def area(self) -> AdministrativeUnit | None:
        """The chosen district or commune, once the form is valid."""
        return self.cleaned_data.get(self.area_field)


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one attendee.")},
    )

    def __init__(self, *args, training: TrainingEvent, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = candidates
        if training.audience == TrainingAudience.OFFICERS:
            field.label = (
                _("Commune OCOP officers who attended")
                if training.by_commune
                else _("District OCOP officers who attended")
            )
        else:
            field.label = _("Producers who attended")
            field.label_from_instance = lambda producer: (
                f"{producer.name} ({producer.registration_number})"
            )


class SalesPointForm(forms.ModelForm):
    class Meta:
        model = SalesPoint
        fields = SALES_POINT_FIELDS
        widgets = {"opened_on": DATE_WIDGET, "closed_on": DATE_WIDGET}
        help_texts = {
            "closed_on": _("Set when the point closes; it then no longer counts."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Communes of today in the user's province; a point opened in a commune that
        # has since ended keeps it.
        communes = jurisdiction_of(user).communes()
        if self.instance.commune_id:
            communes = (
                AdministrativeUnit.objects.filter(
                    Q(pk__in=communes.values("pk")) | Q(pk=self.instance.commune_id)
                )
                .select_related("parent")
                .order_by("parent__code", "name")
            )
        field = self.fields["commune"]
        field.queryset = communes
        field.choices = [("", _("Choose a commune")), *grouped_by_parent(communes)]
