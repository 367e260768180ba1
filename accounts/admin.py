from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "jurisdiction",
        "is_active",
    ]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["jurisdiction"]
    raw_id_fields = ["jurisdiction"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("OCOP programme"),
            {"fields": ["role", "jurisdiction", "organisation", "phone"]},
        ),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: the trail is read, never written or removed by hand."""

    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
