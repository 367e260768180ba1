from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from .models import AdministrativeUnit, UnitSuccession


class SuccessorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    fields = ["successor", "main"]
    extra = 0
    verbose_name_plural = _("successor units")


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", "valid_from"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    inlines = [SuccessorInline]
