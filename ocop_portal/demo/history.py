"""Demo step: Đồng Tháp's recognitions before the 2021 plan, and the 2023 ones still
valid today.

- 2019: decision 1580/QĐ-UBND-HC, 70 products (23×4★, 47×3★) of 30 producers.
- 2020: decision 1850/QĐ-UBND-HC of 07/12/2020; cumulative 158 products (54×4★,
  104×3★) of 74 producers, so 88 more (31×4★, 57×3★) of 44 more producers.
  (reference/ocop-domain.md §7.3.)
- 2023: a few recognitions of real products (Sen Đại Việt 4★, Tam Nông 3★), so that
  the catalogue and the expiring-certificates lists have live certificates today.

Real product and producer names come first (products/data/dong_thap_ocop_examples.csv
and ocop-domain.md §7.4); the rest are plausible Đồng Tháp products, generated
deterministically. The 2019 decision date and the 2023 decision numbers are not in the
sources: they are marked as illustrative in the decision's note.
"""

import datetime
import random

from accounts.audit import record_event
from accounts.jurisdiction import local_officers
from accounts.models import User
from evaluations.certificates import record_historic_decision
from evaluations.models import Decision
from producers.models import Producer, ProducerKind
from products import imports as product_imports
from products.models import Product, ProductSet

from .base import PROVINCE_CODE, unit

SIGNER_2019_2020 = "Phạm Thiện Nghĩa"
SIGNER_TITLE = "Phó Chủ tịch UBND tỉnh"

# (product, producer, district code, stars, year, producer kind, 1048/148 set number)
REAL = [
    (
        "Trà hoa sen",
        "HTX Nông nghiệp Mỹ Hòa",
        "872",
        4,
        2019,
        ProducerKind.COOPERATIVE,
        12,
    ),
    (
        "Hạt sen sấy bơ",
        "Cơ sở sản xuất Sen Hồng Tháp Mười",
        "872",
        3,
        2019,
        ProducerKind.HOUSEHOLD,
        7,
    ),
    (
        "Rượu hồng sen tửu",
        "Cơ sở rượu Hồng Sen",
        "872",
        3,
        2019,
        ProducerKind.HOUSEHOLD,
        14,
    ),
    (
        "Rượu hồng sen tửu đặc biệt",
        "Cơ sở rượu Hồng Sen",
        "872",
        3,
        2019,
        ProducerKind.HOUSEHOLD,
        14,
    ),
    (
        "Trà tim sen",
        "HTX Nông nghiệp Mỹ Hòa",
        "872",
        3,
        2019,
        ProducerKind.COOPERATIVE,
        12,
    ),
    (
        "Trà Hà Diệp Liên",
        "HTX Nông nghiệp Mỹ Hòa",
        "872",
        3,
        2019,
        ProducerKind.COOPERATIVE,
        12,
    ),
    (
        "Nem Lai Vung",
        "Cơ sở nem Út Lai Vung",
        "876",
        3,
        2019,
        ProducerKind.HOUSEHOLD,
        8,
    ),
    (
        "Quýt hồng Lai Vung",
        "HTX Quýt hồng Lai Vung",
        "876",
        3,
        2019,
        ProducerKind.COOPERATIVE,
        1,
    ),
    ("Xoài Cao Lãnh", "HTX Xoài Mỹ Xương", "873", 3, 2019, ProducerKind.COOPERATIVE, 1),
    ("Khô cá sặc rằn", "Cơ sở Dân Mập", "872", 3, 2020, ProducerKind.HOUSEHOLD, 8),
    ("Khô cá sặc rằn", "Cơ sở Hùng Hồng", "872", 3, 2020, ProducerKind.HOUSEHOLD, 8),
    (
        "Hạt sen tươi",
        "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt",
        "872",
        3,
        2020,
        ProducerKind.ENTERPRISE,
        1,
    ),
    (
        "Hạt sen sấy",
        "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt",
        "872",
        3,
        2020,
        ProducerKind.ENTERPRISE,
        7,
    ),
    (
        "Củ sen cắt lát",
        "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt",
        "872",
        3,
        2020,
        ProducerKind.ENTERPRISE,
        7,
    ),
    # The four 4★ products of 2020 the 2021 plan standardises for national 5★
    # (baotintuc.vn, Dec 2020).
    (
        "Hạt sen sấy",
        "Công ty TNHH MTV Nam Huy Đồng Tháp",
        "877",
        4,
        2020,
        ProducerKind.ENTERPRISE,
        7,
    ),
    (
        "Mít sấy",
        "Công ty TNHH MTV Nam Huy Đồng Tháp",
        "877",
        4,
        2020,
        ProducerKind.ENTERPRISE,
        7,
    ),
    (
        "Bánh phồng chay cao cấp hạt sen",
        "Công ty CP Xuất nhập khẩu Nguyên Hậu",
        "877",
        4,
        2020,
        ProducerKind.ENTERPRISE,
        6,
    ),
    (
        "Xoài sấy dẻo",
        "Công ty TNHH Công nghệ thực phẩm Việt Đức",
        "874",
        4,
        2020,
        ProducerKind.ENTERPRISE,
        7,
    ),
    (
        "Bưởi non chưng đường phèn sấy dẻo",
        "Cơ sở Tư Phát Lai Vung",
        "876",
        4,
        2020,
        ProducerKind.HOUSEHOLD,
        7,
    ),
]

