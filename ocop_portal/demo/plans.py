"""Demo step: the 2021 plan and what it measures.

- Plan 122/KH-UBND of 14/04/2021 (signed Huỳnh Minh Tuấn) with the targets of the
  DESIGN scenario: 49 new 3★+ products, 20 upgrades 3★→4★, 4 national 5★ candidates,
  100 % of district OCOP officers and 100 % of producers trained, 3 showrooms / sales
  points (the Sa Đéc showroom, the Cao Lãnh creative design centre recorded as a
  display point, and one more), and Lai Vung's own target of 6 new products.
  The lead agency is a field of the plan (sources disagree: ocop-domain.md §7.2).
- Trainings of 2021 with their attendance: the district officers and the producers
  with a 2021 dossier (whatever the earlier demo steps created).
- Sales points. Their opening dates are scenario inputs, said so in their note.
- Progress snapshots every Monday of 2021 and on 31/12, each computed "as of" its day
  from the data (decision dates, training dates, opening dates), so the curve on the
  dashboard is the data's, not drawn by hand.

Runs after the products and evaluations steps; with fewer data it still works, the
figures are just smaller.
"""

import datetime
from decimal import Decimal

from accounts.jurisdiction import local_officers
from accounts.models import User
from plans import progress, services
from plans.models import (
    Plan,
    ProgressSnapshot,
    SalesPoint,
    SalesPointKind,
    Target,
    TrainingAudience,
    TrainingEvent,
)
from producers.models import Producer
from products.models import Dossier

from .base import PROVINCE_CODE, unit

YEAR = 2021
PLAN_NUMBER = "122/KH-UBND"
DEMO_LEAD_AGENCY = "Sở Công Thương Đồng Tháp"
SCENARIO_NOTE = "Kịch bản minh họa: ngày mở cửa là giả định."

# (indicator, target value, district code or None, note)
TARGETS = [
    ("new_products", 49, None, "Ít nhất 49 sản phẩm mới đạt 3 sao trở lên"),
    ("upgrades_3_to_4", 20, None, "Ít nhất 20 sản phẩm nâng hạng từ 3 sao lên 4 sao"),
    (
        "national_candidates",
        4,
        None,
        "4 sản phẩm trên 90 điểm đề nghị Trung ương 5 sao",
    ),
    ("officers_trained", 100, None, "100 % cán bộ OCOP cấp huyện được tập huấn"),
    ("producers_trained", 100, None, "100 % chủ thể tham gia được tập huấn"),
    (
        "sales_points",
        3,
        None,
        "Showroom OCOP Sa Đéc, trung tâm thiết kế sáng tạo Cao Lãnh, điểm bán mới",
    ),
    ("new_products", 6, "876", "Chỉ tiêu huyện Lai Vung: 6 sản phẩm"),
]

# (title, date, place, audience, share of the attendees: (first, last) fractions)
TRAININGS = [
    (
        "Tập huấn nghiệp vụ Chương trình OCOP cho cán bộ cấp huyện năm 2021",
        datetime.date(2021, 5, 25),
        "Hội trường Sở Công Thương, Thành phố Cao Lãnh",
        TrainingAudience.OFFICERS,
        (0, 0.6),
    ),
    (
        "Tập huấn kỹ năng đánh giá, phân hạng sản phẩm OCOP",
        datetime.date(2021, 9, 14),
        "Trung tâm Hội nghị tỉnh, Thành phố Cao Lãnh",
        TrainingAudience.OFFICERS,
        (0.6, 1),
    ),
    (
        "Tập huấn xây dựng câu chuyện sản phẩm, bao bì, nhãn hàng cho chủ thể OCOP",
        datetime.date(2021, 6, 22),
        "Hội trường UBND Thành phố Sa Đéc",
        TrainingAudience.PRODUCERS,
        (0, 0.5),
    ),
    (
        "Tập huấn hoàn thiện hồ sơ, tiêu chuẩn chất lượng sản phẩm OCOP",
        datetime.date(2021, 8, 17),
        "Hội trường UBND huyện Tháp Mười",
        TrainingAudience.PRODUCERS,
        (0.5, 0.9),
    ),
]

