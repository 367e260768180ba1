"""Fill the database with a province-scale load for benchmarks: tens of thousands of
producers, products, dossiers and certificates spread over Đồng Tháp's 143 communes.

Rows are bulk-created (no audit trail, no services): this is load, not data anyone
relies on. Refused with DEBUG off unless --force, like seed_demo.
"""

import datetime
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from evaluations.certificates import validity_end
from evaluations.models import (
    Certificate,
    CertificateSequence,
    CertificateStatus,
    Decision,
)
from producers.models import Producer, ProducerKind
from products.models import Dossier, DossierKind, DossierStatus, Product, ProductSet
from regions.models import AdministrativeUnit
from regions.text import fold

SCALE_YEAR = 2022
PREFIX = "Tải thử"


class Command(BaseCommand):
    help = (
        "Bulk-generate producers, products, dossiers and certificates for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=20000)
        parser.add_argument("--force", action="store_true")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to generate load data with DEBUG off (use --force)."
            )
        if Producer.objects.filter(name__startswith=PREFIX).exists():
            self.stdout.write("Scale data already present.")
            return
        started = time.monotonic()
        rng = random.Random(42)
        total = options["products"]
        province = AdministrativeUnit.objects.get(code="87", level="province")
        communes = list(AdministrativeUnit.objects.filter(parent__parent=province))
        sets = list(ProductSet.objects.filter(classification__code="148"))
        clerk = User.objects.get(username="province")
        codes = dict(AdministrativeUnit.objects.values_list("pk", "code"))
        producers = Producer.objects.bulk_create(
            Producer(
                kind=rng.choice(ProducerKind.values),
                name=f"{PREFIX} chủ thể {index:06d}",
                registration_number=f"{3000000000 + index:010d}",
                legal_representative=f"Người đại diện {index}",
                commune=(commune := communes[index % len(communes)]),
                district_id=commune.parent_id,
                search_text=fold(f"{PREFIX} chu the {index:06d} {3000000000 + index}"),
                created_by=clerk,
            )
            for index in range(total // 3)
        )
        products = Product.objects.bulk_create(
            Product(
                producer=(producer := producers[index % len(producers)]),
                name=f"{PREFIX} sản phẩm {index:06d}",
                product_set=rng.choice(sets),
                code=f"87-{codes[producer.district_id]}-{codes[producer.commune_id]}-{index:06d}-{SCALE_YEAR}",
                commune_id=producer.commune_id,
                district_id=producer.district_id,
                search_text=fold(f"{PREFIX} san pham {index:06d} {producer.name}"),
                created_by=clerk,
            )
            for index in range(total)
        )
        statuses = [
            DossierStatus.DRAFT,
            DossierStatus.SUBMITTED,
            DossierStatus.RETURNED,
            DossierStatus.ACCEPTED,
            DossierStatus.DECIDED,
        ]
        Dossier.objects.bulk_create(
            Dossier(
                product=product,
                year=SCALE_YEAR,
                kind=DossierKind.NEW,
                status=rng.choice(statuses),
                district_id=product.district_id,
                created_by=clerk,
            )
            for product in products
        )
        decision = Decision.objects.create(
            province=province,
            number=f"{PREFIX}/QĐ-{SCALE_YEAR}",
            date=datetime.date(SCALE_YEAR, 12, 1),
            signer="—",
            level="province",
            recorded_by=clerk,
        )
        certified = products[: total * 2 // 5]
        counter, _ = CertificateSequence.objects.get_or_create(
            province=province, year=SCALE_YEAR
        )
        start = counter.last_value
        stars = [rng.choice([3, 3, 3, 4, 4, 5]) for _ in certified]
        Certificate.objects.bulk_create(
            Certificate(
                number=f"87-{SCALE_YEAR}-{start + offset + 1:06d}",
                province=province,
                year=SCALE_YEAR,
                sequence=start + offset + 1,
                product=product,
                decision=decision,
                stars=stars[offset],
                valid_from=decision.date,
                valid_until=validity_end(decision.date),
                status=CertificateStatus.ACTIVE,
            )
            for offset, product in enumerate(certified)
        )
        counter.last_value = start + len(certified)
        counter.save(update_fields=["last_value"])
        for offset, product in enumerate(certified):
            product.current_stars = stars[offset]
        Product.objects.bulk_update(certified, ["current_stars"], batch_size=2000)
        self.stdout.write(
            f"Generated {len(producers)} producers, {len(products)} products and dossiers, "
            f"{len(certified)} certificates in {time.monotonic() - started:.1f} s."
        )
