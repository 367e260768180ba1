from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from .models import AuditEvent, Mandate, User


class MandateInline(admin.TabularInline):
    """Who acts for which unit, from when to when: administrators give and end
    mandates here (the model refuses a role at the wrong level or a unit that did not
    exist on the day)."""

    model = Mandate
    fields = ["role", "unit", "valid_from", "valid_to"]
    raw_id_fields = ["unit"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["mandates__role", "is_active", "is_staff"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("OCOP programme"), {"fields": ["organisation", "phone"]}),
    ]
    inlines = [MandateInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: the trail is read, never written or removed by hand."""

    list_display = ["at", "actor", "action", "content_type", "object_id"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
