"""Every state change of a council's work: rounds, the criteria catalogue, assignment
of dossiers and conflicts of interest. Score sheets live in sheets.py, finalising in
results.py, decisions and certificates in certificates.py. Each function owns its
transaction, row lock, guard and audit.

Lock order, so that two people acting at once never deadlock: round, then entry, then
dossier, then sheet.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.models import User
from core import clock
from producers.models import Producer
from products import process as dossier_process
from products.models import Dossier, DossierStatus, EvaluationLevel
from regions.services import LAST_DAY_BEFORE_REFORM
from regions.text import fold

from .catalogue import basis_for_dossier, basis_label, review, version_for_dossier
from .models import (
    Council,
    CriteriaStatus,
    CriteriaVersion,
    Criterion,
    Exclusion,
    ExclusionSource,
    Outcome,
    Regime,
    Round,
    RoundEntry,
    RoundResult,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from .permissions import RoundAccess, can_correct_criteria, can_create_round_for

ROUND_FIELDS = [
    "name",
    "council",
    "year",
    "level",
    "regime",
    "spread_threshold",
    "quorum",
    "status",
]


# Rounds ------------------------------------------------------------------------------


def _locked_round(round: Round) -> Round:
    return (
        Round.objects.select_for_update(of=("self",))
        .select_related("council__unit", "regime")
        .get(pk=round.pk)
    )


def _regime_in_force(regime: Regime, year: int) -> bool:
    if regime.effective_from.year > year:
        return False
    return regime.effective_to is None or regime.effective_to.year >= year


@transaction.atomic
def create_round(
    *,
    user: User,
    council: Council,
    regime: Regime,
    name: str,
    year: int,
    spread_threshold: Decimal = Decimal("10"),
    quorum: Decimal = Decimal("0.75"),
) -> Round:
    """Open a round in preparation for a council. The level is the council's.

    Raises PermissionDenied unless the user is a provincial officer of the council's
    province or the council's secretary; ValidationError when the regime has no such
    level (e.g. district councils under 1489) or was not in force that year.
    """
    if not can_create_round_for(user, council):
        raise PermissionDenied
    if council.level == EvaluationLevel.DISTRICT and (
        year > LAST_DAY_BEFORE_REFORM.year
        or not council.unit.is_valid_on(clock.today())
    ):
        raise ValidationError(
            {
                "council": _(
                    "District councils ended with the districts on %(day)s "
                    "(two-tier local government): the provincial council evaluates "
                    "every product since."
                )
                % {"day": LAST_DAY_BEFORE_REFORM.strftime("%d/%m/%Y")}
            }
        )
    if not regime.levels.filter(level=council.level).exists():
        raise ValidationError(
            {
                "regime": _("%(regime)s has no evaluation at the %(level)s level.")
                % {"regime": regime, "level": council.get_level_display().lower()}
            }
        )
    if not _regime_in_force(regime, year):
        raise ValidationError(
            {
                "regime": _("%(regime)s was not in force in %(year)s.")
                % {"regime": regime, "year": year}
            }
        )
    round = Round(
        council=council,
        regime=regime,
        name=name.strip(),
        year=year,
        level=council.level,
        spread_threshold=spread_threshold,
        quorum=quorum,
        created_by=user,
    )
    round.full_clean()
    round.save()
    record_created(target=round, actor=user, fields=ROUND_FIELDS)
    return round


@transaction.atomic
def open_scoring(*, round: Round, user: User) -> Round:
    """Preparing → scoring: members can now open their sheets."""
    round = _locked_round(round)
    if not RoundAccess.of(user, round).is_manager:
        raise PermissionDenied
    if not round.can_move_to(RoundStatus.SCORING):
        raise ValidationError(
            _("Scoring cannot be opened: the round is %(status)s.")
            % {"status": round.get_status_display().lower()}
        )
    if not round.entries.exists():
        raise ValidationError(_("Assign at least one dossier before opening scoring."))
    before = snapshot(round, ["status"])
    round.move_to(RoundStatus.SCORING)
    round.scoring_opened_at = clock.now()
    round.save(update_fields=["status", "scoring_opened_at"])
    record_event(
        target=round,
        actor=user,
        action="status",
        changes=changes_between(before, snapshot(round, ["status"])),
    )
    return round


# Criteria catalogue ------------------------------------------------------------------


@transaction.atomic
def publish_criteria(*, version: CriteriaVersion, user: User) -> CriteriaVersion:
    """Publish a draft sheet: from now on it is immutable and dossiers are scored on it.

    Raises PermissionDenied unless the user may correct criteria, ValidationError when
    it is already published, has no criteria, or still has a problem that keeps it a
    draft (a missing or misprinted points cell, a total over 100).
    """
    version = CriteriaVersion.objects.select_for_update().get(pk=version.pk)
    if not can_correct_criteria(user):
        raise PermissionDenied
    if version.is_published:
        raise ValidationError(_("This version is already published."))
    if not Criterion.objects.filter(part__version=version).exists():
        raise ValidationError(_("The sheet has no criteria."))
    check = review(version)
    if check.blocking:
        raise ValidationError(check.blocking, code="incomplete")
    if check.total > 100:
        raise ValidationError(
            _("The best answers add up to %(total)s points, more than 100.")
            % {"total": f"{check.total.normalize():f}"},
            code="over_100",
        )
    before = snapshot(version, ["status", "total_points"])
    version.total_points = check.total
    version.move_to(CriteriaStatus.PUBLISHED)
    version.published_at = timezone.now()
    version.save(update_fields=["total_points", "status", "published_at"])
    record_event(
        target=version,
        actor=user,
        action="status",
        changes=changes_between(before, snapshot(version, ["status", "total_points"])),
    )
    return version


# Assignment --------------------------------------------------------------------------


# Accepted, and reviewed by the advisory team where the dossier's process has one.
READY = (
    Q(status=DossierStatus.REVIEWED)
    | Q(status=DossierStatus.ACCEPTED, process__isnull=True)
    | Q(status=DossierStatus.ACCEPTED, process__advisory_review=False)
)


def eligible_dossiers(round: Round):
    """Dossiers the round may take: of its year and jurisdiction, accepted (and
    reviewed where the process asks), or forwarded to its level by a lower council."""
    unit_id = round.council.unit_id
    return Dossier.objects.filter(
        # A district council's dossiers, a province's (through their district until
        # 30/6/2025, their commune since).
        Q(district=unit_id)
        | Q(district__parent=unit_id)
        | Q(district__isnull=True, product__commune__parent=unit_id),
        READY | Q(status=DossierStatus.FORWARDED, level=round.level),
        year=round.year,
    )


def published_sheets() -> set[tuple[int, str]]:
    """(product set id, basis) of every published sheet: a hint for the assignment
    list (assign_dossier asks version_for_dossier)."""
    return set(
        CriteriaVersion.objects.filter(status=CriteriaStatus.PUBLISHED).values_list(
            "product_set_id", "basis"
        )
    )


def _check_eligible(round: Round, dossier: Dossier) -> None:
    unit_id = round.council.unit_id
    if unit_id not in (dossier.district_id, dossier.province_pk):
        raise ValidationError(
            _("%(product)s is not in the council's jurisdiction.")
            % {"product": dossier.product}
        )
    if dossier.year != round.year:
        raise ValidationError(
            _("The dossier of %(product)s is for %(year)s, the round for %(round)s.")
            % {"product": dossier.product, "year": dossier.year, "round": round.year}
        )
    forwarded_here = (
        dossier.status == DossierStatus.FORWARDED and dossier.level == round.level
    )
    if (
        dossier.status == DossierStatus.ACCEPTED
        and not dossier.ready_for_a_round
        and not forwarded_here
    ):
        raise ValidationError(
            _(
                "The advisory team has not reported on the dossier of %(product)s "
                "yet: record its report before assigning the dossier."
            )
            % {"product": dossier.product}
        )
    if not dossier.ready_for_a_round and not forwarded_here:
        raise ValidationError(
            _(
                "The dossier of %(product)s is %(status)s: only accepted dossiers, "
                "or dossiers forwarded to this level, can be assigned."
            )
            % {
                "product": dossier.product,
                "status": dossier.get_status_display().lower(),
            }
        )


@transaction.atomic
def assign_dossier(*, round: Round, dossier: Dossier, user: User) -> RoundEntry:
    """Put a dossier into a round, frozen to the published criteria sheet of its
    product set, and exclude the members linked to its producer.

    Raises PermissionDenied unless the user is the round's secretary or chair;
    ValidationError when the dossier is not eligible or its product set has no
    published sheet under the round's regime.
    """
    round = _locked_round(round)
    access = RoundAccess.of(user, round)
    if not access.is_manager:
        raise PermissionDenied
    if not access.can_assign:
        raise ValidationError(_("Dossiers cannot be assigned to a closed round."))
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("product__product_set", "product__producer", "district")
        .get(pk=dossier.pk)
    )
    _check_eligible(round, dossier)
    product_set = dossier.product.product_set
    if product_set.classification_id != round.regime.classification_id:
        raise ValidationError(
            _(
                "%(product)s is classified under another legal basis than "
                "%(regime)s: it cannot be scored in this round."
            )
            % {"product": dossier.product, "regime": round.regime}
        )
    basis = basis_for_dossier(dossier, regime=round.regime)
    criteria = version_for_dossier(dossier, regime=round.regime)
    if criteria is None:
        raise ValidationError(
            _(
                "There is no published criteria sheet of %(basis)s for the product "
                "set “%(set)s”: %(product)s cannot be scored in this round."
            )
            % {
                "basis": basis_label(basis),
                "set": product_set.name,
                "product": dossier.product,
            }
        )
    entry = RoundEntry.objects.create(
        round=round, dossier=dossier, criteria=criteria, assigned_by=user
    )
    dossier_process.start_evaluation(dossier=dossier, level=round.level, actor=user)
    record_event(
        target=round,
        actor=user,
        action="entry_added",
        changes={"product": ["", str(dossier.product)]},
    )
    members = round.council.members.select_related("user")
    _exclude_linked_members(entry=entry, members=members, actor=user)
    return entry


@transaction.atomic
def remove_entry(*, entry: RoundEntry, user: User, reason: str = "") -> Round:
    """Take a dossier out of a round before anyone opened a sheet for it; the dossier
    goes back to accepted."""
    round = _locked_round(entry.round)
    if not RoundAccess.of(user, round).is_manager:
        raise PermissionDenied
    if round.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is closed."))
    entry = (
        RoundEntry.objects.select_for_update(of=("self",))
        .select_related("dossier__product")
        .get(pk=entry.pk)
    )
    if entry.sheets.exists():
        raise ValidationError(
            _(
                "Members have started scoring %(product)s: it can no longer be "
                "removed from the round."
            )
            % {"product": entry.dossier.product}
        )
    dossier = entry.dossier
    product = str(dossier.product)
    reason = reason.strip() or _("Removed from the round “%(round)s”.") % {
        "round": round.name
    }
    # A dossier a lower council sent to this level waits for it again.
    forwarded = RoundResult.objects.filter(
        entry__dossier=dossier,
        outcome__in=[Outcome.FORWARDED, Outcome.RETURNED],
        target_level=round.level,
    ).exists()
    entry.exclusions.all().delete()
    entry.delete()
    dossier_process.withdraw_from_evaluation(
        dossier=dossier,
        actor=user,
        reason=reason,
        forwarded=forwarded,
        reviewed=dossier.advisory_reports.exists(),
    )
    record_event(
        target=round,
        actor=user,
        action="entry_removed",
        changes={"product": [product, ""]},
        reason=reason,
    )
    return round


# Conflicts of interest ---------------------------------------------------------------


def _phone_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    # +84 277 … and 0277 … are the same number.
    if digits.startswith("84") and len(digits) > 9:
        digits = "0" + digits[2:]
    return digits


def producer_link(user: User, producer: Producer) -> str:
    """Why a council member counts as linked to a producer, or "" when they do not:
    same email or phone, the member is the legal representative, or works there.
    Names compare with diacritics and case ignored."""
    email = (user.email or "").strip().lower()
    if email and email == (producer.email or "").strip().lower():
        return _("Same email as the producer (%(email)s).") % {"email": user.email}
    phone = _phone_digits(user.phone)
    if phone and phone == _phone_digits(producer.phone):
        return _("Same phone as the producer (%(phone)s).") % {"phone": user.phone}
    full_name = fold(user.get_full_name())
    if full_name and full_name == fold(producer.legal_representative):
        return _("The member is the producer's legal representative.")
    organisation = fold(user.organisation)
    if organisation and organisation == fold(producer.name):
        return _("The member works for the producer (%(organisation)s).") % {
            "organisation": user.organisation
        }
    return ""


def _exclude_linked_members(
    *, entry: RoundEntry, members, actor: User | None
) -> list[Exclusion]:
    producer = entry.dossier.product.producer
    already = set(entry.exclusions.values_list("member_id", flat=True))
    created = []
    for member in members:
        if member.pk in already:
            continue
        reason = producer_link(member.user, producer)
        if not reason:
            continue
        created.append(
            Exclusion.objects.create(
                entry=entry,
                member=member,
                source=ExclusionSource.AUTOMATIC,
                reason=reason,
                created_by=actor,
            )
        )
        record_event(
            target=entry.round,
            actor=actor,
            action="conflict_automatic",
            changes={
                "member": ["", str(member.user)],
                "product": ["", str(entry.dossier.product)],
            },
            reason=reason,
        )
    return created


@transaction.atomic
def refresh_automatic_exclusions(*, council: Council, actor: User | None) -> int:
    """Exclude members linked to producers in the council's open rounds; run when the
    council's members change. Returns the number of new exclusions. Exclusions are never
    lifted here: a link that disappears is for the chair to judge."""
    members = list(council.members.select_related("user"))
    count = 0
    rounds = Round.objects.filter(
        council=council, status__in=[RoundStatus.PREPARING, RoundStatus.SCORING]
    )
    for round in rounds:
        round = _locked_round(round)
        entries = round.entries.select_related("dossier__product__producer", "round")
        for entry in entries:
            count += len(
                _exclude_linked_members(entry=entry, members=members, actor=actor)
            )
    return count


@transaction.atomic
def declare_conflict(*, entry: RoundEntry, user: User, reason: str) -> Exclusion:
    """A member declares a conflict of interest for a product: they will not score it.

    Raises ValidationError without a reason, once the round is closed, when one is
    already recorded, or when the member's sheet is already submitted (the chair must
    reopen it first, so the declaration and the score never coexist).
    """
    entry = (
        RoundEntry.objects.select_for_update(of=("self",))
        .select_related("round", "dossier__product")
        .get(pk=entry.pk)
    )
    round = entry.round
    member = RoundAccess.of(user, round).member
    if member is None:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say what links you to this producer or product.")}
        )
    if round.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is closed."))
    if Exclusion.objects.filter(entry=entry, member=member).exists():
        raise ValidationError(
            _("A conflict of interest is already recorded for you on this product.")
        )
    if ScoreSheet.objects.filter(
        entry=entry, member=member, status=SheetStatus.SUBMITTED
    ).exists():
        raise ValidationError(
            _(
                "Your sheet for this product is already submitted: ask the chair to "
                "reopen it before declaring a conflict of interest."
            )
        )
    exclusion = Exclusion.objects.create(
        entry=entry,
        member=member,
        source=ExclusionSource.DECLARED,
        reason=reason,
        created_by=user,
    )
    record_event(
        target=round,
        actor=user,
        action="conflict_declared",
        changes={
            "member": ["", str(user)],
            "product": ["", str(entry.dossier.product)],
        },
        reason=reason,
    )
    return exclusion