REAL_2023 = [
    ("Sen sấy Wasabi", "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt", "872", 4, 7),
    ("Sen sấy", "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt", "872", 4, 7),
    (
        "Ngự trà Hồng Liên",
        "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt",
        "872",
        4,
        12,
    ),
    ("Khô cá lòng tong ôm tiêu sọ 50%", "Cơ sở khô cá đồng Phan Chao", "871", 4, 8),
    ("Trà nhàu cỏ ngọt túi lọc", "Công ty TNHH MTV Green Balance", "871", 3, 12),
    ("Nước mắm nhỉ Sáu Thưa", "Cơ sở nước mắm Sáu Thưa", "871", 3, 9),
    ("Bánh in Bảy Nghiêm", "Cơ sở bánh in Bảy Nghiêm", "871", 3, 6),
    ("Mật ong Mai Huyền", "Cơ sở mật ong Mai Huyền", "871", 3, 4),
    ("Cơm cháy chà bông Tấn Nhựt", "Cơ sở Tấn Nhựt", "871", 3, 6),
]

# Plausible Đồng Tháp products for the rest: (name, set number, districts).
TEMPLATES = [
    ("Bánh phồng tôm", 6, ["867", "866"]),
    ("Hủ tiếu khô", 6, ["867"]),
    ("Bột gạo", 6, ["867", "875"]),
    ("Bánh phồng nếp", 6, ["873", "875"]),
    ("Gạo thơm", 3, ["869", "870", "871", "874"]),
    ("Gạo hữu cơ", 3, ["871", "869"]),
    ("Nem chua", 8, ["876"]),
    ("Chả lụa", 8, ["876", "875"]),
    ("Khô cá lóc", 8, ["871", "869", "870"]),
    ("Mắm cá linh", 9, ["870", "868", "871"]),
    ("Cá linh kho mía", 8, ["868", "870"]),
    ("Mật ong hoa tràm", 4, ["871", "872"]),
    ("Hạt sen sấy giòn", 7, ["872", "873"]),
    ("Xoài sấy", 7, ["873", "866"]),
    ("Mít sấy giòn", 7, ["877", "874"]),
    ("Chuối sấy", 7, ["874", "869"]),
    ("Trà sen", 12, ["872", "866"]),
    ("Trà mãng cầu", 12, ["874"]),
    ("Rượu sen", 14, ["872", "873"]),
    ("Nước ép xoài", 17, ["866", "873"]),
    ("Xoài cát Hòa Lộc", 1, ["873", "866"]),
    ("Quýt hồng", 1, ["876"]),
    ("Nhãn xuồng", 1, ["877", "867"]),
    ("Sen cắt cành", 23, ["872"]),
    ("Hoa kiểng Sa Đéc", 24, ["867"]),
    ("Chiếu Định Yên", 21, ["875"]),
    ("Giỏ lục bình", 21, ["870", "871"]),
    ("Du lịch sinh thái vườn", 26, ["867", "873"]),
]
PRODUCER_PATTERNS = [
    (ProducerKind.COOPERATIVE, "HTX Nông nghiệp {commune}"),
    (ProducerKind.HOUSEHOLD, "Cơ sở sản xuất {family}"),
    (ProducerKind.ENTERPRISE, "Công ty TNHH {family} {district}"),
    (ProducerKind.COOPERATIVE_GROUP, "Tổ hợp tác {product} {commune}"),
]
FAMILIES = [
    "Tư Hùng",
    "Ba Lợi",
    "Út Hiền",
    "Năm Thạnh",
    "Sáu Mến",
    "Bảy Nhỏ",
    "Hai Thủy",
    "Chín Tâm",
    "Mười Khanh",
    "Tám Đen",
    "Thanh Hương",
    "Phước Lộc",
    "Hồng Phát",
    "Kim Ngân",
    "Minh Châu",
    "Tấn Lộc",
    "Hữu Nghĩa",
    "Thành Đạt",
    "Ngọc Lan",
    "Phú Quý",
    "Bích Liên",
    "Vĩnh Phúc",
    "Thiện Tâm",
    "Hoàng Oanh",
    "Mỹ Linh",
    "Quốc Thái",
    "Đức Trí",
    "Gia Bảo",
    "Tâm An",
    "Kim Hoa",
]


