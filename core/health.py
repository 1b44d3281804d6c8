"""What the load balancer's /healthz asks: does every backing service answer?"""

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def redis_caches() -> list[str]:
    """The cache aliases served by Redis (configured through REDIS_URL); local caches need no
    probe."""
    return [
        alias
        for alias, options in settings.CACHES.items()
        if "redis" in options.get("BACKEND", "").lower()
    ]


def cache_answers(alias: str) -> bool:
    try:
        caches[alias].get("healthz:probe")
    # Whatever the client library raises (ConnectionError, TimeoutError, ...) means "down".
    except Exception:
        return False
    return True


def unavailable_services() -> list[str]:
    down = [] if database_answers() else ["database"]
    down += [f"cache {alias}" for alias in redis_caches() if not cache_answers(alias)]
    return down
