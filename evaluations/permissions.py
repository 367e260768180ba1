"""Who may do what in evaluations. Council roles belong to the council (CouncilMember),
not to the user: a provincial officer is not a council member unless listed.

Views look the membership up once (`membership`) and pass it to the `member_*`
predicates, so a page with fifty entries asks the database once about the user.
"""

from django.db.models import Q

from accounts.models import Role

from .models import (
    Council,
    CouncilMember,
    CouncilRole,
    Round,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)

MANAGER_ROLES = (CouncilRole.SECRETARY, CouncilRole.CHAIR)


def membership(user, round: Round) -> CouncilMember | None:
    if not user.is_authenticated:
        return None
    return CouncilMember.objects.filter(council_id=round.council_id, user=user).first()


def is_chair(user, round: Round) -> bool:
    member = membership(user, round)
    return member is not None and member.role == CouncilRole.CHAIR


def is_secretary(user, round: Round) -> bool:
    member = membership(user, round)
    return member is not None and member.role == CouncilRole.SECRETARY


def is_manager(member: CouncilMember | None) -> bool:
    return member is not None and member.role in MANAGER_ROLES


def can_manage_round(user, round: Round) -> bool:
    """Secretary and chair prepare the round, assign dossiers, watch the aggregate."""
    return is_manager(membership(user, round))


def can_finalise(user, round: Round) -> bool:
    return can_manage_round(user, round)


def can_reopen_sheet(user, round: Round) -> bool:
    return is_chair(user, round)


def can_record_decision(user, round: Round) -> bool:
    return is_chair(user, round)


def is_provincial_officer_of(user, round: Round) -> bool:
    """A provincial officer (or administrator) of the province the council belongs to."""
    if not user.is_authenticated or not user.is_provincial:
        return False
    if user.is_superuser:
        return True
    unit = round.council.unit
    return user.jurisdiction_id in (unit.pk, unit.parent_id)


# Rounds ------------------------------------------------------------------------------


def councils_for_new_round(user):
    """Councils the user may open a round for: any active council of the province for
    its provincial officers, the councils a user is secretary of otherwise."""
    councils = Council.objects.filter(active=True).select_related("unit")
    if not user.is_authenticated:
        return councils.none()
    if user.is_superuser:
        return councils
    if user.role in (Role.PROVINCIAL_OFFICER, Role.ADMINISTRATOR):
        return councils.filter(
            Q(unit=user.jurisdiction_id) | Q(unit__parent=user.jurisdiction_id)
        )
    return councils.filter(
        members__user=user, members__role=CouncilRole.SECRETARY
    ).distinct()


def can_create_round(user) -> bool:
    return councils_for_new_round(user).exists()


def can_create_round_for(user, council: Council) -> bool:
    return councils_for_new_round(user).filter(pk=council.pk).exists()


def member_can_assign(member: CouncilMember | None, round: Round) -> bool:
    """The secretary (or the chair) assigns dossiers until the round is closed."""
    return is_manager(member) and round.status in (
        RoundStatus.PREPARING,
        RoundStatus.SCORING,
    )


def member_can_open_scoring(member: CouncilMember | None, round: Round) -> bool:
    return is_manager(member) and round.can_move_to(RoundStatus.SCORING)


def member_can_finalise(member: CouncilMember | None, round: Round) -> bool:
    return is_manager(member) and round.status == RoundStatus.SCORING


def member_can_reopen(member: CouncilMember | None, round: Round) -> bool:
    return (
        member is not None
        and member.role == CouncilRole.CHAIR
        and round.status == RoundStatus.SCORING
    )


def member_can_record_decision(member: CouncilMember | None, round: Round) -> bool:
    return (
        member is not None
        and member.role == CouncilRole.CHAIR
        and round.status == RoundStatus.CLOSED
    )


def can_export_round(user, member: CouncilMember | None, round: Round) -> bool:
    """Excel and minutes: secretary, chair and the province's officers."""
    return is_manager(member) or is_provincial_officer_of(user, round)


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
    return excluded and is_manager(member)


# Sheets ------------------------------------------------------------------------------


def can_edit_sheet(user, sheet: ScoreSheet) -> bool:
    """Only the sheet's member, while it is a draft and the round is scoring."""
    return (
        sheet.member.user_id == user.pk
        and sheet.status == SheetStatus.DRAFT
        and sheet.entry.round.status == RoundStatus.SCORING
    )
