"""Django's database sessions (SESSION_ENGINE = "core.sessions") in core.models.Session, which
names the member a session is signed in as: a signed-in request reads its session and its
member in one query compiled once per process, and accounts.backends.MemberBackend takes the
member from there rather than reading it again (`session_member`).

A page's request (`read_ahead`) also reads in that query what every page's top bar shows of
its member (settings.SESSION_READ_AHEAD: the counts on its icons), one query fewer a page;
the member carries them as `read_with_session`."""

import functools
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.utils.module_loading import import_string

from core import queries
from core.models import Session


def _session_query(*, session_key: str, now: datetime, read_ahead: bool = False):
    sessions = Session.objects.filter(session_key=session_key, expire_date__gt=now)
    if read_ahead:
        sessions = sessions.annotate(**_read_ahead()("member"))
    return sessions.select_related("member")[:1]


@functools.cache
def _read_ahead():
    """settings.SESSION_READ_AHEAD: a function that returns the annotations to read of the
    member that `OuterRef(ref)` names, {name: expression}."""
    return import_string(settings.SESSION_READ_AHEAD)


@functools.cache
def _read_ahead_names() -> tuple[str, ...]:
    return tuple(_read_ahead()("member"))


_session = queries.Compiled(_session_query, session_key=str, now=datetime)
_session_reading_ahead = queries.Compiled(
    functools.partial(_session_query, read_ahead=True), session_key=str, now=datetime
)

# The session whose member django.contrib.auth is loading now (core.middleware's user).
loading: ContextVar["SessionStore | None"] = ContextVar("loading_session", default=None)


class SessionStore(db.SessionStore):
    member = None  # the member the session named when it was read, if any
    # Whether the session is read with settings.SESSION_READ_AHEAD (`read_ahead`).
    reading_ahead = False

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        # As Django's: the unexpired session with this key, else none (and no key).
        query = _session_reading_ahead if self.reading_ahead else _session
        found = query.instances(session_key=self.session_key)
        if not found:
            self._session_key = None
            return None
        session = found[0]
        self.member = session.member
        if self.reading_ahead and self.member is not None:
            self.member.read_with_session = {
                name: getattr(session, name) for name in _read_ahead_names()
            }
        return session

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


def read_ahead(request) -> None:
    """Read the request's session, when it is read, with settings.SESSION_READ_AHEAD: for a
    request that shows the top bar (a page) or its counts (the unread badge's poll). Only
    before anything has read the session; the member's `read_with_session` are then what
    they were when the request began, which a request that changes them must forget
    (`forget_read_ahead`)."""
    session = getattr(request, "session", None)
    if (
        getattr(settings, "SESSION_READ_AHEAD", None)
        and isinstance(session, SessionStore)
        and not hasattr(session, "_session_cache")
    ):
        session.reading_ahead = True


def read_with_session(member) -> dict | None:
    """What the member's session read ahead of them (`read_ahead`), if it did and nothing
    since made it forget them."""
    return getattr(member, "read_with_session", None)


def forget_read_ahead(member) -> None:
    """The member's counts have changed since the session read them: read them again."""
    member.read_with_session = None
