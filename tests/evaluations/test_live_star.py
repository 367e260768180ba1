"""The star shown while a member ticks is the star the product gets: for random tick
sets on every published sheet, the live sheet (scoring.totals) and the finalised
result (results.finalise_round) give the same band, star and reason."""

import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.conf import settings as django_settings
from django.utils import timezone, translation

from evaluations import results, scoring
from evaluations.models import (
    Answer,
    CriteriaStatus,
    CriteriaVersion,
    RoundEntry,
    RoundResult,
    ScoreSheet,
    SheetStatus,
)
from evaluations.sheets import criteria_tree as _criteria_tree
from products.models import DossierProcess
from tests.evaluations import scenario

pytestmark = pytest.mark.django_db

# The process (and regime) whose rounds score on each decision's sheets.
PROCESS_OF = {"1048": "1048", "148": "148", "26/2026": "26/2026"}
YEAR_OF = {"1048": 2021, "148": 2024, "26/2026": 2026}


def _random_ticks(parts, rng: random.Random) -> dict[int, int]:
    """A complete sheet: one option per criterion, one case per group of alternatives,
    low answers more likely than in real life so that caps happen often."""
    choices = {}
    for part in parts:
        for group in part["groups"]:
            criteria = group["criteria"]
            if criteria and criteria[0].group.alternatives:
                criteria = [rng.choice(criteria)]
            for criterion in criteria:
                options = list(criterion.options.all())
                weights = [
                    3 if o.points == min(p.points for p in options) else 2
                    for o in options
                ]
                choices[criterion.pk] = rng.choices(options, weights)[0].pk
    return choices


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_live_capped_star_is_the_finalised_star_on_every_published_sheet(
    full_catalogue, seed
):
    rng = random.Random(seed)
    versions = list(
        CriteriaVersion.objects.filter(status=CriteriaStatus.PUBLISHED).select_related(
            "product_set__classification"
        )
    )
    assert len(versions) == 46
    council = scenario.council(size=1)
    chair = scenario.chair(council)
    member = council.members.get()
    rounds, expected = {}, {}
    for version in versions:
        basis = version.basis
        if basis not in rounds:
            rounds[basis] = scenario.round_(
                council=council, regime=PROCESS_OF[basis], year=YEAR_OF[basis]
            )
        product = scenario.product(
            classification=version.product_set.classification.code,
            set_number=version.product_set.number,
        )
        dossier = scenario.dossier(product=product, year=YEAR_OF[basis])
        dossier.process = DossierProcess.objects.get(code=PROCESS_OF[basis])
        dossier.save(update_fields=["process"])
        entry = RoundEntry.objects.create(
            round=rounds[basis], dossier=dossier, criteria=version, assigned_by=chair
        )
        parts, _criteria = _criteria_tree(version.pk)
        choices = _random_ticks(parts, rng)
        live = scoring.totals(parts, choices)
        # The words of the portal's language, as the result stores them.
        with translation.override(django_settings.LANGUAGE_CODE):
            reason = live.cap_reason
        expected[entry.pk] = (live.band, live.stars, reason, live.total)
        options = {
            o.pk: o
            for part in parts
            for group in part["groups"]
            for c in group["criteria"]
            for o in c.options.all()
        }
        sheet = ScoreSheet.objects.create(
            entry=entry,
            member=member,
            status=SheetStatus.SUBMITTED,
            submitted_at=timezone.now(),
            total=live.total,
        )
        Answer.objects.bulk_create(
            Answer(
                sheet=sheet,
                criterion_id=criterion_id,
                option_id=option_id,
                points=options[option_id].points,
            )
            for criterion_id, option_id in choices.items()
        )
    for round in rounds.values():
        results.finalise_round(round=round, user=chair)
    finalised = {
        r.entry_id: (r.band_stars, r.stars, r.cap_reason, r.mean_total)
        for r in RoundResult.objects.filter(entry_id__in=expected)
    }
    assert len(finalised) == len(versions)
    for entry_id, (band, stars, reason, total) in expected.items():
        got = finalised[entry_id]
        assert got[3] == total.quantize(Decimal("0.01"))
        assert got[:3] == (band, stars, reason), (
            RoundEntry.objects.get(pk=entry_id).criteria,
            got,
            (band, stars, reason),
        )


def test_the_two_paths_differ_when_the_rule_differs(full_catalogue):
    """The comparison above can fail: a sheet that meets nothing marked for 3★ shows
    2★ live, and a result that ignored the cap would show its band."""
    version = CriteriaVersion.objects.get(
        basis="26/2026", product_set__number=1, status=CriteriaStatus.PUBLISHED
    )
    parts, _criteria = _criteria_tree(version.pk)
    best = {
        c.pk: max(c.options.all(), key=lambda o: o.points).pk
        for part in parts
        for group in part["groups"]
        for c in group["criteria"]
    }
    marked = next(
        c
        for part in parts
        for group in part["groups"]
        for c in group["criteria"]
        if any(o.required_for_stars == 3 for o in c.options.all())
    )
    best[marked.pk] = min(marked.options.all(), key=lambda o: o.points).pk
    live = scoring.totals(parts, best)
    assert live.band == 5 and live.stars == 2 and marked.code in live.cap_reason
