"""Django admin for plans: a read-only view for administrators.

Plans, targets, trainings, attendance and sales points change through the portal's
pages (services keep the audit trail and enqueue the progress jobs); progress
snapshots are written by the Celery jobs only.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import (
    Attendance,
    Plan,
    ProgressSnapshot,
    SalesPoint,
    Target,
    TrainingEvent,
)


class TargetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Target
    fields = ["indicator", "district", "commune", "target_value", "note"]
    extra = 0


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "year", "issued_on", "lead_agency", "status"]
    list_filter = ["year", "status"]
    search_fields = ["number", "title"]
    inlines = [TargetInline]


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["target", "day", "value", "computed_at"]
    list_filter = ["target__plan", "target__indicator"]
    list_select_related = ["target__plan"]
    date_hierarchy = "day"


class AttendanceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attendance
    fields = ["user", "producer", "district", "commune", "recorded_by", "recorded_at"]
    extra = 0


@admin.register(TrainingEvent)
class TrainingEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "held_on", "audience", "place"]
    list_filter = ["audience"]
    date_hierarchy = "held_on"
    inlines = [AttendanceInline]


@admin.register(SalesPoint)
class SalesPointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "district", "opened_on", "closed_on"]
    list_filter = ["kind"]
    list_select_related = ["district"]
