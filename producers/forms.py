from django import forms
from django.utils.translation import gettext_lazy as _

from .listing import ListFilterForm, communes_for
from .models import Producer, ProducerKind
from .services import EDITABLE_FIELDS


class ProducerForm(forms.ModelForm):
    """Register or edit a producer; communes limited to the officer's district."""

    class Meta:
        model = Producer
        fields = EDITABLE_FIELDS
        widgets = {
            "registration_date": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
            "registration_number": forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "1400123456"}
            ),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "registration_number": _(
                "10 digits, or 10 digits-3 digits for a branch (e.g. 1400123456-001)."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for(user)
        self.fields["commune"].empty_label = _("Choose a commune")

    def clean_registration_number(self):
        # Officers copy tax codes with spaces or dots from scanned papers.
        value = self.cleaned_data["registration_number"]
        return "".join(ch for ch in value if ch not in " .")

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class ArchiveForm(forms.Form):
    # Checked by the service, which gives the message.
    reason = forms.CharField(
        label=_("Reason for archiving"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProducerFilterForm(ListFilterForm):
    SORTS = {
        "name": (_("Name A–Z"), ("name", "pk")),
        "-name": (_("Name Z–A"), ("-name", "-pk")),
        "-created": (_("Newest first"), ("-created_at", "-pk")),
        "created": (_("Oldest first"), ("created_at", "pk")),
        "district": (_("District, then name"), ("district__code", "name", "pk")),
        "-products": (_("Most products"), ("-product_count", "name", "pk")),
    }

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *ProducerKind.choices],
    )
    archived = forms.BooleanField(label=_("Show archived"), required=False)

    field_order = ["q", "district", "commune", "kind", "sort", "archived"]

    def apply(self, queryset):
        queryset = self.filter_place(queryset)
        if kind := self.value("kind"):
            queryset = queryset.filter(kind=kind)
        if not self.value("archived"):
            queryset = queryset.active()
        return queryset.order_by(*self.ordering())
