"""Demo step: the merged Đồng Tháp in 2026, beside the 2021 demo (which it leaves as it
is). Since 1/7/2025 there are no districts: commune officers register producers and
submit dossiers to their commune, which checks them and proposes them to the
province; under Decision 26/2026/QĐ-TTg the council's advisory team reviews them and
the provincial council alone rates 3★ and 4★.

- Commune officers: xa.laivung (Xã Lai Vung, which took over Xã Tân Phước of Lai
  Vung), xa.thapmuoi (Xã Tháp Mười) and p.daothanh (Phường Đạo Thạnh, formerly of Mỹ
  Tho, Tiền Giang). The provincial officer and the administrator continue at the
  merged province.
- The provincial council of the merged province (council1 … council7 again).
- Real products of the former Tiền Giang with their recognitions (from public pages,
  products/data/tien_giang_ocop_examples.csv; decision numbers illustrative).
- A 2026 plan (illustrative targets: the merged province's were not at hand).
- 2026 producers, products and dossiers in every state of today's process: round 1
  (dossiers submitted in April under 1489/QĐ-TTg) closed with its decision; round 2
  (26/2026) scoring, with dossiers reviewed by the advisory team, accepted, proposed,
  with the commune, returned by it, and a draft. Names of 2026 producers are
  illustrative.
Every change goes through the services, each on its own day (core.clock).
"""

import csv
import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from core import clock
from evaluations import advisory, services
from evaluations.catalogue import version_for_dossier
from evaluations.certificates import record_decision, record_historic_decision
from evaluations.models import Council, CouncilRole, Decision, Regime, Round
from evaluations.results import finalise_round
from evaluations.scoring import star_band
from evaluations.self_assessment import save_self_assessment
from plans import progress
from plans import services as plan_services
from plans.models import Plan
from producers.models import Producer, ProducerKind
from producers.services import create_producer
from products import imports, process
from products.catalogue import DATA_DIR as PRODUCT_DATA
from products.models import (
    AssessmentConclusion,
    DocumentType,
    Dossier,
    DossierKind,
    DossierStatus,
    EvaluationLevel,
    Product,
    ProductSet,
)
from products.services import add_document, create_dossier, create_product
from regions.models import AdministrativeUnit
from regions.services import (
    FORMER_TIEN_GIANG_CODE,
    LAST_DAY_BEFORE_REFORM,
    MERGED_PROVINCE_CODE,
    REFORM_DAY,
)

from .base import ensure_mandate, ensure_user
from .evaluations import (
    PROVINCIAL_SEATS,
    _backdate,
    _member,
    _score,
    choices_for,
    criteria_answered,
)
from .products import _files as document_files

YEAR = 2026
COUNCIL = "Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Đồng Tháp (từ 01/7/2025)"
COMMUNE_OFFICERS = [
    ("xa.laivung", "Võ", "Thị Mai", "Xã Lai Vung", "Ủy ban nhân dân xã Lai Vung"),
    (
        "xa.thapmuoi",
        "Nguyễn",
        "Thanh Tâm",
        "Xã Tháp Mười",
        "Ủy ban nhân dân xã Tháp Mười",
    ),
    (
        "p.daothanh",
        "Trần",
        "Văn Hậu",
        "Phường Đạo Thạnh",
        "Ủy ban nhân dân phường Đạo Thạnh",
    ),
]
# (commune officer, producer, kind, tax code, representative, product, set of 148)
PRODUCTS = [
    (
        "xa.laivung",
        "Hợp tác xã Nông nghiệp Tân Phước",
        ProducerKind.COOPERATIVE,
        "1402600011",
        "Nguyễn Văn Phước",
        "Quýt hồng sấy dẻo",
        7,
    ),
    (
        "xa.laivung",
        "Hợp tác xã Nông nghiệp Tân Phước",
        ProducerKind.COOPERATIVE,
        "1402600011",
        "Nguyễn Văn Phước",
        "Mứt quýt hồng",
        7,
    ),
    (
        "xa.laivung",
        "Cơ sở chế biến Bảy Hồng",
        ProducerKind.HOUSEHOLD,
        "1402600012",
        "Lê Thị Hồng",
        "Chả lụa quế",
        8,
    ),
    (
        "xa.thapmuoi",
        "Hợp tác xã Sen Mỹ Hòa",
        ProducerKind.COOPERATIVE,
        "1402600021",
        "Trần Thị Sen",
        "Hạt sen sấy giòn",
        7,
    ),
    (
        "xa.thapmuoi",
        "Hợp tác xã Sen Mỹ Hòa",
        ProducerKind.COOPERATIVE,
        "1402600021",
        "Trần Thị Sen",
        "Mứt hạt sen",
        7,
    ),
    (
        "xa.thapmuoi",
        "Cơ sở Sen Hồng Tháp Mười",
        ProducerKind.HOUSEHOLD,
        "1402600022",
        "Phạm Văn Hồng",
        "Củ sen ngâm chua ngọt",
        7,
    ),
    (
        "p.daothanh",
        "Công ty TNHH Thực phẩm Đạo Thạnh",
        ProducerKind.ENTERPRISE,
        "1202600031",
        "Huỳnh Văn Thạnh",
        "Chuối sấy dẻo",
        7,
    ),
    (
        "p.daothanh",
        "Công ty TNHH Thực phẩm Đạo Thạnh",
        ProducerKind.ENTERPRISE,
        "1202600031",
        "Huỳnh Văn Thạnh",
        "Mít sấy giòn",
        7,
    ),
    (
        "p.daothanh",
        "Công ty TNHH Thực phẩm Đạo Thạnh",
        ProducerKind.ENTERPRISE,
        "1202600031",
        "Huỳnh Văn Thạnh",
        "Khô cá lóc",
        8,
    ),
]
REPORT = {
    "local_origin": "Nguyên liệu trồng và thu mua tại xã.",
    "local_labour": "Sử dụng lao động địa phương, phần lớn là phụ nữ.",
    "idea_origin": "Ý tưởng sản phẩm của chủ thể, phát triển từ sản phẩm truyền thống.",
    "local_identity": "Cách chế biến truyền thống của vùng, gắn với đặc sản địa phương.",
}
ROUND_1 = "Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2026 – đợt 1"
ROUND_2 = "Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2026 – đợt 2"
DECISION = {
    "number": "1588/QĐ-UBND (minh họa)",
    "date": datetime.date(YEAR, 6, 26),
    "signer": "Chủ tịch UBND tỉnh Đồng Tháp",
    "signer_title": "Chủ tịch Ủy ban nhân dân tỉnh",
}


