"""The test suite's settings: production's (DEBUG off, a secret required, CSP, HSTS, secure
cookies), with only what a test run cannot have changed.

pytest-django imports these before any conftest runs, so the secret is set here: a fresh random
one per run, never a key written in the repository.
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DJANGO_DEBUG"] = "0"

from config.settings import *  # noqa: E402, F403

# Tests don't run collectstatic, so there is no manifest of hashed names to look up, and
# WhiteNoise serves the files from the finders (the browser tests' uvicorn servers).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client and the live server speak plain HTTP on localhost, where no TLS proxy sits
# in front: no redirect to https, and cookies the browser sends over http.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# MD5 instead of PBKDF2: hashing costs a noticeable fraction of a second per member created or
# signed in. Only the tests' members, whose passwords protect nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run the moment they are enqueued, inside the test (tests/inmail/test_tasks.py also runs
# them through django-tasks-db's queue and worker, as production does).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# The browser tests' own uvicorn servers (tests/e2e/servers.py) run with these settings and
# say how: DEBUG on for the development mode, and a prefix of their own in a shared Redis.
DEBUG = os.environ.get("TESTS_SITE_MODE") == "development"
if os.environ.get("TESTS_KEY_PREFIX"):
    CACHES["default"]["KEY_PREFIX"] = os.environ["TESTS_KEY_PREFIX"]  # noqa: F405
