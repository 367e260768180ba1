from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from regions.choices import grouped_by_parent
from regions.models import AdministrativeUnit, UnitLevel

from . import indicators
from .models import Plan, SalesPoint, Target, TrainingAudience, TrainingEvent
from .services import PLAN_FIELDS, SALES_POINT_FIELDS, TARGET_FIELDS, TRAINING_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def districts_of(province_id: int):
    return AdministrativeUnit.objects.filter(
        parent_id=province_id, level=UnitLevel.DISTRICT
    ).order_by("code")


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


class TargetForm(forms.ModelForm):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=())

    class Meta:
        model = Target
        fields = TARGET_FIELDS
        labels = {"target_value": _("Target value")}
        help_texts = {
            "target_value": _("A number of products or sales points, or a percentage."),
            "district": _("Leave empty for a target of the whole province."),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "---------"), *indicators.choices()]
        self.fields["district"].queryset = districts_of(plan.province_id)
        self.fields["district"].empty_label = _("Whole province")


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingEvent
        fields = TRAINING_FIELDS
        widgets = {"held_on": DATE_WIDGET}


class AttendeeDistrictForm(forms.Form):
    """A provincial officer first picks the district whose attendees to list."""

    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("Choose a district"),
        widget=forms.Select(attrs={"class": "js-autosubmit"}),
    )

    def __init__(self, *args, province_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts_of(province_id)


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
            field.label = _("District OCOP officers who attended")
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
