"""Django's database sessions (SESSION_ENGINE = "core.sessions") in core.models.Session, which
names the member a session is signed in as: a signed-in request reads its session and its
member in one query compiled once per process, and accounts.backends.MemberBackend takes the
member from there rather than reading it again (`session_member`)."""

from contextvars import ContextVar
from datetime import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db

from core import queries
from core.models import Session


def _session_query(*, session_key: str, now: datetime):
    return Session.objects.filter(session_key=session_key, expire_date__gt=now).select_related(
        "member"
    )[:1]


_session = queries.Compiled(_session_query, session_key=str, now=datetime)

# The session whose member django.contrib.auth is loading now (core.middleware's user).
loading: ContextVar["SessionStore | None"] = ContextVar("loading_session", default=None)


class SessionStore(db.SessionStore):
    member = None  # the member the session named when it was read, if any

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        # As Django's: the unexpired session with this key, else none (and no key).
        found = _session.instances(session_key=self.session_key)
        if not found:
            self._session_key = None
            return None
        self.member = found[0].member
        return found[0]

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        member_id = data.get(SESSION_KEY)
        session.member_id = int(member_id) if str(member_id).isdigit() else None
        return session


def session_member(user_id):
    """The member the session being loaded read with it, when it is the one `user_id` names:
    read in the same query as the session, in this request."""
    store = loading.get()
    member = store.member if store is not None else None
    if member is not None and str(member.pk) == str(user_id):
        return member
    return None
