"""The site's settings, plus the bare view's URL; used only by `make bench`."""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
# The in-process measurements use Django's test client.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# gunicorn is reached over plain HTTP on localhost, with no TLS proxy in front.
SECURE_SSL_REDIRECT = False