def _tax_code(seed: int) -> str:
    # A made-up enterprise code in Đồng Tháp's 14xxxxxxxx range, unique per seed.
    return f"14{seed:08d}"


def _officer_for(district) -> User:
    return local_officers(district_id=district.pk).order_by(
        "pk"
    ).first() or User.objects.get(username="province")


def _commune(district, seed: int):
    communes = list(district.children.order_by("code"))
    return communes[seed % len(communes)]


def _place(commune) -> str:
    """ "Tân Thành" for Xã Tân Thành, but "Phường 2" in full."""
    return commune.name if commune.short_name.isdigit() else commune.short_name


def _producer(name: str, kind: str, district_code: str, seed: int) -> Producer:
    district = unit(district_code)
    existing = Producer.objects.filter(name=name, district=district).first()
    if existing is not None:
        return existing
    officer = _officer_for(district)
    producer = Producer.objects.create(
        kind=kind,
        name=name,
        registration_number=_tax_code(seed),
        registration_issuer="Sở Kế hoạch và Đầu tư tỉnh Đồng Tháp",
        registration_date=datetime.date(2015 + seed % 5, 1 + seed % 12, 1 + seed % 27),
        legal_representative=f"{random.Random(seed).choice(['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ'])} Văn {FAMILIES[seed % len(FAMILIES)].split()[-1]}",
        phone=f"0277 38{seed % 100:02d} {seed % 1000:03d}",
        address=f"Ấp {1 + seed % 5}",
        commune=_commune(district, seed),
        created_by=officer,
    )
    record_event(target=producer, actor=officer, action="imported")
    return producer


def _product(producer: Producer, name: str, set_number: int, year: int) -> Product:
    existing = Product.objects.filter(producer=producer, name=name).first()
    if existing is not None:
        return existing
    officer = producer.created_by
    return product_imports.import_product(
        user=officer,
        producer=producer,
        name=name,
        # 148/QĐ-TTg replaced the 1048 classification on 24/02/2023.
        product_set=ProductSet.objects.get(
            classification__code="148" if year >= 2023 else "1048", number=set_number
        ),
        year=year,
    )


