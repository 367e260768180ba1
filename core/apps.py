from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Pieces every app shares: Excel export, private-file responses, admin mixins,
    list pages, the transition table, service errors on forms. It imports no other app
    of the portal, so every app may import it."""

    name = "core"
    verbose_name = _("Shared pieces")
