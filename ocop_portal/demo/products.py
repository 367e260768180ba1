"""Demo step 2: Đồng Tháp producers, products and their 2021 dossiers.

Real names come first (products/data/dong_thap_ocop_examples.csv and
reference/ocop-domain.md §7.4): Cơ sở sản xuất nem Hoàng Khánh and other Nem Lai Vung
makers in Lai Vung; Sen Đại Việt and the lotus producers of Tháp Mười; Nam Huy and
Nguyên Hậu in Châu Thành; Việt Đức in Thanh Bình. The 2021 products of Nam Huy,
Nguyên Hậu and Việt Đức beyond their real ones, and the other producers, are plausible
but invented.

2021 was scored under 1048/QĐ-TTg, so the products take 1048 sets. In the districts
with a demo officer (Lai Vung, Tháp Mười, Châu Thành) the officer registers everything
through the services and the province reviews the dossiers, so every page has a
history; elsewhere the records are imported (audit action "imported"). Dossiers stand in
every status before evaluation: draft, submitted, returned (with the reason),
resubmitted and accepted. Their documents are small PDF and PNG files made here.
"""

import datetime
import io
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageDraw

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify

from accounts.audit import record_event
from accounts.jurisdiction import local_officers
from accounts.models import User
from producers.models import Producer, ProducerKind
from producers.services import create_producer
from products import imports, process, services
from products.models import (
    DocumentType,
    Dossier,
    DossierKind,
    DossierStatus,
    Product,
    ProductSet,
)

from .base import unit

YEAR = 2021
CLASSIFICATION = "1048"
DRAFT = DossierStatus.DRAFT
SUBMITTED = DossierStatus.SUBMITTED
RETURNED = DossierStatus.RETURNED
RESUBMITTED = DossierStatus.RESUBMITTED
ACCEPTED = DossierStatus.ACCEPTED
HOUSEHOLD_ISSUER = "Phòng Tài chính - Kế hoạch huyện {district}"
PROVINCE_ISSUER = "Sở Kế hoạch và Đầu tư tỉnh Đồng Tháp"

RETURN_REASONS = [
    "Phiếu kết quả kiểm nghiệm đã quá 12 tháng; đề nghị bổ sung phiếu kiểm nghiệm "
    "còn hiệu lực.",
    "Bản công bố tiêu chuẩn chất lượng chưa có xác nhận của cơ quan quản lý; bổ sung "
    "bản có dấu và ảnh nhãn sản phẩm đang lưu hành.",
]


@dataclass(frozen=True)
class ProducerSpec:
    key: str
    name: str
    kind: str
    district: str
    commune: str
    representative: str
    branch: bool = False


@dataclass(frozen=True)
class ProductSpec:
    producer: str
    name: str
    set_number: int
    status: str = ACCEPTED
    description: str = ""
    # A product recognised before the portal (code of that year) whose 2021 dossier
    # is an upgrade towards the next star.
    registered: int | None = None


