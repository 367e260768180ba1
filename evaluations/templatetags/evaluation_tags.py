"""Evaluation pieces shown on the pages of lower apps (a dossier's page), so that
those apps' views never import evaluations."""

from django import template

from .. import self_assessment

register = template.Library()


@register.inclusion_tag("evaluations/_self_assessment_card.html")
def self_assessment_card(dossier, may_compile: bool = False):
    """The dossier's self-assessment (Mẫu 02) card, with the button to fill it for
    the officer who compiles the dossier while it is open; nothing when there is
    neither a report nor a way to record one."""
    return {
        "dossier": dossier,
        "self_assessment": self_assessment.summary_of(dossier.pk),
        "can_self_assess": may_compile and self_assessment.is_open(dossier),
    }