def _unit_today(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(REFORM_DAY).get(name=name)


def _province() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(
        code=MERGED_PROVINCE_CODE, valid_from=REFORM_DAY
    )


# People -------------------------------------------------------------------------------


def _officers() -> dict[str, User]:
    officers = {}
    for username, last, first, commune, organisation in COMMUNE_OFFICERS:
        user, _ = ensure_user(
            username=username,
            last_name=last,
            first_name=first,
            organisation=organisation,
        )
        ensure_mandate(user=user, role=Role.COMMUNE_OFFICER, unit=_unit_today(commune))
        officers[username] = user
    return officers


def _council() -> tuple[Council, list]:
    council, _ = Council.objects.get_or_create(
        name=COUNCIL, unit=_province(), defaults={"level": EvaluationLevel.PROVINCE}
    )
    members = []
    for seat in PROVINCIAL_SEATS:
        user, _ = ensure_user(
            username=seat.username,
            first_name=seat.first_name,
            last_name=seat.last_name,
            organisation=seat.organisation,
        )
        members.append(_member(council, user, seat.role, seat.title))
    return council, members


# The former Tiền Giang ------------------------------------------------------------------


def _tien_giang(province_user: User, log) -> int:
    """The real products of the former Tiền Giang and their recognitions."""
    path = PRODUCT_DATA / "tien_giang_ocop_examples.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    tien_giang = AdministrativeUnit.objects.get(
        code=FORMER_TIEN_GIANG_CODE, valid_to=LAST_DAY_BEFORE_REFORM
    )
    by_round: dict[str, list] = {}
    for index, row in enumerate(rows):
        commune = AdministrativeUnit.objects.get(
            name=row["commune"],
            parent__name=row["district"],
            parent__parent=tien_giang,
        )
        producer = Producer.objects.filter(name=row["producer"]).first()
        if producer is None:
            producer = Producer.objects.create(
                kind=row["kind"],
                name=row["producer"],
                registration_number=f"12{index + 1:08d}",
                legal_representative="(theo hồ sơ)",
                commune=commune,
                created_by=province_user,
            )
        year = int(row["round_month"][:4])
        product = Product.objects.filter(producer=producer, name=row["product"]).first()
        if product is None:
            product = imports.import_product(
                user=province_user,
                producer=producer,
                name=row["product"],
                product_set=ProductSet.objects.get(
                    classification__code="1048" if year < 2023 else "148",
                    number=int(row["set_number"]),
                ),
                year=year,
            )
        by_round.setdefault(row["round_month"], []).append((product, int(row["stars"])))
    recorded = 0
    for month, recognitions in sorted(by_round.items()):
        number = f"{month.replace('-', '')}/QĐ-UBND-TG (minh họa)"
        if Decision.objects.filter(province=tien_giang, number=number).exists():
            continue
        record_historic_decision(
            province=tien_giang,
            user=province_user,
            number=number,
            date=datetime.date.fromisoformat(f"{month}-15"),
            signer="Chủ tịch UBND tỉnh Tiền Giang",
            level=EvaluationLevel.PROVINCE,
            recognitions=recognitions,
        )
        recorded += len(recognitions)
    log(f"  Former Tiền Giang: {len(rows)} real products, {recorded} recognitions.")
    return recorded


