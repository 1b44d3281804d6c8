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


def cache_answers(alias: str) -> bool:
    # Every configured cache is asked: Redis when REDIS_URL is set (rate limits and sign-in
    # lockouts live there), otherwise a local memory cache, which always answers.
    try:
        caches[alias].get("healthz:probe")
    # Whatever the client library raises (ConnectionError, TimeoutError, ...) means "down".
    except Exception:
        return False
    return True


def unavailable_services() -> list[str]:
    down = [] if database_answers() else ["database"]
    down += [f"cache {alias!r}" for alias in settings.CACHES if not cache_answers(alias)]
    return down
