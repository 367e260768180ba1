"""Demo step: Đồng Tháp's evaluation councils and the 2021 rounds, in every state.

- District councils of Lai Vung, Tháp Mười and Châu Thành (chaired by a leader of the
  district People's Committee, the district OCOP officer as secretary) score their
  districts' accepted 2021 dossiers and forward those with 50 points or more
  (1048/QĐ-TTg): their rounds are closed.
- The provincial council (council1 … council7, reference/ocop-domain.md §4.2: chaired
  by a Vice-Chairman of the provincial People's Committee, vice-chairs from Sở NN&PTNT
  and Sở Công Thương, the NTM Coordination Office as secretary) has three rounds:
  round 1 closed with its decision and certificates (Nam Huy's hạt sen sấy goes to the
  national council as a 5★ candidate), round 2 in scoring and half done (drafts, a
  declared conflict of interest, a product whose totals are more than 10 points
  apart), round 3 in preparation.

The products are the accepted 2021 dossiers of the 1048 set 7 "Chế biến từ rau, củ,
quả, hạt" (the one transcribed 1048 sheet) made by the products demo step. Every
change goes through the services, so the audit trail reads as if people did it.
Members' totals are drawn around a target per product, deterministically. The decision
number and the dates of 2021 are illustrative.
"""

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from evaluations import services, sheets
from evaluations.certificates import record_decision
from evaluations.models import (
    Council,
    CouncilMember,
    CouncilRole,
    Criterion,
    Decision,
    DisqualifierCheck,
    Regime,
    Round,
    ScoreSheet,
)
from evaluations.results import finalise_round
from products.models import Dossier, DossierStatus, EvaluationLevel
from regions.text import fold

from .base import PROVINCE_CODE, ensure_user, unit

YEAR = 2021
REGIME = "1048"
SET_NUMBER = 7
PROVINCIAL_COUNCIL = "Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Đồng Tháp"
ROUND_NAME = "Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2021 – đợt {number}"
DECISION = {
    "number": "1196/QĐ-UBND-HC",
    "date": datetime.date(2021, 9, 17),
    "signer": "Huỳnh Minh Tuấn",
    "signer_title": "Phó Chủ tịch UBND tỉnh Đồng Tháp",
}


@dataclass(frozen=True)
class Seat:
    username: str
    last_name: str
    first_name: str
    role: str
    title: str
    organisation: str


PROVINCIAL_SEATS = [
    Seat(
        "council1",
        "Huỳnh",
        "Minh Tuấn",
        CouncilRole.CHAIR,
        "Phó Chủ tịch UBND tỉnh – Chủ tịch Hội đồng",
        "Ủy ban nhân dân tỉnh Đồng Tháp",
    ),
    Seat(
        "council2",
        "Nguyễn",
        "Văn Dũng",
        CouncilRole.SECRETARY,
        "Chánh Văn phòng Điều phối nông thôn mới tỉnh – Thư ký Hội đồng",
        "Văn phòng Điều phối nông thôn mới tỉnh Đồng Tháp",
    ),
    Seat(
        "council3",
        "Lê",
        "Thị Thanh Hương",
        CouncilRole.MEMBER,
        "Phó Giám đốc Sở Nông nghiệp và Phát triển nông thôn – Phó Chủ tịch Hội đồng",
        "Sở Nông nghiệp và Phát triển nông thôn",
    ),
    Seat(
        "council4",
        "Trần",
        "Quốc Bảo",
        CouncilRole.MEMBER,
        "Phó Giám đốc Sở Công Thương – Phó Chủ tịch Hội đồng",
        "Sở Công Thương",
    ),
    Seat(
        "council5",
        "Phạm",
        "Minh Khoa",
        CouncilRole.MEMBER,
        "Trưởng phòng Quản lý chuyên ngành, Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ",
    ),
    Seat(
        "council6",
        "Võ",
        "Thị Ngọc Lan",
        CouncilRole.MEMBER,
        "Phó Chi cục trưởng Chi cục An toàn vệ sinh thực phẩm, Sở Y tế",
        "Sở Y tế",
    ),
    Seat(
        "council7",
        "Đặng",
        "Hoàng Phúc",
        CouncilRole.MEMBER,
        "Phó Trưởng phòng Kinh tế ngành, Sở Kế hoạch và Đầu tư",
        "Sở Kế hoạch và Đầu tư",
    ),
]

