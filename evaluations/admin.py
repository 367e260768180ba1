"""Django admin for the evaluation catalogue and councils.

Councils and their members are managed here. Criteria versions are editable only while
they are drafts: a published sheet is read-only, because rounds are frozen to it.
Regimes come from evaluations/data/regimes.csv and are read-only. Rounds, sheets,
decisions and certificates change only through the portal's services, so the admin
shows them without edit rights.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from . import services
from .models import (
    Certificate,
    Council,
    CouncilMember,
    CriteriaPart,
    CriteriaStatus,
    CriteriaVersion,
    Criterion,
    CriterionGroup,
    CriterionOption,
    Decision,
    ExpiryReminder,
    Regime,
    RegimeLevel,
    ResultNotice,
    Round,
    RoundEntry,
)

# Regimes -----------------------------------------------------------------------------


class RegimeLevelInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RegimeLevel
    extra = 0
    fields = [
        "level",
        "min_recognised_stars",
        "max_recognised_stars",
        "forward_threshold",
    ]


@admin.register(Regime)
class RegimeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "decision", "effective_from", "effective_to"]
    inlines = [RegimeLevelInline]


# Criteria catalogue ------------------------------------------------------------------


def _published(version: CriteriaVersion | None) -> bool:
    return version is not None and version.status == CriteriaStatus.PUBLISHED


class DraftOnlyMixin:
    """Editable while the criteria version the object belongs to is a draft."""

    def version_of(self, obj) -> CriteriaVersion | None:
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and _published(self.version_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _published(self.version_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class DraftOnlyInlineMixin:
    """An inline of a parent that is locked once its version is published."""

    def version_of_parent(self, obj) -> CriteriaVersion | None:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        if obj is not None and _published(self.version_of_parent(obj)):
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and _published(self.version_of_parent(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _published(self.version_of_parent(obj)):
            return False
        return super().has_delete_permission(request, obj)


class CriteriaPartInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = CriteriaPart
    extra = 0
    fields = ["position", "code", "name", "max_points"]

    def version_of_parent(self, obj):
        return obj


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "classification",
        "product_set",
        "version",
        "status",
        "total_points",
        "published_at",
    ]
    list_filter = ["status", "classification"]
    search_fields = ["name", "product_set__name"]
    readonly_fields = ["status", "published_at", "total_points"]
    inlines = [CriteriaPartInline]
    actions = ["publish"]

    def version_of(self, obj):
        return obj

    @admin.action(description=_("Publish the selected draft versions"))
    def publish(self, request, queryset):
        for version in queryset.filter(status=CriteriaStatus.DRAFT):
            try:
                services.publish_criteria(version=version, user=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{version}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("%(version)s is published.") % {"version": version},
                    messages.SUCCESS,
                )


class CriterionGroupInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = CriterionGroup
    extra = 0
    fields = ["position", "code", "name", "max_points", "alternatives", "note"]

    def version_of_parent(self, obj):
        return obj.version


@admin.register(CriteriaPart)
class CriteriaPartAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "version", "max_points"]
    list_filter = ["version__status", "version__classification"]
    inlines = [CriterionGroupInline]

    def version_of(self, obj):
        return obj.version


class CriterionOptionInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = CriterionOption
    extra = 0
    fields = ["position", "text", "points", "required_for_stars"]

    def version_of_parent(self, obj):
        return obj.part.version


@admin.register(CriterionGroup)
class CriterionGroupAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "part"]
    list_filter = ["part__version__status"]

    def version_of(self, obj):
        return obj.part.version


@admin.register(Criterion)
class CriterionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "part", "group", "max_points"]
    list_filter = ["part__version__status", "part__version__classification"]
    search_fields = ["code", "name"]
    list_select_related = ["part", "group"]
    inlines = [CriterionOptionInline]

    def version_of(self, obj):
        return obj.part.version


# Councils ----------------------------------------------------------------------------


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    fields = ["user", "role", "title"]
    raw_id_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "unit", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]
    inlines = [CouncilMemberInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Members changed: exclude anyone linked to a producer in the open rounds.
        created = services.refresh_automatic_exclusions(
            council=form.instance, actor=request.user
        )
        if created:
            self.message_user(
                request,
                _(
                    "%(count)s members were excluded from products of open rounds "
                    "because they are linked to the producer."
                )
                % {"count": created},
                messages.WARNING,
            )


# Rounds and recognition (changed only by the portal's services) ---------------------


class RoundEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoundEntry
    extra = 0
    fields = ["dossier", "criteria", "assigned_by", "assigned_at"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "council", "year", "level", "status"]
    list_filter = ["status", "level", "year"]
    search_fields = ["name"]
    inlines = [RoundEntryInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "date", "signer", "level", "round"]
    search_fields = ["number"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "product", "stars", "valid_from", "valid_until", "status"]
    list_filter = ["status", "stars", "year"]
    search_fields = ["number", "product__name"]


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["certificate", "threshold_days", "sent_at", "recipients"]
    list_select_related = ["certificate"]
    date_hierarchy = "sent_at"


@admin.register(ResultNotice)
class ResultNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["result", "sent_at", "recipients"]
    list_select_related = ["result__entry__round", "result__entry__dossier__product"]
    date_hierarchy = "sent_at"
