"""The Celery app, as in Celery's "First steps with Django" guide.

Settings come from Django's settings under the CELERY_ namespace. Without REDIS_URL
tasks run in-process (CELERY_TASK_ALWAYS_EAGER), so the embedded default needs no broker.
"""

import os
import time

from celery import Celery

from django.conf import settings
from django.core.cache import cache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_portal.settings")

app = Celery("ocop_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "ocop:worker-heartbeat"


@app.task(name="ocop_portal.heartbeat", ignore_result=True)
def heartbeat(token: str = "") -> None:
    """Record that a worker is alive (beat sends this every minute); /healthz reads it.

    The token lets a caller prove that its own message went through a worker.
    """
    cache.set(
        HEARTBEAT_CACHE_KEY,
        {"at": time.time(), "token": token},
        timeout=settings.OCOP_HEARTBEAT_STALE_SECONDS * 10,
    )
