"""Django's database sessions (SESSION_ENGINE = "core.sessions"), the session read through a
query compiled once per process: every signed-in request reads its session first."""

from datetime import datetime

from django.contrib.sessions.backends import db

from core import queries


def _session_query(*, session_key: str, now: datetime):
    return db.SessionStore.get_model_class().objects.filter(
        session_key=session_key, expire_date__gt=now
    )[:1]


_session = queries.Compiled(_session_query, session_key=str, now=datetime)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        # As Django's: the unexpired session with this key, else none (and no key).
        found = _session.instances(session_key=self.session_key)
        if not found:
            self._session_key = None
            return None
        return found[0]
