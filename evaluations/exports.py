"""The council's paperwork built from what the views have loaded: the Excel workbooks
of the round list and of a round, and the context of a round's minutes.

Pure builders: no lookups and no permission checks here. The rows a builder gets are
already masked by blind scoring (results.entry_rows); the builder adds only what the
round's status allows.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from core.exports import Sheet

from .models import (
    Answer,
    CouncilMember,
    CouncilRole,
    Decision,
    Exclusion,
    ExclusionSource,
    Round,
    RoundStatus,
    ScoreSheet,
)
from .results import EntryRow


def round_list_workbook(rounds: Iterable[Round]) -> list[Sheet]:
    """The rounds of the list page; each round annotated with its `entry_count`."""
    return [
        Sheet(
            _("Evaluation rounds"),
            [
                _("Name"),
                _("Council"),
                _("Year"),
                _("Level"),
                _("Regime"),
                _("Status"),
                _("Products"),
            ],
            (
                [
                    round.name,
                    round.council.name,
                    round.year,
                    round.get_level_display(),
                    round.regime.decision,
                    round.get_status_display(),
                    round.entry_count,
                ]
                for round in rounds
            ),
        )
    ]


def round_workbook(
    *,
    round: Round,
    rows: Sequence[EntryRow],
    answers: Iterable[Answer],
    totals: Iterable[ScoreSheet],
) -> list[Sheet]:
    """The round's aggregate as the viewer may see it; once the round is closed, also
    the points per criterion (`answers`) and the totals per member (`totals`) of the
    submitted sheets. Before, `answers` and `totals` are not read."""
    part_codes = sorted({code for row in rows for code in row.aggregate.part_means})
    closed = round.status == RoundStatus.CLOSED
    headers = [
        _("Product code"),
        _("Product"),
        _("Producer"),
        _("Place"),
        _("Sheets submitted"),
        _("Sheets expected"),
        _("Mean"),
        *[_("Part %(code)s") % {"code": code} for code in part_codes],
        _("Lowest"),
        _("Highest"),
        _("Spread"),
        _("Flagged"),
    ]
    if closed:
        headers += [
            _("Star band"),
            _("Stars"),
            _("Why the star is capped"),
            _("Outcome"),
        ]

    def summary(row: EntryRow) -> list:
        product = row.entry.dossier.product
        values = [
            product.code,
            product.name,
            product.producer.name,
            row.entry.dossier.area.short_name,
            row.aggregate.submitted,
            row.aggregate.expected,
        ]
        if row.scores_visible:
            aggregate = row.aggregate
            values += [
                aggregate.mean,
                *[aggregate.part_means.get(code) for code in part_codes],
                aggregate.min,
                aggregate.max,
                aggregate.spread,
                _("yes") if aggregate.flagged else "",
            ]
        else:
            values += [""] * (5 + len(part_codes))
        if closed:
            result = row.result
            values += (
                [
                    result.band_stars,
                    result.stars,
                    _("Disqualified") if result.disqualified else result.cap_reason,
                    result.get_outcome_display(),
                ]
                if result
                else ["", "", "", ""]
            )
        return values

    sheets = [Sheet(_("Aggregate"), headers, (summary(row) for row in rows))]
    if closed:
        # Raw points only once the round is closed: before, they would show a member
        # other members' scores.
        sheets.append(
            Sheet(
                _("Points per criterion"),
                [
                    _("Product code"),
                    _("Product"),
                    _("Member"),
                    _("Part"),
                    _("Criterion"),
                    _("Answer"),
                    _("Points"),
                ],
                (
                    [
                        answer.sheet.entry.dossier.product.code,
                        answer.sheet.entry.dossier.product.name,
                        str(answer.sheet.member.user),
                        answer.criterion.part.code,
                        f"{answer.criterion.code} {answer.criterion.name}",
                        answer.option.text,
                        answer.points,
                    ]
                    for answer in answers
                ),
            )
        )
        sheets.append(
            Sheet(
                _("Totals per member"),
                [_("Product code"), _("Product"), _("Member"), _("Total")],
                (
                    [
                        sheet.entry.dossier.product.code,
                        sheet.entry.dossier.product.name,
                        str(sheet.member.user),
                        sheet.total,
                    ]
                    for sheet in totals
                ),
            )
        )
    return sheets


@dataclass
class Attendance:
    """A member's line in the minutes: whether the member took part (submitted a sheet
    that counts), and the products the member was excluded from, declared by the
    member or found by the system (linked to the producer)."""

    member: CouncilMember
    present: bool
    declared: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    # Some product of the round is one the member was not excluded from.
    missed_some: bool = True

    @property
    def absent(self) -> bool:
        """Took no part in a product the member could have scored."""
        return not self.present and self.missed_some


@dataclass
class Rescored:
    """A sheet the chair reopened, with the chair's reasons, oldest first."""

    member: CouncilMember
    times: int
    reasons: list[str]
    # False when the member had not submitted the sheet again by the close: it did
    # not count.
    resubmitted: bool


