"""Django's PostgreSQL backend, with a kept connection's health checked only after it sat idle.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before each request's first query: one more round
trip on every page, as long as a page's own short query (the unread badge's poll has just the
one). A connection that answered a request a moment ago is trusted instead, as pgbouncer's
server_check_delay trusts its server connections; one idle for longer is checked as before.
Should PostgreSQL go away within that moment, the request that finds out fails, and Django
closes the connection after it (errors_occurred), as it does with no health checks at all.
"""

import time

from django.db.backends.postgresql import base

# Seconds a connection that has answered a request is trusted without a check.
TRUSTED_FOR = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    answered_at = float("-inf")
    _cursor_factory = None

    def cursor_of(self, factory):
        """A cursor as cursor() makes it (the health check, the connection, the wrapper that
        turns errors into Django's and logs queries) around the psycopg cursor that
        `factory(connection)` makes, or Django's own when it makes none: core.queries' cursor
        that prepares, made once rather than made in place of Django's."""
        self._cursor_factory = factory
        try:
            return self.cursor()
        finally:
            self._cursor_factory = None

    def create_cursor(self, name=None):
        if self._cursor_factory is not None and name is None:
            made = self._cursor_factory(self.connection)
            if made is not None:
                return made
        return super().create_cursor(name)

    def close_if_health_check_failed(self):
        if time.monotonic() - self.answered_at < TRUSTED_FOR:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends. At the end, a connection the request used
        # (health_check_done: a cursor was taken) without an error has just answered.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.answered_at = time.monotonic()
        super().close_if_unusable_or_obsolete()