# The 2026 plan --------------------------------------------------------------------------


def _plan(province_user: User) -> Plan:
    plan = Plan.objects.filter(province=_province(), year=YEAR).first()
    if plan is not None:
        return plan
    with clock.acting_on(datetime.date(YEAR, 2, 20)):
        plan = plan_services.create_plan(
            user=province_user,
            year=YEAR,
            number="42/KH-UBND (minh họa)",
            issued_on=datetime.date(YEAR, 2, 20),
            title=(
                "Kế hoạch thực hiện Chương trình OCOP tỉnh Đồng Tháp năm 2026 "
                "(chỉ tiêu minh họa)"
            ),
            lead_agency="Sở Nông nghiệp và Môi trường tỉnh Đồng Tháp",
            signer="Phó Chủ tịch UBND tỉnh",
        )
        for indicator, value in [
            ("new_products", 100),
            ("upgrades_3_to_4", 15),
            ("national_candidates", 3),
            ("officers_trained", 100),
            ("producers_trained", 80),
            ("sales_points", 5),
        ]:
            plan_services.add_target(
                plan=plan,
                user=province_user,
                indicator=indicator,
                target_value=Decimal(value),
                note="Minh họa",
            )
    return plan


# Producers, products, dossiers ------------------------------------------------------------


def _product(officers: dict[str, User], spec) -> Product:
    username, producer_name, kind, tax_code, representative, name, set_number = spec
    officer = officers[username]
    commune = officer.mandates.get(role=Role.COMMUNE_OFFICER).unit
    producer = Producer.objects.filter(registration_number=tax_code).first()
    if producer is None:
        producer = create_producer(
            user=officer,
            kind=kind,
            name=producer_name,
            registration_number=tax_code,
            legal_representative=representative,
            commune=commune,
            address="Ấp 1",
        )
    product = Product.objects.filter(producer=producer, name=name).first()
    if product is None:
        product = create_product(
            user=officer,
            producer=producer,
            name=name,
            product_set=ProductSet.objects.get(
                classification__code="148", number=set_number
            ),
            year=YEAR,
        )
    return product


def _self_assessment(dossier: Dossier, officer: User, *, by: str, target: float):
    """The producer's self-assessment (Mẫu 02) on the sheet the council will use,
    recorded by the commune officer while the dossier is a draft."""
    if dossier.status != DossierStatus.DRAFT or hasattr(dossier, "self_assessment"):
        return
    version = version_for_dossier(dossier, day=clock.today())
    if version is None:
        return
    rnd = random.Random(f"self-{dossier.product.code}")
    choices = choices_for(criteria_answered(version.pk), target, rnd, meet_stars=4)
    save_self_assessment(dossier=dossier, user=officer, choices=choices, assessed_by=by)


def _dossier(product: Product, officer: User) -> Dossier:
    dossier = Dossier.objects.filter(product=product, year=YEAR).first()
    if dossier is not None:
        return dossier
    dossier = create_dossier(
        user=officer, product=product, year=YEAR, kind=DossierKind.NEW
    )
    required = DocumentType.objects.filter(required_for_sets=product.product_set_id)
    for document_type, name, content in document_files(product, list(required), YEAR):
        add_document(
            dossier=dossier,
            user=officer,
            document_type=document_type,
            upload=SimpleUploadedFile(name, content),
        )
    return dossier


def _walk(dossier: Dossier, officer: User, province_user: User, steps, days) -> Dossier:
    """Take a dossier through `steps` (submit, propose, return_commune, accept,
    review), each on its day."""
    for step, day in zip(steps, days, strict=True):
        with clock.acting_on(day):
            dossier.refresh_from_db()
            if step == "submit":
                process.submit_dossier(dossier=dossier, user=officer)
            elif step in ("propose", "return_commune"):
                process.assess_at_commune(
                    dossier=dossier,
                    user=officer,
                    conclusion=AssessmentConclusion.PROPOSE
                    if step == "propose"
                    else AssessmentConclusion.RETURN,
                    reason=""
                    if step == "propose"
                    else "Bổ sung phiếu kết quả kiểm nghiệm còn hiệu lực.",
                    **REPORT,
                )
            elif step == "accept":
                process.accept_dossier(dossier=dossier, user=province_user)
            elif step == "review":
                advisory.record_advisory_report(
                    dossier=dossier,
                    user=province_user,
                    team="Tổ tư vấn Hội đồng OCOP tỉnh",
                    findings="Hồ sơ đầy đủ; đã khảo sát cơ sở sản xuất.",
                    recommendation="Đề nghị Hội đồng đánh giá, phân hạng.",
                    site_visit_on=day - datetime.timedelta(days=2),
                )
    dossier.refresh_from_db()
    return dossier


