"""Test settings: the production settings plus what a test run needs.

The portal reads everything from the environment; tests only supply a throwaway secret
(DEBUG is off in tests, as pytest-django forces it) and cheaper hashing.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "k" * 60)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from ocop_portal.settings import *  # noqa: F403
from ocop_portal.settings import STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# whitenoise warns when STATIC_ROOT does not exist; tests serve from the finders.
VAR_DIR.mkdir(exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