# district code, short username, district officer persona, leader's name
DISTRICTS = [
    ("876", "laivung", "Lai Vung", ("Đoàn", "Văn Hải")),
    ("872", "thapmuoi", "Tháp Mười", ("Nguyễn", "Thanh Tùng")),
    ("877", "chauthanh", "Châu Thành", ("Lê", "Hoàng Phong")),
]
DISTRICT_MEMBERS = [
    ("Trưởng phòng Kinh tế và Hạ tầng", "Phòng Kinh tế và Hạ tầng"),
    ("Trưởng phòng Tài chính – Kế hoạch", "Phòng Tài chính – Kế hoạch"),
    ("Phó Trưởng phòng Tài nguyên và Môi trường", "Phòng Tài nguyên và Môi trường"),
]
DISTRICT_MEMBER_NAMES = [
    ("Trương", "Văn Lộc"),
    ("Huỳnh", "Thị Mai"),
    ("Nguyễn", "Phước Thịnh"),
]

# Products that the province forwards to the national council (mean ≥ 90): the
# provincial plan's 5★ candidates (reference/ocop-domain.md §7.2).
NATIONAL_CANDIDATES = [("nam huy", "hat sen"), ("viet duc", "xoai")]


# Councils ----------------------------------------------------------------------------


def _member(council: Council, user: User, role: str, title: str) -> CouncilMember:
    member, _ = CouncilMember.objects.get_or_create(
        council=council, user=user, defaults={"role": role, "title": title}
    )
    return member


def _provincial_council() -> Council:
    council, _ = Council.objects.get_or_create(
        name=PROVINCIAL_COUNCIL,
        defaults={"level": EvaluationLevel.PROVINCE, "unit": unit(PROVINCE_CODE)},
    )
    for seat in PROVINCIAL_SEATS:
        user, _ = ensure_user(
            username=seat.username,
            first_name=seat.first_name,
            last_name=seat.last_name,
            organisation=seat.organisation,
        )
        _member(council, user, seat.role, seat.title)
    return council


def _district_council(code: str, short: str, name: str, leader) -> Council:
    district = unit(code)
    council, _ = Council.objects.get_or_create(
        name=f"Hội đồng đánh giá, phân hạng sản phẩm OCOP huyện {name}",
        defaults={"level": EvaluationLevel.DISTRICT, "unit": district},
    )
    chair, _ = ensure_user(
        username=f"ct.{short}",
        last_name=leader[0],
        first_name=leader[1],
        organisation=f"Ủy ban nhân dân huyện {name}",
    )
    _member(
        council, chair, CouncilRole.CHAIR, f"Phó Chủ tịch UBND huyện {name} – Chủ tịch"
    )
    officer = User.objects.get(username=short)
    _member(council, officer, CouncilRole.SECRETARY, "Cán bộ OCOP huyện – Thư ký")
    for index, ((title, office), (last, first)) in enumerate(
        zip(DISTRICT_MEMBERS, DISTRICT_MEMBER_NAMES, strict=True), start=1
    ):
        user, _ = ensure_user(
            username=f"tv{index}.{short}",
            last_name=last,
            first_name=first,
            organisation=f"{office} huyện {name}",
        )
        _member(council, user, CouncilRole.MEMBER, f"{title} huyện {name}")
    return council


# Scores ------------------------------------------------------------------------------


def _rng(*parts) -> random.Random:
    # A str seed is hashed with SHA-512: the same on every run and machine.
    return random.Random("|".join(map(str, parts)))


def _target(dossier: Dossier) -> float:
    """The mean a product deserves, drawn once per product: mostly 3★, some 4★, a few
    below 50; the provincial plan's 5★ candidates above 90."""
    product = dossier.product
    text = fold(f"{product.producer.name} {product.name}")
    if any(a in text and b in text for a, b in NATIONAL_CANDIDATES):
        return 93.0
    draw = _rng("target", product.code).random()
    rnd = _rng("value", product.code)
    if draw < 0.05:
        return rnd.uniform(43, 48)
    if draw < 0.70:
        return rnd.uniform(55, 69)
    return rnd.uniform(72, 86)


def choices_for(
    criteria: list[Criterion], target: float, rnd, *, meet_stars: int = 0
) -> dict[int, int]:
    """Options whose points add up to just under `target`: start from the lowest
    option of each criterion (or, with `meet_stars`, the lowest that meets the sheet's
    requirements for that star level) and raise criteria in random order while it
    fits."""
    ladders = {
        criterion.pk: sorted(criterion.options.all(), key=lambda o: (o.points, o.pk))
        for criterion in criteria
    }
    level = dict.fromkeys(ladders, 0)
    for criterion in criteria if meet_stars else []:
        ladder = ladders[criterion.pk]
        needed = [
            option.points
            for option in ladder
            if option.required_for_stars and option.required_for_stars <= meet_stars
        ]
        if criterion.required_for_stars and criterion.required_for_stars <= meet_stars:
            needed.append(criterion.max_points)
        if needed:
            level[criterion.pk] = next(
                step
                for step, option in enumerate(ladder)
                if option.points >= max(needed)
            )
    total = sum(ladders[pk][step].points for pk, step in level.items())
    goal = Decimal(str(round(target, 2)))
    order = list(ladders)
    raised = True
    while raised:
        raised = False
        rnd.shuffle(order)
        for criterion_id in order:
            ladder = ladders[criterion_id]
            step = level[criterion_id] + 1
            if step < len(ladder):
                gain = ladder[step].points - ladder[level[criterion_id]].points
                if total + gain <= goal:
                    level[criterion_id] = step
                    total += gain
                    raised = True
    return {cid: ladders[cid][step].pk for cid, step in level.items()}