# (name, kind, address, commune code, opened on)
SALES_POINTS = [
    (
        "Điểm trưng bày, giới thiệu và bán sản phẩm OCOP Tháp Mười",
        SalesPointKind.SALES_POINT,
        "Khu di tích Gò Tháp",
        "30037",
        datetime.date(2021, 7, 1),
    ),
    (
        "Showroom sản phẩm OCOP Thành phố Sa Đéc",
        SalesPointKind.SHOWROOM,
        "Làng hoa Sa Đéc",
        "29905",
        datetime.date(2021, 10, 15),
    ),
    (
        "Trung tâm thiết kế sáng tạo sản phẩm OCOP tỉnh Đồng Tháp",
        SalesPointKind.DESIGN_CENTRE,
        "Thành phố Cao Lãnh",
        "29866",
        datetime.date(2021, 12, 20),
    ),
]


def _plan(user: User) -> Plan:
    province = unit(PROVINCE_CODE)
    plan = Plan.objects.filter(province=province, number=PLAN_NUMBER).first()
    if plan is None:
        plan = services.create_plan(
            user=user,
            year=YEAR,
            number=PLAN_NUMBER,
            issued_on=datetime.date(2021, 4, 14),
            title="Kế hoạch thực hiện Chương trình Mỗi xã một sản phẩm tỉnh "
            "Đồng Tháp năm 2021",
            lead_agency=DEMO_LEAD_AGENCY,
            signer="Huỳnh Minh Tuấn",
        )
    for indicator, value, district_code, note in TARGETS:
        district = unit(district_code) if district_code else None
        if not Target.objects.filter(
            plan=plan, indicator=indicator, district=district
        ).exists():
            services.add_target(
                plan=plan,
                user=user,
                indicator=indicator,
                target_value=Decimal(value),
                district=district,
                note=note,
            )
    return plan


def _slice(items: list, share: tuple[float, float]) -> list:
    first, last = share
    return items[round(first * len(items)) : round(last * len(items))]


def _trainings(user: User) -> int:
    province = unit(PROVINCE_CODE)
    officers = list(local_officers(province_id=province.pk).order_by("pk"))
    producers = list(
        Producer.objects.filter(
            pk__in=Dossier.objects.filter(year=YEAR, district__parent=province).values(
                "product__producer"
            )
        ).order_by("pk")
    )
    recorded = 0
    for title, day, place, audience, share in TRAININGS:
        training = TrainingEvent.objects.filter(province=province, title=title).first()
        if training is None:
            training = services.create_training(
                user=user, title=title, held_on=day, place=place, audience=audience
            )
        if audience == TrainingAudience.OFFICERS:
            chosen = {"officers": _slice(officers, share)}
        else:
            chosen = {"producers": _slice(producers, share)}
        if any(chosen.values()):
            recorded += len(
                services.add_attendance(training=training, user=user, **chosen)
            )
    return recorded


def _sales_points(user: User) -> None:
    for name, kind, address, commune_code, opened_on in SALES_POINTS:
        if SalesPoint.objects.filter(name=name).exists():
            continue
        services.create_sales_point(
            user=user,
            name=name,
            kind=kind,
            address=address,
            commune=unit(commune_code),
            opened_on=opened_on,
            closed_on=None,
            note=SCENARIO_NOTE,
        )


def snapshot_days(year: int = YEAR) -> list[datetime.date]:
    """Every Monday of the year, and its last day."""
    day = datetime.date(year, 1, 1)
    day += datetime.timedelta(days=(7 - day.weekday()) % 7)
    days = []
    while day.year == year:
        days.append(day)
        day += datetime.timedelta(days=7)
    return [*days, datetime.date(year, 12, 31)]


def seed_plans(log) -> None:
    user = User.objects.get(username="province")
    plan = _plan(user)
    recorded = _trainings(user)
    _sales_points(user)
    days = snapshot_days()
    for day in days:
        progress.compute_plan_progress(plan_id=plan.pk, day=day)
    final = ProgressSnapshot.objects.filter(
        target__plan=plan, day=days[-1]
    ).select_related("target__district")
    figures = ", ".join(
        f"{s.target.indicator}"
        f"{'@' + s.target.district.short_name if s.target.district_id else ''} "
        f"{s.value:g}"
        for s in final.order_by("target")
    )
    log(
        f"Plan {plan.number}: {plan.targets.count()} targets, {recorded} new "
        f"attendees, {len(days)} snapshot days; 31/12/{YEAR}: {figures}."
    )
