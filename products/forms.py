from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from producers.listing import ListFilterForm

from .models import (
    Classification,
    DocumentType,
    Dossier,
    DossierKind,
    DossierStatus,
    Product,
    ProductGroup,
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


# List filters -------------------------------------------------------------------------


def _set_choices(blank_label):
    sets = ProductSet.objects.select_related("group", "classification").order_by(
        "-classification__effective_from", "number"
    )
    groups: dict[str, list] = {}
    for product_set in sets:
        groups.setdefault(product_set.classification.decision, []).append(
            (product_set.pk, str(product_set))
        )
    return [("", blank_label), *groups.items()]


def _year_choices(dossiers, blank_label):
    years = dossiers.order_by("-year").values_list("year", flat=True).distinct()
    return [("", blank_label), *((year, year) for year in years)]


class ProductFilterForm(ListFilterForm):
    SORTS = {
        "name": (_("Name A–Z"), ("name", "pk")),
        "-name": (_("Name Z–A"), ("-name", "-pk")),
        "code": (_("Product code"), ("code",)),
        "-created": (_("Newest first"), ("-created_at", "-pk")),
        "-stars": (
            _("Most stars"),
            (F("current_stars").desc(nulls_last=True), "name", "pk"),
        ),
        "producer": (_("Producer"), ("producer__name", "name", "pk")),
    }

    group = forms.TypedChoiceField(
        label=_("Product group"), required=False, coerce=int, empty_value=None
    )
    product_set = forms.TypedChoiceField(
        label=_("Product set"), required=False, coerce=int, empty_value=None
    )
    stars = forms.ChoiceField(
        label=_("Stars"),
        required=False,
        choices=[
            ("", _("Any stars")),
            ("5", "★★★★★"),
            ("4", "★★★★"),
            ("3", "★★★"),
            ("none", _("No certificate")),
        ],
    )
    year = forms.TypedChoiceField(
        label=_("Dossier year"), required=False, coerce=int, empty_value=None
    )

    field_order = [
        "q",
        "district",
        "commune",
        "group",
        "product_set",
        "stars",
        "year",
        "sort",
    ]

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        groups: dict[str, list] = {}
        for group in ProductGroup.objects.select_related("classification").order_by(
            "-classification__effective_from", "pk"
        ):
            groups.setdefault(group.classification.decision, []).append(
                (group.pk, str(group))
            )
        self.fields["group"].choices = [("", _("All groups")), *groups.items()]
        self.fields["product_set"].choices = _set_choices(_("All product sets"))
        self.fields["year"].choices = _year_choices(
            Dossier.objects.visible_to(user), _("Any year")
        )

    def apply(self, queryset):
        queryset = self.filter_place(queryset)
        if group := self.value("group"):
            queryset = queryset.filter(product_set__group=group)
        if product_set := self.value("product_set"):
            queryset = queryset.filter(product_set=product_set)
        stars = self.value("stars")
        if stars == "none":
            queryset = queryset.filter(current_stars__isnull=True)
        elif stars:
            queryset = queryset.filter(current_stars=int(stars))
        if year := self.value("year"):
            queryset = queryset.filter(
                pk__in=Dossier.objects.filter(year=year).values("product")
            )
        return queryset.order_by(*self.ordering())


class DossierFilterForm(ListFilterForm):
    SORTS = {
        "-year": (_("Newest year first"), ("-year", "product__name", "pk")),
        "product": (_("Product A–Z"), ("product__name", "-year", "pk")),
        "status": (_("Status"), ("status", "-year", "pk")),
        "-submitted": (
            _("Last submitted first"),
            (F("submitted_at").desc(nulls_last=True), "-pk"),
        ),
        "-updated": (_("Last changed first"), ("-updated_at", "-pk")),
    }

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *DossierStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *DossierKind.choices],
    )
    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None
    )
    product_set = forms.TypedChoiceField(
        label=_("Product set"), required=False, coerce=int, empty_value=None
    )

    field_order = ["q", "district", "status", "kind", "year", "product_set", "sort"]

    def __init__(self, data, *, user):
        super().__init__(data, user=user)
        # A dossier's place is its product's; the district filter is enough here.
        del self.fields["commune"]
        self.fields["year"].choices = _year_choices(
            Dossier.objects.visible_to(user), _("Any year")
        )
        self.fields["product_set"].choices = _set_choices(_("All product sets"))

    def apply(self, queryset):
        queryset = self.filter_place(queryset)
        if status := self.value("status"):
            queryset = queryset.filter(status=status)
        if kind := self.value("kind"):
            queryset = queryset.filter(kind=kind)
        if year := self.value("year"):
            queryset = queryset.filter(year=year)
        if product_set := self.value("product_set"):
            queryset = queryset.filter(product__product_set=product_set)
        return queryset.order_by(*self.ordering())
