"""Test settings: the production settings plus what a test run needs.

The portal reads everything from the environment; tests only supply a throwaway secret
(DEBUG is off in tests, as pytest-django forces it) and cheaper hashing.
"""

import os
import uuid

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "k" * 60)
# Each test run sends its tasks to a queue of its own, and the workers its tests start
# (subprocesses, which inherit the environment) listen there: leftovers of an earlier
# run on the same Redis never stand before a test's own message. tests/conftest.py
# deletes the queue when the run ends.
os.environ.setdefault("OCOP_TEST_QUEUE", f"ocop-test-{uuid.uuid4().hex[:12]}")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from ocop_portal.settings import *  # noqa: F403
from ocop_portal.settings import STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
CELERY_TASK_DEFAULT_QUEUE = os.environ["OCOP_TEST_QUEUE"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# whitenoise warns when STATIC_ROOT does not exist; tests serve from the finders.
VAR_DIR.mkdir(exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
