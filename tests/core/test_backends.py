"""core.backends.postgresql: a kept connection's health is checked only after it sat idle."""

import psycopg
import pytest
from django.db import connection, connections

from core.backends.postgresql import base


class Answering:
    """Stands in for psycopg's connection: the wrapper's logic is what is tested here."""

    def close(self):
        pass


@pytest.fixture
def wrapper(monkeypatch):
    wrapper = base.DatabaseWrapper({**connection.settings_dict, "CONN_HEALTH_CHECKS": True})
    wrapper.health_check_enabled = True
    wrapper.connection = Answering()
    wrapper.autocommit = True
    wrapper.checks = 0
    monkeypatch.setattr(wrapper, "ensure_connection", lambda: None)  # it is there already

    def is_usable():
        wrapper.checks += 1
        return True

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    return wrapper


def request(wrapper, *, error=False):
    """What a request does to the connection: Django's request_started and request_finished
    signals (close_old_connections) around a query."""
    wrapper.close_if_unusable_or_obsolete()
    wrapper.close_if_health_check_failed()  # as a cursor is taken
    wrapper.errors_occurred = error
    wrapper.close_if_unusable_or_obsolete()


def test_a_connection_never_used_is_checked(wrapper):
    request(wrapper)
    assert wrapper.checks == 1


def test_a_connection_that_just_answered_is_not_checked_again(wrapper):
    request(wrapper)
    request(wrapper)
    request(wrapper)
    assert wrapper.checks == 1


def test_a_connection_idle_for_longer_is_checked(wrapper):
    request(wrapper)
    wrapper.answered_at -= base.TRUSTED_FOR
    request(wrapper)
    assert wrapper.checks == 2


def test_a_request_that_failed_is_not_taken_for_an_answer(wrapper):
    request(wrapper, error=True)
    # Checked before the query, and by Django after the error: the check answered, not the query.
    assert wrapper.checks == 2
    assert wrapper.answered_at == float("-inf")


def test_the_site_uses_it_on_postgresql():
    site = connections["default"]
    assert isinstance(site, base.DatabaseWrapper) == (site.vendor == "postgresql")


@pytest.mark.django_db
def test_cursor_of_wraps_the_cursor_its_factory_makes_as_django_wraps_its_own():
    site = connections["default"]
    if site.vendor != "postgresql":
        assert not hasattr(site, "cursor_of")  # SQLite: core.queries takes Django's cursor
        return
    made = []

    def factory(pg_connection):
        made.append(psycopg.RawCursor(pg_connection))
        return made[-1]

    with site.cursor_of(factory) as cursor:
        cursor.execute("SELECT $1::int + 1", [41])
        assert cursor.fetchone() == (42,)
    with site.cursor_of(lambda pg_connection: None) as cursor:  # none made: Django's own
        cursor.execute("SELECT %s::int + 1", [1])
        assert cursor.fetchone() == (2,)

    assert len(made) == 1
    assert cursor.cursor is not made[0]
    with site.cursor() as plain:  # afterwards, Django's own again
        assert not isinstance(plain.cursor, psycopg.RawCursor)
