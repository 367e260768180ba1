"""Plans, targets, trainings, attendance and sales points through the pages."""

import datetime

import pytest

from accounts.models import AuditEvent, User
from ocop_portal import demo
from plans.models import Attendance, Plan, SalesPoint, Target, TrainingEvent
from tests.plans.factories import (
    PlanFactory,
    SalesPointFactory,
    TargetFactory,
    TrainingFactory,
    attend,
)
from tests.producers.factories import ProducerFactory, give_mandate
from tests.queries import count_queries

D = datetime.date


def test_province_creates_a_plan_and_it_is_audited(catalogue, client_for):
    response = client_for("province").post(
        "/plans/new/",
        {
            "year": 2022,
            "number": " 45/KH-UBND ",
            "issued_on": "2022-03-01",
            "title": "Kế hoạch OCOP năm 2022",
            "lead_agency": "Văn phòng Điều phối nông thôn mới tỉnh",
            "signer": "",
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert (plan.number, plan.province.code) == ("45/KH-UBND", "87")
    assert AuditEvent.objects.for_object(plan).get().action == "created"


def test_a_plan_with_a_missing_field_keeps_what_was_typed(catalogue, client_for):
    response = client_for("province").post(
        "/plans/new/", {"year": 2022, "number": "45/KH-UBND", "title": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="45/KH-UBND"' in html
    assert "Trường này là bắt buộc" in html
    assert not Plan.objects.exists()


def test_a_plan_number_used_twice_is_a_form_error(plan_2021, client_for):
    response = client_for("province").post(
        "/plans/new/",
        {
            "year": 2021,
            "number": "122/KH-UBND",
            "issued_on": "2021-04-14",
            "title": "Bản sao",
            "lead_agency": "Sở Công Thương Đồng Tháp",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Plan.objects.count() == 1


def test_province_adds_a_district_target(plan_2021, client_for, unit):
    response = client_for("province").post(
        f"/plans/{plan_2021.pk}/targets/new/",
        {"indicator": "new_products", "target_value": "4", "district": unit("872").pk},
    )
    assert response.status_code == 302
    assert plan_2021.targets.filter(district=unit("872"), target_value=4).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"indicator": "officers_trained", "target_value": "120"},
            "không vượt quá 100",
        ),
        ({"indicator": "new_products", "target_value": "50"}, "đã có chỉ tiêu"),
        (
            {"indicator": "nonsense", "target_value": "5"},
            "Hãy chọn một lựa chọn hợp lệ",
        ),
    ],
)
def test_target_mistakes_are_shown_in_the_form(plan_2021, client_for, data, message):
    response = client_for("province").post(
        f"/plans/{plan_2021.pk}/targets/new/", {"district": "", "note": "", **data}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{data["target_value"]}"' in html
    assert plan_2021.targets.count() == 7


def test_province_edits_and_removes_a_target(plan_2021, client_for):
    client = client_for("province")
    target = plan_2021.targets.get(indicator="sales_points")
    response = client.post(
        f"/plans/targets/{target.pk}/edit/",
        {"indicator": "sales_points", "target_value": "5", "district": "", "note": "x"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target_value == 5
    assert client.post(f"/plans/targets/{target.pk}/delete/").status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    actions = AuditEvent.objects.for_object(plan_2021).values_list("action", flat=True)
    assert list(actions) == ["updated", "updated"]


def test_closing_a_plan_takes_it_out_of_the_nightly_run(plan_2021, client_for):
    client_for("province").post(f"/plans/{plan_2021.pk}/status/", {"status": "closed"})
    plan_2021.refresh_from_db()
    assert plan_2021.status == "closed"
    response = client_for("province").post(
        f"/plans/{plan_2021.pk}/status/", {"status": "bogus"}, follow=True
    )
    assert "Trạng thái không hợp lệ" in response.content.decode()


def test_province_creates_a_training(catalogue, client_for):
    response = client_for("province").post(
        "/trainings/new/",
        {
            "title": "Tập huấn OCOP",
            "held_on": "2021-05-25",
            "place": "Sở Công Thương",
            "audience": "officers",
        },
    )
    training = TrainingEvent.objects.get()
    assert response.status_code == 302 and response.url == training.get_absolute_url()
    assert training.province.code == "87"


def test_district_officer_records_their_own_officers_and_producers(
    catalogue, client_for, unit
):
    client = client_for("laivung")
    officers = TrainingFactory()
    page = client.get(f"/trainings/{officers.pk}/")
    candidates = page.context["attendance_form"].fields["attendees"].queryset
    assert list(candidates) == [catalogue["laivung"]]
    response = client.post(
        f"/trainings/{officers.pk}/attendance/",
        {"attendees": [catalogue["laivung"].pk]},
    )
    assert response.status_code == 302
    assert Attendance.objects.get().district == unit("876")

    producers = TrainingFactory(audience="producers")
    mine, theirs = ProducerFactory(), ProducerFactory(district_code="872")
    response = client.post(
        f"/trainings/{producers.pk}/attendance/", {"attendees": [mine.pk, theirs.pk]}
    )
    # A producer of another district is not a valid choice: nothing is recorded.
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not producers.attendance.exists()
    client.post(f"/trainings/{producers.pk}/attendance/", {"attendees": [mine.pk]})
    assert list(producers.attendance.values_list("producer", flat=True)) == [mine.pk]


def test_district_officer_sees_and_removes_only_their_district_attendees(
    catalogue, client_for
):
    training = TrainingFactory()
    mine = attend(training, catalogue["laivung"])
    theirs = attend(training, catalogue["thapmuoi"])
    client = client_for("laivung")
    page = client.get(f"/trainings/{training.pk}/")
    assert list(page.context["attendance"]) == [mine]
    assert client.post(f"/trainings/attendance/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/trainings/attendance/{mine.pk}/remove/").status_code == 302
    assert list(training.attendance.all()) == [theirs]


def test_the_training_list_counts_a_district_officer_s_own_attendees(
    catalogue, client_for
):
    training = TrainingFactory()
    attend(training, catalogue["laivung"])
    attend(training, catalogue["thapmuoi"])
    page = client_for("laivung").get("/trainings/")
    (row,) = page.context["page_obj"]
    assert (row.attendee_count, row.mine) == (2, 1)
    assert "Của huyện bạn" in page.content.decode()
    assert (
        "Của huyện bạn"
        not in client_for("province").get("/trainings/").content.decode()
    )


def test_province_picks_a_district_then_records_its_producers(
    catalogue, client_for, unit
):
    training = TrainingFactory(audience="producers")
    producer = ProducerFactory(district_code="872")
    client = client_for("province")
    page = client.get(f"/trainings/{training.pk}/")
    assert page.context["attendance_form"] is None
    district = unit("872").pk
    page = client.get(f"/trainings/{training.pk}/", {"district": district})
    assert list(page.context["attendance_form"].fields["attendees"].queryset) == [
        producer
    ]
    response = client.post(
        f"/trainings/{training.pk}/attendance/?district={district}",
        {"attendees": [producer.pk]},
    )
    assert response.status_code == 302
    assert training.attendance.get().producer == producer


def test_the_audience_is_fixed_once_someone_attended(catalogue, client_for):
    training = TrainingFactory()
    attend(training, catalogue["laivung"])
    response = client_for("province").post(
        f"/trainings/{training.pk}/edit/",
        {
            "title": training.title,
            "held_on": "2021-05-20",
            "place": training.place,
            "audience": "producers",
        },
    )
    assert response.status_code == 200
    assert "Gỡ danh sách người tham dự" in response.content.decode()


def test_province_records_a_sales_point_and_closes_it(catalogue, client_for, unit):
    client = client_for("province")
    commune = unit("867").children.first()
    data = {
        "name": "Showroom OCOP Sa Đéc",
        "kind": "showroom",
        "address": "Làng hoa",
        "commune": commune.pk,
        "opened_on": "2021-10-15",
        "closed_on": "",
        "note": "",
    }
    assert client.post("/sales-points/new/", data).status_code == 302
    point = SalesPoint.objects.get()
    assert point.district == unit("867")
    response = client.post(
        f"/sales-points/{point.pk}/edit/", {**data, "closed_on": "2021-01-01"}
    )
    assert response.status_code == 200  # closed before it opened: refused
    assert (
        client.post(
            f"/sales-points/{point.pk}/edit/", {**data, "closed_on": "2023-06-30"}
        ).status_code
        == 302
    )
    point.refresh_from_db()
    assert point.closed_on == D(2023, 6, 30)
    assert [e.action for e in AuditEvent.objects.for_object(point)] == [
        "updated",
        "created",
    ]


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/plans/", lambda i: TargetFactory(plan=PlanFactory())),
        ("/trainings/", lambda i: TrainingFactory()),
        ("/sales-points/", lambda i: SalesPointFactory()),
        ("/sales-points/?export=xlsx", lambda i: SalesPointFactory()),
    ],
)
def test_list_query_count_does_not_grow_with_rows(catalogue, client_for, url, make):
    client = client_for("province")
    make(0)
    one = count_queries(client, url)
    for index in range(49):
        make(index + 1)
    assert count_queries(client, url) == one


def test_training_detail_query_count_does_not_grow_with_attendees(
    catalogue, client_for
):
    training = TrainingFactory()
    client = client_for("province")
    attend(training, catalogue["laivung"])
    one = count_queries(client, f"/trainings/{training.pk}/")
    for index in range(20):
        officer = give_mandate(
            User.objects.create_user(username=f"officer{index}"), demo.unit("876")
        )
        attend(training, officer)
    assert count_queries(client, f"/trainings/{training.pk}/") == one


def test_lists_show_empty_states_and_export(catalogue, client_for):
    client = client_for("province")
    for url, text in [
        ("/plans/", "Chưa có kế hoạch nào."),
        ("/trainings/", "Chưa có lớp tập huấn nào."),
        ("/sales-points/", "Chưa có điểm bán nào."),
    ]:
        assert text in client.get(url).content.decode()
        export = client.get(url, {"export": "xlsx"})
        assert export["Content-Disposition"].startswith("attachment")