PRODUCERS = [
    # Lai Vung
    ProducerSpec(
        "hoangkhanh",
        "Cơ sở sản xuất nem Hoàng Khánh",
        ProducerKind.HOUSEHOLD,
        "876",
        "Xã Tân Thành",
        "Nguyễn Hoàng Khánh",
    ),
    ProducerSpec(
        "tuphat",
        "Cơ sở Tư Phát Lai Vung",
        ProducerKind.HOUSEHOLD,
        "876",
        "Xã Tân Phước",
        "Lê Văn Phát",
    ),
    ProducerSpec(
        "quythong",
        "HTX Quýt hồng Lai Vung",
        ProducerKind.COOPERATIVE,
        "876",
        "Xã Long Hậu",
        "Phan Văn Hùng",
    ),
    ProducerSpec(
        "nembatu",
        "Cơ sở Nem Lai Vung Bà Tư",
        ProducerKind.HOUSEHOLD,
        "876",
        "Thị trấn Lai Vung",
        "Trần Thị Tư",
    ),
    ProducerSpec(
        "nemhoalong",
        "Tổ hợp tác nem Lai Vung Hòa Long",
        ProducerKind.COOPERATIVE_GROUP,
        "876",
        "Xã Hòa Long",
        "Võ Thị Mai",
    ),
    # Tháp Mười
    ProducerSpec(
        "sendaiviet",
        "Chi nhánh Công ty Cổ phần thực phẩm Sen Đại Việt",
        ProducerKind.ENTERPRISE,
        "872",
        "Thị trấn Mỹ An",
        "Nguyễn Văn Đại",
        branch=True,
    ),
    ProducerSpec(
        "myhoa",
        "HTX Nông nghiệp Mỹ Hòa",
        ProducerKind.COOPERATIVE,
        "872",
        "Xã Mỹ Hòa",
        "Đặng Văn Sang",
    ),
    ProducerSpec(
        "senhong",
        "Cơ sở sản xuất Sen Hồng Tháp Mười",
        ProducerKind.HOUSEHOLD,
        "872",
        "Xã Mỹ An",
        "Huỳnh Thị Hồng",
    ),
    ProducerSpec(
        "docbinhkieu",
        "HTX Sen Đốc Binh Kiều",
        ProducerKind.COOPERATIVE,
        "872",
        "Xã Đốc Binh Kiều",
        "Lê Văn Kiều",
    ),
    ProducerSpec(
        "banhsen",
        "Cơ sở bánh sen Thanh Mỹ",
        ProducerKind.HOUSEHOLD,
        "872",
        "Xã Thanh Mỹ",
        "Nguyễn Thị Thanh",
    ),
    # Châu Thành
    ProducerSpec(
        "namhuy",
        "Công ty TNHH MTV Nam Huy Đồng Tháp",
        ProducerKind.ENTERPRISE,
        "877",
        "Xã Tân Nhuận Đông",
        "Nguyễn Văn Huy",
    ),
    ProducerSpec(
        "nguyenhau",
        "Công ty CP Xuất nhập khẩu Nguyên Hậu",
        ProducerKind.ENTERPRISE,
        "877",
        "Xã Tân Bình",
        "Trần Nguyên Hậu",
    ),
    ProducerSpec(
        "nhanphuhuu",
        "HTX Nhãn xuồng Phú Hựu",
        ProducerKind.COOPERATIVE,
        "877",
        "Xã Phú Hựu",
        "Phạm Văn Lợi",
    ),
    ProducerSpec(
        "hailiem",
        "Cơ sở sấy trái cây Hai Liêm",
        ProducerKind.HOUSEHOLD,
        "877",
        "Xã An Khánh",
        "Võ Văn Liêm",
    ),
    # Districts without a demo officer: imported records.
    ProducerSpec(
        "vietduc",
        "Công ty TNHH Công nghệ thực phẩm Việt Đức",
        ProducerKind.ENTERPRISE,
        "874",
        "Thị trấn Thanh Bình",
        "Lê Việt Đức",
    ),
    ProducerSpec(
        "myxuong",
        "HTX Xoài Mỹ Xương",
        ProducerKind.COOPERATIVE,
        "873",
        "Xã Mỹ Xương",
        "Nguyễn Văn Xương",
    ),
    ProducerSpec(
        "tinhthoi",
        "Cơ sở chế biến xoài Tịnh Thới",
        ProducerKind.HOUSEHOLD,
        "866",
        "Xã Tịnh Thới",
        "Trương Thị Thới",
    ),
    ProducerSpec(
        "tanmy",
        "HTX Nông nghiệp Tân Mỹ",
        ProducerKind.COOPERATIVE,
        "875",
        "Xã Tân Mỹ",
        "Huỳnh Văn Mỹ",
    ),
    ProducerSpec(
        "tramchim",
        "Cơ sở sen Tràm Chim",
        ProducerKind.HOUSEHOLD,
        "871",
        "Thị trấn Tràm Chim",
        "Đỗ Văn Chim",
    ),
    ProducerSpec(
        "tanthanhb",
        "HTX Nông nghiệp Tân Thành B",
        ProducerKind.COOPERATIVE,
        "869",
        "Xã Tân Thành B",
        "Lâm Văn Thành",
    ),
    ProducerSpec(
        "hutieu",
        "Cơ sở hủ tiếu Tân Phú Đông",
        ProducerKind.HOUSEHOLD,
        "867",
        "Xã Tân Phú Đông",
        "Lý Thị Đông",
    ),
    ProducerSpec(
        "mamcalinh",
        "Cơ sở mắm cá linh Thường Phước",
        ProducerKind.HOUSEHOLD,
        "870",
        "Xã Thường Phước 1",
        "Ngô Văn Phước",
    ),
]

