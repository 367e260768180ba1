import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AdvisoryReport, Criterion, DisqualifierCheck, Regime, Round
from .permissions import councils_for_new_round


def regime_in_force(year: int) -> Regime | None:
    """The regime whose period covers most of the year (1048 for 2021)."""
    middle = datetime.date(year, 7, 1)
    return (
        Regime.objects.filter(effective_from__lte=middle)
        .exclude(effective_to__lt=middle)
        .order_by("-effective_from")
        .first()
    )


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "name",
            "council",
            "year",
            "regime",
            "spread_threshold",
            "quorum",
            "by_written_opinions",
        ]
        help_texts = {
            "name": _("E.g. “Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2021”."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils_for_new_round(user)
        self.fields["council"].help_text = _("The round's level is the council's.")
        year = timezone.localdate().year
        if not self.is_bound:
            self.initial.setdefault("year", year)
            self.initial.setdefault("spread_threshold", Decimal("10"))
            self.initial.setdefault("quorum", Decimal("0.75"))
            regime = regime_in_force(year)
            if regime is not None:
                self.initial.setdefault("regime", regime.pk)
        self.fields["year"].min_value = 2019
        self.fields["year"].widget.attrs.update(min=2019, max=2100)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("What links you to this producer or product?"),
        help_text=_(
            "E.g. a relative manages the producer, or you advised on this dossier. "
            "You will not score this product."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class DecisionForm(forms.Form):
    number = forms.CharField(
        label=_("Decision number"),
        max_length=60,
        help_text=_("E.g. 1580/QĐ-UBND-HC."),
    )
    date = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    signer = forms.CharField(label=_("Signed by"), max_length=120)
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=200,
        required=False,
        help_text=_("E.g. Phó Chủ tịch UBND tỉnh."),
    )


class ScoreSheetForm(forms.Form):
    """One radio choice per criterion, named c<criterion id>, valued with option ids;
    for each group of alternative cases, the case scored (case<group id>); and the
    disqualification check when the sheet prints one.

    Every choice is optional here: a draft may be partial; submitting checks that every
    criterion is answered (sheets.submit_sheet). Answers to a case other than the one
    chosen are dropped: the other case is disabled on the page.
    """

    def __init__(
        self, *args, criteria: list[Criterion], disqualifier: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.case_groups: dict[int, list[Criterion]] = {}
        for criterion in criteria:
            self.fields[self.field_name(criterion)] = forms.TypedChoiceField(
                label=f"{criterion.code} {criterion.name}",
                choices=[
                    (option.pk, option.text) for option in criterion.options.all()
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            if criterion.group.alternatives:
                self.case_groups.setdefault(criterion.group_id, []).append(criterion)
        for group_id, cases in self.case_groups.items():
            self.fields[f"case{group_id}"] = forms.TypedChoiceField(
                label=cases[0].group.name,
                choices=[(case.pk, case.name) for case in cases],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        if disqualifier:
            self.fields["disqualifier_check"] = forms.ChoiceField(
                label=disqualifier,
                choices=DisqualifierCheck.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        return f"c{criterion.pk}"

    def cases(self) -> dict[int, int]:
        """Group id → the criterion id of the case chosen, for the groups where the
        member chose one (or answered only one case)."""
        cleaned = getattr(self, "cleaned_data", {})
        chosen = {}
        for group_id, cases in self.case_groups.items():
            case = cleaned.get(f"case{group_id}")
            if case is None:
                answered = [
                    c.pk for c in cases if cleaned.get(self.field_name(c)) is not None
                ]
                case = answered[0] if len(answered) == 1 else None
            if case is not None:
                chosen[group_id] = case
        return chosen

    def choices(self) -> dict[int, int]:
        """Criterion id → option id for the valid answers given; of a group of
        alternative cases, only the chosen case's."""
        cleaned = getattr(self, "cleaned_data", {})
        cases = self.cases()
        return {
            criterion.pk: cleaned[self.field_name(criterion)]
            for criterion in self.criteria
            if cleaned.get(self.field_name(criterion)) is not None
            and cases.get(criterion.group_id, criterion.pk) == criterion.pk
        }

    def disqualifier_check(self) -> str | None:
        """The check's answer ("" when not given), None when the sheet prints none."""
        if "disqualifier_check" not in self.fields:
            return None
        return getattr(self, "cleaned_data", {}).get("disqualifier_check", "")


class AdvisoryReportForm(forms.ModelForm):
    class Meta:
        model = AdvisoryReport
        fields = [
            "team",
            "findings",
            "site_visit_on",
            "supplements_requested",
            "lab_tests_requested",
            "recommendation",
        ]
        widgets = {
            "findings": forms.Textarea(attrs={"rows": 4}),
            "site_visit_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "supplements_requested": forms.Textarea(attrs={"rows": 2}),
            "lab_tests_requested": forms.Textarea(attrs={"rows": 2}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
        }
