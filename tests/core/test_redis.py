"""The limits in Redis, the shared cache production uses (REDIS_URL). Redis keeps its own
clock, so these tests count without moving time; the expiries are the library's own."""

import os
import subprocess
import sys
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.models import Invitation
from tests.factories import MemberFactory

# CI's Redis (started by .ci/run) or a developer's own database number.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def redis_cache(settings):
    # A prefix of its own: nothing is flushed, and runs at the same time don't meet.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.shared_cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4()}",
        },
    }


def test_the_cache_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    """The shared cache follows REDIS_URL; rendered fragments stay in each process's memory
    (core.fragments: their keys name all they show, so a copy per process is never stale)."""
    script = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['fragments']['BACKEND'])"
    )

    def backend(**env):
        environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
        environ.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1")
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            env=environ,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    redis, local, fragments = (
        "core.shared_cache.RedisCache",
        "django.core.cache.backends.locmem.LocMemCache",
        "core.fragments.FragmentCache",
    )
    assert backend(REDIS_URL=TEST_REDIS_URL) == f"{redis} {fragments}"
    assert backend() == f"{local} {fragments}"


@pytest.mark.usefixtures("redis_cache")
def test_the_shared_cache_makes_one_redis_client_for_all_its_reads_and_writes():
    cache.set("greeting", "hello")
    cache.add("visits", 1)
    cache.incr("visits")

    assert cache.get_many(["greeting", "visits"]) == {"greeting": "hello", "visits": 2}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_cache")
def test_rate_limits_count_in_redis(member_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": "2/h"}
    recipients = MemberFactory.create_batch(3)

    statuses = [
        member_client.post(reverse("accounts:connect", kwargs={"slug": r.slug})).status_code
        for r in recipients
    ]

    assert statuses == [302, 302, 429]
    assert Invitation.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_cache")
def test_sign_in_lockout_counts_in_redis(client, member, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    member.set_password("the-right-password")
    member.save()
    login = reverse("login")

    for _ in range(10):
        client.post(login, {"username": "ada@example.com", "password": "wrong"})
    response = client.post(login, {"username": "ada@example.com", "password": "the-right-password"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_cache")
def test_healthz_answers_200_when_redis_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_does_not(client):
    # Nothing listens on port 1: the connection is refused at once.
    down = {
        "default": {
            "BACKEND": "core.shared_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    with override_settings(CACHES=down):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable: cache 'default'\n"
    assert response["Retry-After"] == "30"
