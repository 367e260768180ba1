from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Classification,
    CommuneAssessment,
    DocumentType,
    Dossier,
    DossierKind,
    Product,
    ProductSet,
)

# The first year of the OCOP programme (Decision 490/QĐ-TTg, 2018); older dossiers
# do not exist.
FIRST_YEAR = 2018


def current_classification() -> Classification | None:
    """The classification in force today (148/QĐ-TTg since 24/02/2023)."""
    return (
        Classification.objects.filter(effective_from__lte=timezone.localdate())
        .order_by("-effective_from")
        .first()
    )


def grouped_set_choices(sets, *, blank_label, with_classification: bool) -> list:
    """Product-set choices in optgroups by product group ("I. Thực phẩm")."""
    groups: dict[str, list] = {}
    for product_set in sets:
        label = str(product_set.group)
        if with_classification:
            label = f"{product_set.classification.decision} · {label}"
        groups.setdefault(label, []).append((product_set.pk, str(product_set)))
    return [("", blank_label), *groups.items()]


class ProductForm(forms.ModelForm):
    """Register or edit a product. New products take a set of the classification in
    force; a product registered under an older one (1048) may keep its sets."""

    class Meta:
        model = Product
        fields = ["name", "product_set", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = Q()
        current = current_classification()
        if current is not None:
            allowed |= Q(classification=current)
        older = self.instance.pk and self.instance.product_set.classification_id
        if older and current is not None and older == current.pk:
            older = None
        if older:
            allowed |= Q(classification=older)
        sets = (
            ProductSet.objects.filter(allowed)
            .select_related("group", "classification")
            .order_by("-classification__effective_from", "number")
        )
        field = self.fields["product_set"]
        field.queryset = sets
        field.choices = grouped_set_choices(
            sets, blank_label=_("Choose a product set"), with_classification=bool(older)
        )
        if current is not None:
            field.help_text = _("Product sets of %(decision)s.") % {
                "decision": current.decision
            }

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("JPEG or PNG. Location and camera data are removed."),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class DossierCreateForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["kind", "year", "self_assessment_score"]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "kind": _(
                "A re-rating or an upgrade starts with the documents of the product's "
                "previous dossier: add or replace only what changed."
            ),
            "self_assessment_score": _(
                "Optional: the producer's own score on the criteria sheet (0–100)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        year = self.fields["year"]
        year.initial = this_year
        year.validators += [
            MinValueValidator(FIRST_YEAR),
            MaxValueValidator(this_year + 1),
        ]
        year.widget.attrs.update({"min": FIRST_YEAR, "max": this_year + 1})
        self.fields["kind"].choices = DossierKind.choices
        self.fields["kind"].initial = DossierKind.NEW
        score = self.fields["self_assessment_score"]
        score.validators += [MinValueValidator(0), MaxValueValidator(100)]


class DossierEditForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["self_assessment_score"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        score = self.fields["self_assessment_score"]
        score.validators += [MinValueValidator(0), MaxValueValidator(100)]
        # With a self-assessment report (Mẫu 02), the score is its total.
        if self.instance.pk and hasattr(self.instance, "self_assessment"):
            score.disabled = True
            score.help_text = _(
                "The total of the self-assessment report (Mẫu 02): change the report "
                "to change it."
            )


class DocumentForm(forms.Form):
    """One upload on a dossier's checklist; rendered once per document type."""

    document_type = forms.ModelChoiceField(
        queryset=DocumentType.objects.all(), widget=forms.HiddenInput
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx",
                "class": "form-control form-control-sm",
            }
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Note (optional)"),
            }
        ),
    )


class ReturnForm(forms.Form):
    # Required by the service, which gives the message.
    reason = forms.CharField(
        label=_("What must the district add or correct?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommuneAssessmentForm(forms.ModelForm):
    """The commune's report (Mẫu 03) and its conclusion; the service checks that every
    item is written and that a return gives its reason."""

    class Meta:
        model = CommuneAssessment
        fields = [
            "local_origin",
            "local_labour",
            "idea_origin",
            "local_identity",
            "conclusion",
            "reason",
        ]
        widgets = {
            "local_origin": forms.Textarea(attrs={"rows": 2}),
            "local_labour": forms.Textarea(attrs={"rows": 2}),
            "idea_origin": forms.Textarea(attrs={"rows": 2}),
            "local_identity": forms.Textarea(attrs={"rows": 3}),
            "conclusion": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "local_identity": _(
                "Cultural values, local knowledge of varieties, raw materials and "
                "production that make the product different (Điều 7.2)."
            ),
            "reason": _("Required when the dossier is returned to the producer."),
        }
