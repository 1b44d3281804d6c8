"""Fixtures every test module may use. Helpers that are plain functions live beside this file:
tests/assertions.py (what a test checks) and tests/factories.py (the rows it needs)."""

import importlib
import os

import pytest
import time_machine
from django.conf import settings

from tests.factories import MemberFactory, connect


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """Every test counts rate limits and sign-in failures, and keeps rendered fragments, in
    fresh in-process caches: none leaks into the next, time-machine's clock moves their
    expiries (LocMemCache reads time.time), and a REDIS_URL in the environment is never
    flushed by a test."""
    from django.core.cache import caches

    settings.CACHES = {
        alias: {"BACKEND": backend, "LOCATION": alias}
        for alias, backend in (
            ("default", "django.core.cache.backends.locmem.LocMemCache"),
            ("fragments", "core.fragments.FragmentCache"),
        )
    }
    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def clock(request):
    """Time stands still at the test module's `START` (each module names the day its story
    begins); the test moves it on with `clock.move_to(...)`. A module that needs it for every
    test says `pytestmark = pytest.mark.usefixtures("clock")`."""
    with time_machine.travel(request.module.START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def member(db):
    return MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")


@pytest.fixture
def other(db):
    return MemberFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def seed_plans():
    """Write the plans the data migration seeds (idempotent)."""
    from django.apps import apps

    importlib.import_module("premium.migrations.0002_seed_plans").create_plans(apps, None)


@pytest.fixture
def premium_plans(transactional_db):
    """The plans the data migration seeds, for transactional tests: each one's flush removes
    them for the next (serialized_rollback did not restore them reliably beside live_server)."""
    seed_plans()


@pytest.fixture
def private_pages(member, other, premium_plans):
    """The pages that show `member` private data: a conversation, the compose window, My
    Premium, settings... (a header test asks each of them)."""
    from inmail.services import message_send

    connect(member, other)
    conversation = message_send(sender=other, recipient=member, body="Hello").conversation
    stranger = MemberFactory()
    return [
        "/",
        "/messaging/",
        f"/messaging/thread/{conversation.pk}/",
        f"/messaging/compose/{stranger.slug}/",
        "/messaging/unread/",
        "/premium/",
        "/premium/plans/premium-pro/",
        "/settings/",
        "/mynetwork/",
        f"/in/{member.slug}/",
        "/me/edit/",
        f"/in/{other.slug}/",
        "/search/?q=Grace",
    ]


# --- `pytest --reuse-db` (make test-fast) -----------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_keepdb):
    """A kept SQLite test database needs a name that outlives the process: settings.py names
    it after the pid (config/settings.py) so that simultaneous runs never share one. Each
    pytest-xdist worker keeps one of its own."""
    database = settings.DATABASES["default"]
    if django_db_keepdb and database["ENGINE"] == "django.db.backends.sqlite3":
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        database["TEST"]["NAME"] = settings.BASE_DIR / f".pytest-sqlite-reused-{worker}.sqlite3"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_keepdb, django_db_blocker):
    """A kept database was emptied by the last run's transactional tests (they flush every
    table, and pytest-django runs them last): put back the rows the data migrations seed."""
    if django_db_keepdb:
        with django_db_blocker.unblock():
            seed_plans()