def _criteria(entry) -> list[Criterion]:
    return criteria_answered(entry.criteria_id)


def criteria_answered(version_id: int) -> list[Criterion]:
    """The criteria a member answers: all, and the first case of a group of
    alternative cases."""
    answered, groups = [], set()
    for criterion in (
        Criterion.objects.filter(part__version=version_id)
        .select_related("group")
        .prefetch_related("options")
        .order_by("part__position", "group__position", "position")
    ):
        if criterion.group.alternatives:
            if criterion.group_id in groups:
                continue
            groups.add(criterion.group_id)
        answered.append(criterion)
    return answered


def _score(
    entry,
    member: CouncilMember,
    target: float,
    *,
    submit: bool = True,
    meet_stars: int = 0,
):
    rnd = _rng("member", entry.dossier.product.code, member.user.username)
    choices = choices_for(
        _criteria(entry), target + rnd.uniform(-3.5, 3.5), rnd, meet_stars=meet_stars
    )
    sheet = sheets.open_sheet(entry=entry, user=member.user)
    if submit:
        # A sheet printing a disqualifier line: the member found no ground for it.
        check = DisqualifierCheck.CLEAR if entry.criteria.disqualifier else None
        return sheets.submit_sheet(
            sheet=sheet, user=member.user, choices=choices, disqualifier_check=check
        )
    partial = dict(list(choices.items())[: len(choices) * 2 // 3])
    return sheets.save_sheet(sheet=sheet, user=member.user, choices=partial)


def _backdate(round: Round, opened: datetime.date, closed: datetime.date | None):
    """Put the round's own dates in 2021 (the services stamp today's time)."""
    tz = timezone.get_current_timezone()
    opened_at = datetime.datetime.combine(opened, datetime.time(8, 0), tz)
    Round.objects.filter(pk=round.pk).update(
        scoring_opened_at=opened_at,
        closed_at=datetime.datetime.combine(closed, datetime.time(16, 30), tz)
        if closed
        else None,
    )
    ScoreSheet.objects.filter(entry__round=round, submitted_at__isnull=False).update(
        submitted_at=datetime.datetime.combine(closed or opened, datetime.time(11), tz)
    )


# Rounds ------------------------------------------------------------------------------


def _set7_dossiers():
    return (
        Dossier.objects.filter(
            year=YEAR,
            product__product_set__classification__code=REGIME,
            product__product_set__number=SET_NUMBER,
        )
        .select_related("product__producer", "district")
        .order_by("district__code", "product__code")
    )


def _open_round(*, council, name, creator, dossiers, manager) -> tuple[Round, list]:
    round = services.create_round(
        user=creator,
        council=council,
        regime=Regime.objects.get(code=REGIME),
        name=name,
        year=YEAR,
    )
    entries = [
        services.assign_dossier(round=round, dossier=dossier, user=manager)
        for dossier in dossiers
    ]
    return round, entries


def _district_round(council: Council, log) -> None:
    name = f"Đánh giá, phân hạng sản phẩm OCOP cấp huyện {council.unit.short_name} năm {YEAR}"
    if Round.objects.filter(council=council, name=name).exists():
        return
    dossiers = list(
        _set7_dossiers().filter(status=DossierStatus.ACCEPTED, district=council.unit_id)
    )
    if not dossiers:
        log(f"  {council.name}: no accepted 2021 dossier of set 7, no round.")
        return
    members = list(council.members.select_related("user").order_by("pk"))
    secretary = next(m for m in members if m.role == CouncilRole.SECRETARY)
    round, entries = _open_round(
        council=council,
        name=name,
        creator=secretary.user,
        dossiers=dossiers,
        manager=secretary.user,
    )
    services.open_scoring(round=round, user=secretary.user)
    for entry in entries:
        target = _target(entry.dossier) - 1
        for member in members:
            _score(entry, member, target)
    results = finalise_round(round=round, user=secretary.user)
    _backdate(round, datetime.date(YEAR, 6, 22), datetime.date(YEAR, 6, 24))
    forwarded = sum(1 for result in results if result.outcome == "forwarded")
    log(f"  {round.name}: {len(results)} products, {forwarded} forwarded.")


def _provincial_candidates() -> list[Dossier]:
    """Dossiers waiting for the province: forwarded by a district council, or
    accepted in a district without a council in the demo. The plan's 5★ candidates
    and a 4★ product first, so that round 1 decides them."""
    province = unit(PROVINCE_CODE)
    dossiers = list(
        _set7_dossiers().filter(
            Q(status=DossierStatus.FORWARDED, level=EvaluationLevel.PROVINCE)
            | Q(status=DossierStatus.ACCEPTED)
            & ~Q(district__code__in=[code for code, *_ in DISTRICTS]),
            district__parent=province,
        )
    )
    national = [d for d in dossiers if _target(d) >= 90]
    four_stars = [d for d in dossiers if 70 <= _target(d) < 90][:1]
    return (
        national
        + four_stars
        + [d for d in dossiers if d not in national and d not in four_stars]
    )


def _provincial_round_1(council: Council, members, dossiers, log) -> None:
    """Closed: everyone but council7 scored, finalised, decision recorded."""
    chair, secretary = members[0], members[1]
    round, entries = _open_round(
        council=council,
        name=ROUND_NAME.format(number=1),
        creator=User.objects.get(username="province"),
        dossiers=dossiers,
        manager=secretary.user,
    )
    services.open_scoring(round=round, user=secretary.user)
    for entry in entries:
        target = _target(entry.dossier)
        for member in members[:-1]:
            _score(entry, member, target)
    results = finalise_round(round=round, user=secretary.user)
    decision = None
    recognised = any(result.outcome == "recognised" for result in results)
    if recognised and not Decision.objects.filter(number=DECISION["number"]).exists():
        decision = record_decision(round=round, user=chair.user, **DECISION)
    _backdate(round, datetime.date(YEAR, 8, 25), datetime.date(YEAR, 8, 27))
    log(
        f"  {round.name}: {len(results)} products, "
        f"{decision.certificates.count() if decision else 0} certificates "
        f"({DECISION['number']})."
    )


def _provincial_round_2(council: Council, members, dossiers, log) -> None:
    """Scoring, half done: the first products fully scored (one of them with totals
    far apart), then fewer and fewer sheets, drafts, and a declared conflict."""
    secretary = members[1]
    round, entries = _open_round(
        council=council,
        name=ROUND_NAME.format(number=2),
        creator=secretary.user,
        dossiers=dossiers,
        manager=secretary.user,
    )
    services.open_scoring(round=round, user=secretary.user)
    for index, entry in enumerate(entries):
        target = _target(entry.dossier)
        if index == len(entries) - 1:
            services.declare_conflict(
                entry=entry,
                user=members[4].user,
                reason="Đã tham gia tư vấn xây dựng hồ sơ và câu chuyện sản phẩm "
                "cho chủ thể năm 2020.",
            )
        submitted = max(len(members) - 2 * index, 1)
        for position, member in enumerate(members):
            if index == len(entries) - 1 and member == members[4]:
                continue
            if position < submitted:
                # The first product: one member far below the others (flagged).
                spread = -16 if index == 0 and position == len(members) - 1 else 0
                _score(entry, member, target + spread)
            elif position < submitted + 2:
                _score(entry, member, target, submit=False)
    _backdate(round, datetime.date(YEAR, 11, 16), None)
    log(f"  {round.name}: scoring, {len(entries)} products, half done.")


def _provincial_round_3(council: Council, members, dossiers, log) -> None:
    round, entries = _open_round(
        council=council,
        name=ROUND_NAME.format(number=3),
        creator=members[1].user,
        dossiers=dossiers,
        manager=members[1].user,
    )
    log(f"  {round.name}: preparing, {len(entries)} products assigned.")


def seed_evaluations(log) -> None:
    log("Evaluation councils and 2021 rounds:")
    for code, short, name, leader in DISTRICTS:
        _district_round(_district_council(code, short, name, leader), log)
    council = _provincial_council()
    members = list(council.members.select_related("user").order_by("pk"))
    steps = [_provincial_round_1, _provincial_round_2, _provincial_round_3]
    todo = [
        (number, step)
        for number, step in enumerate(steps, start=1)
        if not Round.objects.filter(
            council=council, name=ROUND_NAME.format(number=number)
        ).exists()
    ]
    if not todo:
        return
    candidates = _provincial_candidates()
    if len(candidates) < len(todo):
        log(f"  only {len(candidates)} dossiers wait for the province: rounds skipped.")
        return
    # Round 1 takes about half, round 2 a third, round 3 the rest.
    shares = {1: 0.45, 2: 0.35, 3: 1.0}
    for position, (number, step) in enumerate(todo):
        left = len(todo) - position - 1
        take = max(1, math.ceil(len(candidates) * shares[number]))
        take = min(take, len(candidates) - left)
        chosen, candidates = candidates[:take], candidates[take:]
        step(council, members, chosen, log)
