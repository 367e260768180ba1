"""Audit trail helpers: services call these inside their transaction."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User


def _display(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    value = getattr(instance, name)
    if value is None or value == "":
        return ""
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, str]:
    """The display value of each field, to compare before and after a change."""
    return {name: _display(instance, name) for name in fields}


def changes_between(
    before: dict[str, str], after: dict[str, str]
) -> dict[str, list[str]]:
    return {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }


def record_event(
    *,
    target: models.Model,
    actor: User | None,
    action: str,
    changes: dict[str, list[str]] | None = None,
    reason: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        changes=changes or {},
        reason=reason,
    )


def record_created(
    *, target: models.Model, actor: User | None, fields: list[str]
) -> AuditEvent:
    """The creation of `target`, with the values it was created with."""
    return record_event(
        target=target,
        actor=actor,
        action="created",
        changes=changes_between({}, snapshot(target, fields)),
    )


# Labels of the actions services record; an unknown action shows as written.
ACTION_LABELS = {
    "created": _("Created"),
    "updated": _("Updated"),
    "archived": _("Archived"),
    "status": _("Status changed"),
    "document_added": _("Document added"),
    "document_removed": _("Document removed"),
    "photo_added": _("Photo added"),
    "imported": _("Imported"),
    "certified": _("Certified"),
    "finalised": _("Finalised"),
}


def history_rows(obj: models.Model) -> list[dict]:
    """Events of an object with field labels resolved for display, newest first."""
    model = type(obj)
    rows = []
    for event in AuditEvent.objects.for_object(obj):
        changes = []
        for name, (old, new) in event.changes.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                label = name
            else:
                # A reverse relation ("documents", "photos") has no verbose_name of
                # its own: use the related model's plural name.
                label = getattr(field, "verbose_name", None) or (
                    field.related_model._meta.verbose_name_plural
                )
            changes.append({"label": label, "old": old, "new": new})
        label = ACTION_LABELS.get(event.action, event.action)
        rows.append({"event": event, "changes": changes, "action_label": label})
    return rows