NEM = "Chế biến theo công thức nem Lai Vung truyền thống, thịt heo tươi trong ngày."
LOTUS = "Làm từ sen trồng tại vùng nguyên liệu Tháp Mười."
PRODUCTS = [
    # Cơ sở nem Hoàng Khánh: the eight products the Lai Vung council rated 3★ in 2021.
    ProductSpec("hoangkhanh", "Chả lụa", 8, description=NEM),
    ProductSpec("hoangkhanh", "Chả lụa trứng muối", 8, description=NEM),
    ProductSpec("hoangkhanh", "Giò thủ tai heo", 8, description=NEM),
    ProductSpec("hoangkhanh", "Nem giòn", 8, description=NEM),
    ProductSpec("hoangkhanh", "Nem chua quế", 8, description=NEM),
    ProductSpec("hoangkhanh", "Pate trứng muối", 8, description=NEM),
    ProductSpec("hoangkhanh", "Pate", 8, description=NEM),
    ProductSpec("hoangkhanh", "Bì Lai Vung", 8, description=NEM),
    ProductSpec(
        "tuphat",
        "Tắc chưng đường phèn sấy dẻo",
        7,
        description="Tắc Lai Vung chưng đường phèn, sấy dẻo, không chất bảo quản.",
    ),
    ProductSpec("tuphat", "Vỏ bưởi sấy dẻo", 7),
    ProductSpec("quythong", "Quýt hồng sấy dẻo", 7),
    ProductSpec("quythong", "Mứt quýt hồng", 7, status=RETURNED),
    ProductSpec("quythong", "Nước cốt quýt hồng", 17, status=SUBMITTED),
    ProductSpec(
        "nembatu", "Nem Lai Vung Bà Tư", 8, status=RESUBMITTED, description=NEM
    ),
    ProductSpec("nembatu", "Nem chua lá ổi", 8, status=DRAFT, description=NEM),
    ProductSpec("nemhoalong", "Nem Lai Vung Hòa Long", 8, status=SUBMITTED),
    # Tháp Mười: lotus.
    ProductSpec("sendaiviet", "Hạt sen sấy giòn vị muối", 7, description=LOTUS),
    ProductSpec("sendaiviet", "Ngó sen ngâm chua ngọt", 7, description=LOTUS),
    ProductSpec("sendaiviet", "Mứt hạt sen", 7, description=LOTUS),
    ProductSpec("sendaiviet", "Bột củ sen", 7, description=LOTUS),
    ProductSpec("myhoa", "Trà lá sen túi lọc", 12, description=LOTUS),
    ProductSpec(
        "myhoa",
        "Trà ướp hoa sen Tháp Mười",
        12,
        description="Trà ướp trong hoa sen Tháp Mười hái lúc sáng sớm.",
    ),
    ProductSpec("myhoa", "Hạt sen sấy mật ong", 7, description=LOTUS),
    ProductSpec("senhong", "Hạt sen sấy vị lá dứa", 7, description=LOTUS),
    ProductSpec("senhong", "Hạt sen rang muối ớt", 7, description=LOTUS),
    ProductSpec("senhong", "Sữa hạt sen", 17, status=DRAFT),
    ProductSpec("docbinhkieu", "Hạt sen tươi bóc vỏ", 1, description=LOTUS),
    ProductSpec("docbinhkieu", "Củ sen sấy giòn", 7, description=LOTUS),
    ProductSpec("docbinhkieu", "Tim sen sấy khô", 7, description=LOTUS),
    ProductSpec("docbinhkieu", "Kẹo hạt sen", 7, status=SUBMITTED),
    ProductSpec("banhsen", "Bánh pía nhân sen", 6, status=RESUBMITTED),
    ProductSpec("banhsen", "Bánh in hạt sen", 6, status=RETURNED),
    # Châu Thành: dried fruit and lotus. The first three are the 2020 4★ products the
    # 2021 plan standardises for the national 5★ (baotintuc.vn, Dec 2020).
    ProductSpec(
        "namhuy",
        "Hạt sen sấy",
        7,
        registered=2020,
        description="Hạt sen Đồng Tháp sấy giòn, giữ nguyên tim sen.",
    ),
    ProductSpec("namhuy", "Mít sấy", 7, registered=2020),
    ProductSpec("nguyenhau", "Bánh phồng chay cao cấp hạt sen", 6, registered=2020),
    ProductSpec("namhuy", "Chuối sấy dẻo", 7),
    ProductSpec("namhuy", "Khoai lang sấy giòn", 7),
    ProductSpec("namhuy", "Mít sấy dẻo", 7),
    ProductSpec("namhuy", "Thơm sấy dẻo", 7),
    ProductSpec("nguyenhau", "Hạt sen sấy giòn Nguyên Hậu", 7),
    ProductSpec("nhanphuhuu", "Long nhãn sấy khô", 7),
    ProductSpec("nhanphuhuu", "Nhãn sấy dẻo", 7),
    ProductSpec("nhanphuhuu", "Mứt nhãn xuồng", 7, status=SUBMITTED),
    ProductSpec("hailiem", "Xoài sấy dẻo Hai Liêm", 7),
    ProductSpec("hailiem", "Mãng cầu sấy dẻo", 7),
    ProductSpec("hailiem", "Chanh dây sấy dẻo", 7, status=DRAFT),
    # Elsewhere (imported).
    ProductSpec("vietduc", "Xoài sấy dẻo", 7, registered=2020),
    ProductSpec("vietduc", "Mít sấy giòn", 7),
    ProductSpec("vietduc", "Chuối sấy giòn", 7),
    ProductSpec("myxuong", "Xoài sấy dẻo Mỹ Xương", 7),
    ProductSpec("myxuong", "Mứt xoài cát", 7),
    ProductSpec("tinhthoi", "Xoài sấy giòn Tịnh Thới", 7),
    ProductSpec("tanmy", "Mít sấy dẻo Tân Mỹ", 7),
    ProductSpec("tramchim", "Hạt sen sấy Tràm Chim", 7),
    ProductSpec("tanthanhb", "Chuối sấy dẻo Tân Hồng", 7),
    ProductSpec("hutieu", "Hủ tiếu khô Sa Đéc", 6),
    ProductSpec("mamcalinh", "Mắm cá linh", 9),
]


