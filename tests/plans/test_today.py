"""Today's programme (two-tier government, from 1/7/2025): trainings of the merged
province record their attendees by commune, and a plan of 2026 may split a target by
commune."""

import datetime
from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from accounts.models import AuditEvent, User
from core import clock
from ocop_portal import demo
from plans import dashboard, indicators, progress, services
from plans.models import Attendance, Target, TrainingAudience, TrainingEvent
from regions.models import AdministrativeUnit, UnitSuccession
from regions.services import REFORM_DAY
from regions.text import fold
from tests.plans.factories import PlanFactory, TrainingFactory
from tests.producers.factories import ProducerFactory, give_mandate

# A day of 2026, under the two-tier government.
DAY = datetime.date(2026, 9, 15)
HELD_ON = datetime.date(2026, 9, 10)

pytestmark = pytest.mark.acting_on(DAY)


def today_unit(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(REFORM_DAY).get(name=name)


@pytest.fixture
def today(merged_dong_thap, personas):
    """The merged province, its provincial officer (the persona continues there), the
    officers of Xã Lai Vung and of another commune."""
    demo.seed_users()
    laivung = today_unit("Xã Lai Vung")
    other = (
        AdministrativeUnit.objects.filter(parent=merged_dong_thap)
        .exclude(pk=laivung.pk)
        .order_by("code")
        .first()
    )
    return {
        "province_unit": merged_dong_thap,
        "province": User.objects.get(username="province"),
        "laivung": laivung,
        "other": other,
        "officer": give_mandate(
            User.objects.create_user(
                username="xa.laivung", first_name="Văn Sen", last_name="Trần"
            ),
            laivung,
        ),
        "other_officer": give_mandate(
            User.objects.create_user(
                username="xa.khac", first_name="Thị Hoa", last_name="Lê"
            ),
            other,
        ),
    }


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def training_of_today(today, audience=TrainingAudience.OFFICERS) -> TrainingEvent:
    return TrainingFactory(
        province=today["province_unit"],
        held_on=HELD_ON,
        audience=audience,
        created_by=today["province"],
    )


def producer_in(commune: AdministrativeUnit, officer: User, **kwargs):
    return ProducerFactory(commune=commune, created_by=officer, **kwargs)


# Trainings ---------------------------------------------------------------------------


def test_province_records_a_2026_officers_training_by_commune(today):
    client = login(today["province"])
    response = client.post(
        "/trainings/new/",
        {
            "title": "Tập huấn cán bộ OCOP cấp xã",
            "held_on": HELD_ON.isoformat(),
            "place": "Sở Công Thương",
            "audience": "officers",
        },
    )
    training = TrainingEvent.objects.get()
    assert response.status_code == 302
    assert training.province == today["province_unit"] and training.by_commune

    page = client.get(f"/trainings/{training.pk}/")
    assert page.context["attendance_form"] is None
    picker = page.context["area_form"]
    assert list(picker.fields) == ["commune"]
    communes = list(picker.fields["commune"].queryset)
    assert len(communes) == 102 and today["laivung"] in communes
    assert {unit.parent_id for unit in communes} == {today["province_unit"].pk}
    # Grouped by kind (wards, communes), each group by name (diacritics aside).
    groups = dict(picker.fields["commune"].choices[1:])
    assert list(groups) == ["Phường", "Xã"]
    names = [name for _pk, name in groups["Phường"]]
    assert names == sorted(names, key=fold)
    assert names.index("Phường Đạo Thạnh") < names.index("Phường Gò Công")

    commune = today["laivung"].pk
    page = client.get(f"/trainings/{training.pk}/", {"commune": commune})
    field = page.context["attendance_form"].fields["attendees"]
    assert list(field.queryset) == [today["officer"]]
    with translation.override("en"):
        assert str(field.label) == "Commune OCOP officers who attended"
    response = client.post(
        f"/trainings/{training.pk}/attendance/?commune={commune}",
        {"attendees": [today["officer"].pk]},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"?commune={commune}")
    attendance = Attendance.objects.get()
    assert (attendance.user, attendance.commune, attendance.district) == (
        today["officer"],
        today["laivung"],
        None,
    )
    page = client.get(f"/trainings/{training.pk}/")
    assert list(page.context["attendance"]) == [attendance]
    assert today["laivung"].short_name in page.content.decode()
    export = client.get(f"/trainings/{training.pk}/", {"export": "xlsx"})
    assert export["Content-Disposition"].startswith("attachment")


def test_the_2021_label_and_picker_stay_by_district(catalogue):
    training = TrainingFactory()
    with clock.acting_on(demo.DEMO_DAY):
        page = login(User.objects.get(username="province")).get(
            f"/trainings/{training.pk}/", {"district": demo.unit("876").pk}
        )
    assert list(page.context["area_form"].fields) == ["district"]
    with translation.override("en"):
        label = page.context["attendance_form"].fields["attendees"].label
        assert str(label) == "District OCOP officers who attended"


def test_province_records_producers_of_a_commune(today):
    training = training_of_today(today, TrainingAudience.PRODUCERS)
    laivung = today["laivung"]
    new = producer_in(laivung, today["officer"])
    # Registered in 2021 in a commune Xã Lai Vung took over: counted for it today.
    former = (
        UnitSuccession.objects.filter(successor=laivung, main=True)
        .select_related("predecessor")
        .first()
        .predecessor
    )
    old = producer_in(former, User.objects.get(username="laivung"))
    elsewhere = producer_in(today["other"], today["other_officer"])

    client = login(today["province"])
    page = client.get(f"/trainings/{training.pk}/", {"commune": laivung.pk})
    candidates = page.context["attendance_form"].fields["attendees"].queryset
    assert set(candidates) == {new, old}
    response = client.post(
        f"/trainings/{training.pk}/attendance/?commune={laivung.pk}",
        {"attendees": [new.pk, old.pk]},
    )
    assert response.status_code == 302
    rows = training.attendance.order_by("producer__name")
    assert {(row.producer, row.commune) for row in rows} == {
        (new, laivung),
        (old, laivung),
    }
    assert not rows.filter(district__isnull=False).exists()

    # The service records another commune's producer for that commune.
    (row,) = services.add_attendance(
        training=training, user=today["province"], producers=[elsewhere]
    )
    assert row.commune == today["other"]


def test_a_commune_officer_records_only_their_own_commune(today):
    officers = training_of_today(today)
    producers = training_of_today(today, TrainingAudience.PRODUCERS)
    officer = today["officer"]
    theirs = producer_in(today["other"], today["other_officer"])
    with translation.override("en"):
        with pytest.raises(ValidationError, match="is not in your jurisdiction"):
            services.add_attendance(
                training=officers, user=officer, officers=[today["other_officer"]]
            )
        with pytest.raises(ValidationError, match="is not in your jurisdiction"):
            services.add_attendance(
                training=producers, user=officer, producers=[theirs]
            )
    assert not Attendance.objects.exists()

    client = login(officer)
    page = client.get(f"/trainings/{officers.pk}/")
    # One commune: no picker, their own officers.
    assert page.context["area_form"] is None
    assert page.context["own_area"] == "commune"
    assert list(page.context["attendance_form"].fields["attendees"].queryset) == [
        officer
    ]
    response = client.post(
        f"/trainings/{officers.pk}/attendance/",
        {"attendees": [today["other_officer"].pk]},
    )
    assert response.status_code == 200  # not a valid choice
    assert not officers.attendance.exists()
    response = client.post(
        f"/trainings/{officers.pk}/attendance/", {"attendees": [officer.pk]}
    )
    assert response.status_code == 302
    mine = officers.attendance.get()
    assert mine.commune == today["laivung"]

    # The other commune's attendee: not shown, not removable.
    (other,) = services.add_attendance(
        training=officers, user=today["province"], officers=[today["other_officer"]]
    )
    page = client.get(f"/trainings/{officers.pk}/")
    assert list(page.context["attendance"]) == [mine]
    listing = client.get("/trainings/")
    counts = {
        row.pk: (row.attendee_count, row.mine) for row in listing.context["page_obj"]
    }
    assert counts[officers.pk] == (2, 1)
    assert listing.context["own_area"] == "commune"
    assert client.post(f"/trainings/attendance/{other.pk}/remove/").status_code == 404
    assert client.post(f"/trainings/attendance/{mine.pk}/remove/").status_code == 302


def test_a_commune_officer_records_nobody_at_a_training_held_before_the_reform(
    today,
):
    training = TrainingFactory(held_on=datetime.date(2025, 5, 20))
    client = login(today["officer"])
    assert client.get(f"/trainings/{training.pk}/").context["can_record"] is False
    response = client.post(
        f"/trainings/{training.pk}/attendance/", {"attendees": [today["officer"].pk]}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.add_attendance(
            training=training, user=today["officer"], officers=[today["officer"]]
        )


def test_the_2026_officers_trained_counts_the_commune_officer(today):
    training = training_of_today(today)
    services.add_attendance(
        training=training, user=today["officer"], officers=[today["officer"]]
    )
    period = indicators.Period(today["province_unit"].pk, 2026, DAY)
    value = indicators.compute("officers_trained", period)
    assert value.value == Decimal("50.00")
    assert value.by_district == {
        str(today["laivung"].pk): 100.0,
        str(today["other"].pk): 0.0,
    }


def test_attendance_counts_for_one_district_or_one_commune(today):
    training = training_of_today(today)
    for district, commune in [(None, None), (demo.unit("876"), today["laivung"])]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Attendance.objects.create(
                event=training,
                user=today["officer"],
                district=district,
                commune=commune,
                recorded_by=today["province"],
            )


# Targets -----------------------------------------------------------------------------


@pytest.fixture
def plan_2026(today):
    return services.create_plan(
        user=today["province"],
        year=2026,
        number="88/KH-UBND",
        issued_on=datetime.date(2026, 3, 2),
        title="Kế hoạch thực hiện Chương trình OCOP năm 2026",
        lead_agency="Sở Công Thương Đồng Tháp",
    )


def test_a_target_split_by_commune_reads_the_commune_s_value(today, plan_2026):
    province = today["province"]
    assert plan_2026.province == today["province_unit"] and plan_2026.by_commune
    services.add_target(
        plan=plan_2026,
        user=province,
        indicator="officers_trained",
        target_value=Decimal(100),
    )
    client = login(province)
    form = client.get(f"/plans/{plan_2026.pk}/targets/new/").context["form"]
    assert "district" not in form.fields
    assert today["laivung"] in form.fields["commune"].queryset
    response = client.post(
        f"/plans/{plan_2026.pk}/targets/new/",
        {
            "indicator": "officers_trained",
            "target_value": "100",
            "commune": today["laivung"].pk,
            "note": "",
        },
    )
    assert response.status_code == 302
    split = plan_2026.targets.get(commune__isnull=False)
    assert (split.commune, split.district) == (today["laivung"], None)
    (added, *_older) = AuditEvent.objects.for_object(plan_2026)
    assert added.changes["targets"][1].endswith("· Xã Lai Vung: 100")

    page = client.get(f"/plans/{plan_2026.pk}/")
    html = page.content.decode()
    assert "Xã Lai Vung" in html
    assert [row["target"].area for row in page.context["rows"]] == [
        None,
        today["laivung"],
    ]

    training = training_of_today(today)
    services.add_attendance(
        training=training, user=today["officer"], officers=[today["officer"]]
    )
    snapshots = {
        s.target.commune_id: s
        for s in progress.compute_plan_progress(plan_id=plan_2026.pk, day=DAY)
    }
    assert snapshots[None].value == Decimal("50.00")
    assert snapshots[today["laivung"].pk].value == Decimal(100)
    assert snapshots[today["laivung"].pk].by_district == {
        str(today["laivung"].pk): 100.0
    }

    targets = list(plan_2026.targets.order_by("pk"))
    scope = dashboard.Scope(province=today["province_unit"])
    rows = dashboard.target_rows(plan_2026, targets, scope, DAY)
    assert [(row.area_name, row.achieved) for row in rows] == [
        ("", Decimal("50.00")),
        ("Xã Lai Vung", Decimal(100)),
    ]
    _columns, table = dashboard.district_table(rows, targets, scope)
    line = next(line for line in table if line["district"] == today["laivung"])
    assert line["cells"][0]["target"] == Decimal(100)


def test_commune_targets_are_refused_where_they_do_not_belong(today, plan_2026):
    province = today["province"]
    plan_2021 = PlanFactory(number="122/KH-UBND")
    former_commune = demo.unit("876").children.order_by("code").first()
    target = {"user": province, "indicator": "new_products", "target_value": 2}
    with translation.override("en"):
        with pytest.raises(ValidationError, match="still has districts in 2021"):
            services.add_target(plan=plan_2021, commune=today["laivung"], **target)
        with pytest.raises(ValidationError, match="still has districts in 2021"):
            services.add_target(plan=plan_2021, commune=former_commune, **target)
        with pytest.raises(
            ValidationError, match="Choose a commune of the province that exists"
        ):
            services.add_target(plan=plan_2026, commune=former_commune, **target)
        with pytest.raises(ValidationError, match="has no districts in 2026"):
            services.add_target(plan=plan_2026, district=demo.unit("876"), **target)
        with pytest.raises(ValidationError, match="not for both"):
            services.add_target(
                plan=plan_2026,
                district=demo.unit("876"),
                commune=today["laivung"],
                **target,
            )
        services.add_target(plan=plan_2026, commune=today["laivung"], **target)
        with pytest.raises(ValidationError, match="this indicator and commune"):
            services.add_target(plan=plan_2026, commune=today["laivung"], **target)
    assert not plan_2021.targets.exists()
    assert plan_2026.targets.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            plan=plan_2026,
            indicator="sales_points",
            target_value=1,
            district=demo.unit("876"),
            commune=today["laivung"],
        )


def test_a_2021_product_upgraded_in_2026_counts_under_its_successor_commune(
    today, catalogue
):
    from evaluations.models import CertificateStatus
    from tests.evaluations.factories import CertificateFactory
    from tests.products.factories import ProductFactory

    tan_phuoc = AdministrativeUnit.objects.get(
        name="Xã Tân Phước", parent__name="Huyện Lai Vung"
    )
    with clock.acting_on(demo.DEMO_DAY):
        product = ProductFactory(producer=ProducerFactory(commune=tan_phuoc))
    assert product.district.name == "Huyện Lai Vung"
    CertificateFactory(
        product=product,
        stars=3,
        valid_from=datetime.date(2023, 6, 1),
        status=CertificateStatus.SUPERSEDED,
    )
    CertificateFactory(
        product=product,
        stars=4,
        valid_from=datetime.date(2026, 6, 26),
        province=today["province_unit"],
        decision__province=today["province_unit"],
    )
    period = indicators.Period(today["province_unit"].pk, 2026, DAY)
    value = indicators.compute("upgrades_3_to_4", period)
    assert value.value == 1
    assert value.by_district == {str(today["laivung"].pk): 1}
    # The 2021 plan still counts it under its district.
    former = indicators.Period(demo.unit(demo.PROVINCE_CODE).pk, 2023, DAY)
    assert not former.by_commune and period.by_commune


def test_the_officers_indicator_reads_by_the_words_of_its_year():
    officers = indicators.get("officers_trained")
    with translation.override("en"):
        assert officers.label_for(2021) == "District OCOP officers trained"
        assert officers.label_for(2026) == "Commune OCOP officers trained"
