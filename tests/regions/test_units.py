import datetime

import pytest

from regions.models import AdministrativeUnit
from regions.services import load_dong_thap_2021


@pytest.mark.django_db
def test_dong_thap_2021_has_12_districts_and_143_communes():
    created, updated = load_dong_thap_2021()
    assert (created, updated) == (156, 0)
    units = AdministrativeUnit.objects.valid_on(datetime.date(2021, 6, 30))
    assert units.provinces().count() == 1
    assert units.districts().count() == 12
    assert units.communes().count() == 143
    lai_vung = units.get(code="876")
    assert lai_vung.name == "Huyện Lai Vung"
    assert lai_vung.short_name == "Lai Vung"
    assert lai_vung.parent.code == "87"
    assert lai_vung.children.count() == 12


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load_dong_thap_2021()
    assert load_dong_thap_2021() == (0, 156)
    assert AdministrativeUnit.objects.count() == 156


@pytest.mark.django_db
def test_2021_units_are_not_valid_after_the_2025_reform():
    load_dong_thap_2021()
    assert not AdministrativeUnit.objects.valid_on(datetime.date(2025, 7, 1)).exists()


@pytest.mark.django_db
def test_load_units_command_reports_counts(capsys):
    from django.core.management import call_command

    call_command("load_units")
    assert "435 created, 0 updated; 311 successions" in capsys.readouterr().out
