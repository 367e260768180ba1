from django import template
from django.utils.html import format_html
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def stars(count):
    """★★★ with an accessible label, or nothing for a product without stars."""
    if not count:
        return ""
    label = ngettext("%(count)s star", "%(count)s stars", count) % {"count": count}
    return format_html(
        '<span class="stars" role="img" aria-label="{}" title="{}">{}</span>',
        label,
        label,
        "★" * count,
    )


STATUS_COLOURS = {
    "draft": "secondary",
    "submitted": "primary",
    "returned": "warning",
    "resubmitted": "info",
    "accepted": "success",
    "under_evaluation": "dark",
    "forwarded": "dark",
    "decided": "success",
}


@register.simple_tag
def status_badge(dossier):
    return format_html(
        '<span class="badge text-bg-{}" data-status="{}">{}</span>',
        STATUS_COLOURS.get(dossier.status, "secondary"),
        dossier.status,
        dossier.get_status_display(),
    )
