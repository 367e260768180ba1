from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and targets")

    def ready(self):
        # The one signal of the codebase (CONVENTIONS: Layers): evaluations tells plans,
        # on commit, that a year's recognitions changed; plans enqueues a progress job.
        from evaluations.signals import recognition_changed

        from .tasks import on_recognition_changed

        recognition_changed.connect(
            on_recognition_changed, dispatch_uid="plans.progress"
        )