def _round(council, members, *, name, regime, dossiers, opened, closed, targets):
    secretary = next(m for m in members if m.role == CouncilRole.SECRETARY)
    round = Round.objects.filter(council=council, name=name).first()
    if round is not None:
        return round, None
    with clock.acting_on(opened):
        round = services.create_round(
            user=secretary.user,
            council=council,
            regime=Regime.objects.get(code=regime),
            name=name,
            year=YEAR,
        )
        entries = [
            services.assign_dossier(round=round, dossier=dossier, user=secretary.user)
            for dossier in dossiers
        ]
        services.open_scoring(round=round, user=secretary.user)
        for entry, target in zip(entries, targets, strict=True):
            scorers = members if closed else members[:3]
            for member in scorers:
                _score(entry, member, target, meet_stars=star_band(Decimal(target)))
        results = None
        if closed:
            results = finalise_round(round=round, user=secretary.user)
    _backdate(round, opened, closed)
    return round, results


def seed_today(log) -> None:
    province_user = User.objects.get(username="province")
    officers = _officers()
    council, members = _council()
    log("Today's programme (the merged Đồng Tháp, 2026):")
    with clock.acting_on(datetime.date(YEAR, 1, 15)):
        _tien_giang(province_user, log)
    plan = _plan(province_user)
    products = []
    for spec in PRODUCTS:
        with clock.acting_on(datetime.date(YEAR, 3, 2)):
            products.append((_product(officers, spec), officers[spec[0]]))
    dossiers = []
    for product, officer in products:
        with clock.acting_on(datetime.date(YEAR, 3, 16)):
            dossiers.append((_dossier(product, officer), officer))

    def walk(index, steps, days):
        dossier, officer = dossiers[index]
        if dossier.status != DossierStatus.DRAFT:
            return dossier
        return _walk(dossier, officer, province_user, steps, days)

    d = datetime.date
    # Round 1: submitted in April (1489), proposed by 30/4, rated before 30/6.
    first = [
        walk(
            i,
            ["submit", "propose", "accept"],
            [d(YEAR, 4, 6), d(YEAR, 4, 20), d(YEAR, 5, 6)],
        )
        for i in (0, 3, 6)
    ]
    round_1, results = _round(
        council,
        members,
        name=ROUND_1,
        regime="1489",
        dossiers=[
            dossier for dossier in first if dossier.status == DossierStatus.ACCEPTED
        ],
        opened=d(YEAR, 6, 15),
        closed=d(YEAR, 6, 18),
        targets=[66.0, 78.0, 61.0],
    )
    if results is not None and not Decision.objects.filter(round=round_1).exists():
        chair = next(m for m in members if m.role == CouncilRole.CHAIR)
        with clock.acting_on(DECISION["date"]):
            record_decision(round=round_1, user=chair.user, **DECISION)
    # Round 2 (26/2026): every step of today's process.
    # Chả lụa quế (set 8): 26/2026's sheet of set 7 (Mứt quýt hồng) is a draft
    # until the administrator corrects its blank cell against the printed decision.
    # Before submitting, the commune officer records the producer's self-assessment.
    with clock.acting_on(d(YEAR, 9, 3)):
        _self_assessment(*dossiers[2], by="Lê Thị Hồng, chủ cơ sở", target=86.0)
    reviewed = walk(
        2,
        ["submit", "propose", "accept", "review"],
        [d(YEAR, 9, 7), d(YEAR, 9, 21), d(YEAR, 10, 5), d(YEAR, 10, 26)],
    )
    walk(
        4,
        ["submit", "propose", "accept"],
        [d(YEAR, 9, 14), d(YEAR, 9, 28), d(YEAR, 10, 12)],
    )
    walk(7, ["submit", "propose"], [d(YEAR, 10, 5), d(YEAR, 10, 19)])
    walk(5, ["submit"], [d(YEAR, 11, 23)])
    walk(1, ["submit", "return_commune"], [d(YEAR, 10, 12), d(YEAR, 10, 26)])
    _round(
        council,
        members,
        name=ROUND_2,
        regime="26/2026",
        dossiers=[reviewed] if reviewed.status == DossierStatus.REVIEWED else [],
        opened=d(YEAR, 11, 16),
        closed=None,
        targets=[82.0],
    )
    for day in [d(YEAR, 3, 31), d(YEAR, 6, 30), d(YEAR, 9, 30), d(YEAR, 11, 30)]:
        progress.compute_plan_progress(plan_id=plan.pk, day=day)
    statuses = sorted(
        Dossier.objects.filter(year=YEAR, district__isnull=True).values_list(
            "status", flat=True
        )
    )
    log(f"  2026 dossiers: {', '.join(statuses)}.")