@dataclass
class Discussed:
    """A product whose totals were more than the round's threshold apart, or one
    whose sheets were reopened for re-scoring; totals are the final ones."""

    row: EntryRow
    lowest: Decimal
    highest: Decimal
    spread: Decimal
    flagged: bool
    rescored: list[Rescored]


def _attendance(
    members: Sequence[CouncilMember],
    present: Collection[int],
    exclusions: Iterable[Exclusion],
    entry_count: int,
) -> list[Attendance]:
    lines = {m.pk: Attendance(member=m, present=m.pk in present) for m in members}
    excluded_from: dict[int, int] = defaultdict(int)
    for exclusion in exclusions:
        line = lines.get(exclusion.member_id)
        if line is None:
            continue
        product = exclusion.entry.dossier.product.name
        if exclusion.source == ExclusionSource.DECLARED:
            line.declared.append(product)
        else:
            line.linked.append(product)
        excluded_from[exclusion.member_id] += 1
    for line in lines.values():
        line.missed_some = excluded_from[line.member.pk] < entry_count
    return list(lines.values())


def _discussed(
    round: Round,
    rows: Sequence[EntryRow],
    reopened: Iterable[ScoreSheet],
    reopen_events: Iterable[AuditEvent],
) -> list[Discussed]:
    reasons: dict[int, list[str]] = defaultdict(list)
    for event in sorted(reopen_events, key=lambda e: (e.at, e.pk)):
        if event.reason:
            reasons[event.object_id].append(event.reason)
    rescored: dict[int, list[Rescored]] = defaultdict(list)
    for sheet in reopened:
        rescored[sheet.entry_id].append(
            Rescored(
                member=sheet.member,
                times=sheet.reopened_count,
                reasons=reasons.get(sheet.pk, []),
                resubmitted=sheet.is_submitted,
            )
        )
    discussed = []
    for row in rows:
        result = row.result
        if result is None:
            continue
        spread = result.max_total - result.min_total
        flagged = spread > round.spread_threshold
        if flagged or rescored.get(row.entry.pk):
            discussed.append(
                Discussed(
                    row=row,
                    lowest=result.min_total,
                    highest=result.max_total,
                    spread=spread,
                    flagged=flagged,
                    rescored=rescored.get(row.entry.pk, []),
                )
            )
    return discussed


def minutes_context(
    *,
    round: Round,
    members: Sequence[CouncilMember],
    present: Collection[int],
    rows: Sequence[EntryRow],
    decision: Decision | None,
    exclusions: Iterable[Exclusion] = (),
    entry_count: int = 0,
    reopened: Iterable[ScoreSheet] = (),
    reopen_events: Iterable[AuditEvent] = (),
) -> dict:
    """The context of the minutes: the council with who took part (`present`: ids of
    the members who submitted a sheet that counts; `exclusions`: the round's conflicts
    of interest with their entries' products; `entry_count`: the round's products),
    the results, the products discussed and the signatories.

    A product is discussed when its final totals (the results' lowest and highest) are
    more than the round's threshold apart, or when the chair reopened one of its
    sheets (`reopened`: the round's sheets reopened at least once, with their members'
    users; `reopen_events`: the "reopened" audit events of those sheets, whose reasons
    the minutes quote). Before the round is closed, `rows` is empty and nothing is
    discussed yet."""
    attendance = _attendance(members, present, exclusions, entry_count)
    discussed = _discussed(round, rows, reopened, reopen_events)
    return {
        "round": round,
        "members": members,
        "attendance": attendance,
        "present": present,
        "present_count": sum(1 for line in attendance if line.present),
        "rows": rows,
        "discussed": discussed,
        "discussed_products": [
            item.row.entry.dossier.product.name for item in discussed
        ],
        "chair": next((m for m in members if m.role == CouncilRole.CHAIR), None),
        "secretary": next(
            (m for m in members if m.role == CouncilRole.SECRETARY), None
        ),
        "decision": decision,
    }
