"""Every admin page an administrator can open answers 200 on the demo data: each
registered model's list, and the change page of its first record (read-only pages
list non-editable fields, which must render, not fail)."""

import pytest

from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User


@pytest.mark.django_db
def test_every_admin_list_and_change_page_opens():
    call_command("seed_demo", "--force")
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    failures = []
    for model in admin.site._registry:
        meta = model._meta
        urls = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(
                reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_change",
                    args=[first.pk],
                )
            )
        for url in urls:
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{url}: {status}")
    assert failures == []