def _generated(
    year: int, count: int, producers: int, start: int
) -> list[tuple[Product, int]]:
    pool = []
    for index in range(producers):
        template = TEMPLATES[(start + index) % len(TEMPLATES)]
        template_name, set_number, districts = template
        district = unit(districts[index % len(districts)])
        kind, pattern = PRODUCER_PATTERNS[index % len(PRODUCER_PATTERNS)]
        seed = year * 1000 + index
        name = pattern.format(
            family=FAMILIES[(start * 3 + index) % len(FAMILIES)],
            district=district.short_name,
            commune=_place(_commune(district, seed)),
            product=template_name[0].lower() + template_name[1:],
        )
        producer = _producer(name, kind, district.code, seed=seed)
        pool.append((producer, template_name, set_number))
    made = []
    for index in range(count):
        producer, template_name, set_number = pool[index % len(pool)]
        variant = ["", " đặc biệt", " cao cấp", " truyền thống"][index // len(pool) % 4]
        product = _product(producer, f"{template_name}{variant}", set_number, year)
        made.append((product, 0))
    return made


def _recognitions(
    real: list, year: int, fours: int, threes: int, producers: int, start: int
):
    items = []
    for index, (
        name,
        producer_name,
        district_code,
        stars,
        _,
        kind,
        set_number,
    ) in enumerate(real):
        producer = _producer(
            producer_name, kind, district_code, seed=year * 1000 + 900 + index
        )
        items.append((_product(producer, name, set_number, year), stars))
    real_producers = {product.producer_id for product, _ in items}
    need_fours = fours - sum(1 for _, stars in items if stars == 4)
    need_threes = threes - sum(1 for _, stars in items if stars == 3)
    generated = _generated(
        year, need_fours + need_threes, max(producers - len(real_producers), 1), start
    )
    for index, (product, _) in enumerate(generated):
        items.append((product, 4 if index < need_fours else 3))
    return items


def seed_history(log) -> None:
    if Decision.objects.filter(number="1580/QĐ-UBND-HC").exists():
        log("History 2019–2023: already there.")
        return
    province = unit(PROVINCE_CODE)
    clerk = User.objects.get(username="province")
    first = _recognitions([r for r in REAL if r[4] == 2019], 2019, 23, 47, 30, start=0)
    record_historic_decision(
        province=province,
        user=clerk,
        number="1580/QĐ-UBND-HC",
        date=datetime.date(2019, 12, 20),
        signer=SIGNER_2019_2020,
        signer_title=SIGNER_TITLE,
        level="province",
        recognitions=first,
    )
    Decision.objects.filter(number="1580/QĐ-UBND-HC").update(
        note="Quyết định công nhận sản phẩm OCOP năm 2019 (70 sản phẩm). Ngày ký là ngày minh họa."
    )
    second = _recognitions([r for r in REAL if r[4] == 2020], 2020, 31, 57, 44, start=7)
    record_historic_decision(
        province=province,
        user=clerk,
        number="1850/QĐ-UBND-HC",
        date=datetime.date(2020, 12, 7),
        signer=SIGNER_2019_2020,
        signer_title=SIGNER_TITLE,
        level="province",
        recognitions=second,
    )
    third = [
        (
            _product(
                _producer(
                    producer,
                    "enterprise" if "Công ty" in producer else "household",
                    district_code,
                    seed=2023 * 1000 + index,
                ),
                name,
                set_number,
                2023,
            ),
            stars,
        )
        for index, (name, producer, district_code, stars, set_number) in enumerate(
            REAL_2023
        )
    ]
    for number, date, stars in (
        ("2270/QĐ-UBND-HC", datetime.date(2023, 12, 18), 4),
        ("3105/QĐ-UBND", datetime.date(2023, 12, 26), 3),
    ):
        record_historic_decision(
            province=province,
            user=clerk,
            number=number,
            date=date,
            signer="Đoàn Tấn Bửu" if stars == 4 else "Chủ tịch UBND huyện Tam Nông",
            signer_title=SIGNER_TITLE if stars == 4 else "",
            level="province" if stars == 4 else "district",
            recognitions=[(p, s) for p, s in third if s == stars],
        )
    Decision.objects.filter(number__in=["2270/QĐ-UBND-HC", "3105/QĐ-UBND"]).update(
        note="Số và ngày quyết định minh họa cho dữ liệu mẫu."
    )
    counts = {
        stars: sum(1 for _, s in first + second if s == stars) for stars in (3, 4)
    }
    log(
        f"History: 2019 {len(first)} products, 2020 {len(second)} more "
        f"(cumulative {counts[4]}×4★, {counts[3]}×3★); 2023 {len(third)} recognitions."
    )