# Generated files --------------------------------------------------------------------


def _ascii(text: str) -> str:
    """The text without diacritics (the built-in PDF font has no Vietnamese)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF with a title and a few lines of text."""

    def escape(text: str) -> str:
        return (
            _ascii(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        )

    stream = f"BT /F1 16 Tf 56 780 Td ({escape(title)}) Tj /F1 11 Tf".encode()
    for line in lines:
        stream += f" 0 -22 Td ({escape(line)}) Tj".encode()
    stream += b" ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]"
        b"/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PALETTE = [(31, 111, 67), (201, 162, 39), (214, 90, 49), (120, 80, 160), (40, 120, 180)]


def png_bytes(label: str, seed: int) -> bytes:
    """A small product picture: a coloured card with a package and a label."""
    colour = PALETTE[seed % len(PALETTE)]
    image = Image.new("RGB", (360, 240), (248, 246, 240))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((110, 40, 250, 200), radius=18, fill=colour)
    draw.ellipse((150, 70, 210, 130), fill=(255, 255, 255))
    draw.text((20, 212), _ascii(label)[:48], fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _files(product: Product, types: list[DocumentType], year: int = YEAR) -> list:
    files = []
    for document_type in types:
        name = slugify(_ascii(document_type.name))[:60]
        if document_type.code == "product_photos":
            content = png_bytes(product.name, product.pk)
            files.append((document_type, f"{name}.png", content))
        else:
            content = pdf_bytes(
                document_type.name,
                [
                    f"San pham: {product.name}",
                    f"Chu the: {product.producer.name}",
                    f"Ma san pham: {product.code}",
                    f"Nam danh gia: {year}",
                ],
            )
            files.append((document_type, f"{name}.pdf", content))
    return files


# Records ----------------------------------------------------------------------------


def tax_code(number: int) -> str:
    """A 10-digit Đồng Tháp (14…) tax code with a correct check digit (weights of the
    Vietnamese MST: 31 29 23 19 17 13 7 5 3)."""
    while True:
        body = f"14000{number:04d}"
        total = sum(
            int(d) * w
            for d, w in zip(body, (31, 29, 23, 19, 17, 13, 7, 5, 3), strict=True)
        )
        check = 10 - total % 11
        if check < 10:
            return f"{body}{check}"
        number += 5000


def _officer(district) -> User | None:
    return local_officers(district_id=district.pk).order_by("pk").first()


def _producer(spec: ProducerSpec, index: int, province_user: User) -> Producer:
    district = unit(spec.district)
    existing = Producer.objects.filter(name=spec.name, district=district).first()
    if existing is not None:
        return existing
    commune = district.children.get(name=spec.commune)
    number = tax_code(101 + index)
    household = spec.kind == ProducerKind.HOUSEHOLD
    data = {
        "kind": spec.kind,
        "name": spec.name,
        "registration_number": f"{number}-001" if spec.branch else number,
        "registration_issuer": HOUSEHOLD_ISSUER.format(district=district.short_name)
        if household
        else PROVINCE_ISSUER,
        "registration_date": datetime.date(
            2008 + index % 12, 1 + index % 12, 5 + index
        ),
        "legal_representative": spec.representative,
        "phone": f"0277 38{index:02d} {100 + index * 7:03d}",
        "email": "" if household else f"{slugify(_ascii(spec.key))}@ocop-dongthap.vn",
        "address": f"Ấp {1 + index % 4}",
        "commune": commune,
    }
    officer = _officer(district)
    if officer is not None:
        return create_producer(user=officer, **data)
    producer = Producer.objects.create(created_by=province_user, **data)
    record_event(target=producer, actor=province_user, action="imported")
    return producer


def _product(spec: ProductSpec, producer: Producer, officer, province_user) -> Product:
    existing = Product.objects.filter(producer=producer, name=spec.name).first()
    if existing is not None:
        return existing
    product_set = ProductSet.objects.get(
        classification__code=CLASSIFICATION, number=spec.set_number
    )
    if officer is not None and spec.registered is None:
        return services.create_product(
            user=officer,
            producer=producer,
            name=spec.name,
            product_set=product_set,
            description=spec.description,
            year=YEAR,
        )
    return imports.import_product(
        user=officer or province_user,
        producer=producer,
        name=spec.name,
        product_set=product_set,
        year=spec.registered or YEAR,
        description=spec.description,
    )


def _review(dossier: Dossier, spec: ProductSpec, officer, province_user, index: int):
    """Take a dossier compiled by the officer through its review, up to spec.status."""
    process.submit_dossier(dossier=dossier, user=officer)
    if spec.status == SUBMITTED:
        return
    if spec.status in (RETURNED, RESUBMITTED):
        process.return_dossier(
            dossier=dossier,
            user=province_user,
            reason=RETURN_REASONS[index % len(RETURN_REASONS)],
        )
        if spec.status == RETURNED:
            return
        test_results = DocumentType.objects.get(code="test_results")
        product = dossier.product
        services.add_document(
            dossier=dossier,
            user=officer,
            document_type=test_results,
            upload=SimpleUploadedFile(
                "phieu-kiem-nghiem-bo-sung.pdf",
                pdf_bytes(test_results.name, [f"San pham: {product.name}", "Bo sung"]),
            ),
            note="Phiếu kiểm nghiệm mới, bổ sung theo yêu cầu của tỉnh",
        )
        process.submit_dossier(dossier=dossier, user=officer)
        return
    process.accept_dossier(dossier=dossier, user=province_user)


def _dossier(spec: ProductSpec, product: Product, officer, province_user, index: int):
    if Dossier.objects.filter(product=product, year=YEAR).exists():
        return None
    required = list(
        DocumentType.objects.filter(required_for_sets=product.product_set_id)
    )
    score = 55 + (index * 7) % 33
    if officer is None or spec.registered:
        # Paper dossiers from before the portal, or an upgrade of a product whose
        # earlier dossier was never in it.
        kind = DossierKind.UPGRADE if spec.registered else DossierKind.NEW
        return imports.import_dossier(
            user=province_user,
            product=product,
            year=YEAR,
            kind=kind,
            status=spec.status,
            files=_files(product, required),
            return_reason=RETURN_REASONS[0] if spec.status == RETURNED else "",
        )
    dossier = services.create_dossier(
        user=officer,
        product=product,
        year=YEAR,
        kind=DossierKind.NEW,
        self_assessment_score=score,
    )
    # A draft is still being compiled: the last required documents are missing.
    files = _files(product, required[:-3] if spec.status == DRAFT else required)
    for document_type, name, content in files:
        services.add_document(
            dossier=dossier,
            user=officer,
            document_type=document_type,
            upload=SimpleUploadedFile(name, content),
        )
    if spec.status != DRAFT:
        _review(dossier, spec, officer, province_user, index)
    return dossier


def seed_products(log) -> None:
    province_user = User.objects.get(username="province")
    producers = {
        spec.key: _producer(spec, index, province_user)
        for index, spec in enumerate(PRODUCERS)
    }
    created = 0
    for index, spec in enumerate(PRODUCTS):
        producer = producers[spec.producer]
        officer = _officer(producer.district)
        fresh = not Product.objects.filter(producer=producer, name=spec.name).exists()
        product = _product(spec, producer, officer, province_user)
        if fresh and officer is not None:
            services.add_photo(
                product=product,
                user=officer,
                upload=SimpleUploadedFile(
                    "anh.png", png_bytes(product.name, product.pk)
                ),
                caption=product.name,
            )
        if _dossier(spec, product, officer, province_user, index) is not None:
            created += 1
    if not created:
        log(f"Producers, products and {YEAR} dossiers: already there.")
        return
    accepted_set7 = Dossier.objects.filter(
        year=YEAR,
        status=ACCEPTED,
        product__product_set__classification__code=CLASSIFICATION,
        product__product_set__number=7,
    ).count()
    log(
        f"Producers and products: {len(producers)} producers, {len(PRODUCTS)} products, "
        f"{created} {YEAR} dossiers ({accepted_set7} accepted in 1048 set 7)."
    )
