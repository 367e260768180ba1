"""Who may do what in evaluations.

Council roles belong to the council (CouncilMember), not to the user: a provincial
officer is not a council member unless listed. What one user may do in one round is
worked out once, by `RoundAccess.of(user, round)`, so a page with fifty entries asks
the database once about the user:

- role properties (`is_member`, `is_manager`, `is_chair`, `is_provincial_officer`)
  say who the user is in the round; services raise PermissionDenied on them;
- `can_*` properties add the round's status (the button is shown, the action can
  succeed); services check the status themselves to give the reason.

Who acts where as an OCOP officer is accounts.jurisdiction's answer.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.jurisdiction import jurisdiction_of
from accounts.models import Role

from .models import (
    Certificate,
    Council,
    CouncilMember,
    CouncilRole,
    Round,
    RoundStatus,
    SheetStatus,
)

MANAGER_ROLES = (CouncilRole.SECRETARY, CouncilRole.CHAIR)


def membership(user, round: Round) -> CouncilMember | None:
    if not user.is_authenticated:
        return None
    return CouncilMember.objects.filter(council_id=round.council_id, user=user).first()


@dataclass(frozen=True)
class RoundAccess:
    """One user's rights in one round."""

    round: Round
    member: CouncilMember | None
    is_provincial_officer: bool

    @classmethod
    def of(cls, user, round: Round) -> "RoundAccess":
        return cls(
            round=round,
            member=membership(user, round),
            is_provincial_officer=jurisdiction_of(user).acts_for_province(
                round.council.province_pk
            ),
        )

    # Who the user is in the round ---------------------------------------------------

    @property
    def is_member(self) -> bool:
        return self.member is not None

    @property
    def is_manager(self) -> bool:
        """The secretary or the chair: prepares the round, assigns dossiers, follows
        the aggregate, finalises."""
        return self.member is not None and self.member.role in MANAGER_ROLES

    @property
    def is_chair(self) -> bool:
        return self.member is not None and self.member.role == CouncilRole.CHAIR

    # What the user can do now --------------------------------------------------------

    @property
    def can_assign(self) -> bool:
        """Dossiers are assigned (and removed) until the round is closed."""
        return self.is_manager and self.round.status in (
            RoundStatus.PREPARING,
            RoundStatus.SCORING,
        )

    @property
    def can_open_scoring(self) -> bool:
        return self.is_manager and self.round.can_move_to(RoundStatus.SCORING)

    @property
    def can_finalise(self) -> bool:
        return self.is_manager and self.round.can_move_to(RoundStatus.CLOSED)

    @property
    def can_reopen_sheets(self) -> bool:
        """The chair sends a submitted sheet back for re-scoring while scoring."""
        return self.is_chair and self.round.status == RoundStatus.SCORING

    @property
    def can_record_decision(self) -> bool:
        return self.is_chair and self.round.status == RoundStatus.CLOSED

    @property
    def can_declare_conflict(self) -> bool:
        return self.is_member and self.round.status != RoundStatus.CLOSED

    @property
    def can_export(self) -> bool:
        """Excel and minutes: secretary, chair and the province's officers."""
        return self.is_manager or self.is_provincial_officer

    def can_remove_entry(self, *, has_sheets: bool) -> bool:
        """Before any member opened a sheet for the product."""
        return self.can_assign and not has_sheets


# Opening rounds ------------------------------------------------------------------------


def councils_for_new_round(user) -> QuerySet:
    """Councils the user may open a round for: any active council of the province (or
    of its districts) for its provincial officers, the councils a user is secretary of
    otherwise."""
    councils = Council.objects.filter(active=True).select_related("unit")
    if not user.is_authenticated:
        return councils.none()
    reach = jurisdiction_of(user)
    if reach.is_provincial:
        return councils.filter(
            reach.province_q("unit") | reach.province_q("unit__parent")
        )
    return councils.filter(
        members__user=user, members__role=CouncilRole.SECRETARY
    ).distinct()


def can_create_round(user) -> bool:
    return councils_for_new_round(user).exists()


def can_create_round_for(user, council: Council) -> bool:
    return councils_for_new_round(user).filter(pk=council.pk).exists()


# Blind scoring -------------------------------------------------------------------------


def can_see_scores(
    *,
    round: Round,
    member: CouncilMember | None,
    own_status: str | None,
    excluded: bool,
) -> bool:
    """Whether the user may see other members' scores of one entry.

    A member sees them only once their own sheet of that entry is submitted (DESIGN §5:
    nobody sees others' sheets before submitting their own); a secretary or chair with a
    conflict of interest does not score the entry and may follow it. People who are not
    on the council (provincial officers) see scores once the round is closed. After
    closing, the results are public to everyone who sees the round.
    """
    if round.status == RoundStatus.CLOSED:
        return True
    if member is None:
        return False
    if own_status == SheetStatus.SUBMITTED:
        return True
    return excluded and member.role in MANAGER_ROLES


# Certificates ----------------------------------------------------------------------------


def can_record_advisory_report(user, dossier) -> bool:
    """The provincial OCOP office records the advisory team's report (the team
    reports to the council's chair; the office keeps the dossier)."""
    return jurisdiction_of(user).acts_for_province(dossier.province_pk)


def can_revoke_certificate(user, certificate: Certificate) -> bool:
    """The officers of the certificate's province."""
    return jurisdiction_of(user).acts_for_province(certificate.province_id)


def can_record_historic_decision(user, province) -> bool:
    """Decisions taken before the portal: the officers of that province."""
    return jurisdiction_of(user).acts_for_province(province.pk)


def can_correct_criteria(user) -> bool:
    """The provincial administrator (and superusers) correct draft criteria sheets
    against the printed decision and publish them."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Role.ADMINISTRATOR in jurisdiction_of(user).roles


def can_read_criteria(user) -> bool:
    """Officers and council members read the catalogue of sheets."""
    return user.is_authenticated and (
        jurisdiction_of(user).is_officer
        or user.is_superuser
        or CouncilMember.objects.filter(user=user).exists()
    )
