"""The council's paperwork built from what the views have loaded: the Excel workbooks
of the round list and of a round, and the context of a round's minutes.

Pure builders: no lookups and no permission checks here. The rows a builder gets are
already masked by blind scoring (results.entry_rows); the builder adds only what the
round's status allows.
"""

from collections.abc import Collection, Iterable, Sequence

from django.utils.translation import gettext as _

from core.exports import Sheet

from .models import (
    Answer,
    CouncilMember,
    CouncilRole,
    Decision,
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
        _("District"),
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
        headers += [_("Stars"), _("Outcome")]

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
            values += (
                [row.result.stars, row.result.get_outcome_display()]
                if row.result
                else ["", ""]
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


def minutes_context(
    *,
    round: Round,
    members: Sequence[CouncilMember],
    present: Collection[int],
    rows: Sequence[EntryRow],
    decision: Decision | None,
) -> dict:
    """The context of the minutes: the council with who attended (`present`: ids of
    the members who submitted a sheet), the results and the signatories."""
    return {
        "round": round,
        "members": members,
        "present": present,
        "present_count": sum(1 for m in members if m.pk in present),
        "rows": rows,
        "chair": next((m for m in members if m.role == CouncilRole.CHAIR), None),
        "secretary": next(
            (m for m in members if m.role == CouncilRole.SECRETARY), None
        ),
        "decision": decision,
    }
