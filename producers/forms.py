from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import jurisdiction_of
from regions.models import AdministrativeUnit

from .models import Producer
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
        # Communes of today; a producer registered in a commune that has since ended
        # keeps it until moved to one of today's.
        communes = jurisdiction_of(user).communes()
        if self.instance.commune_id:
            communes = (
                AdministrativeUnit.objects.filter(
                    Q(pk__in=communes.values("pk")) | Q(pk=self.instance.commune_id)
                )
                .select_related("parent")
                .order_by("parent__code", "name")
            )
        self.fields["commune"].queryset = communes
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
