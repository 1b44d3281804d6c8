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

# What django.contrib.auth reads of a session's member to sign its request in: the password
# hash, which the session's own hash must match, and whether the account is active.
SIGN_IN_FIELDS = ("password", "is_active")


def _session_query(
    *, session_key: str, now: datetime, read_ahead: tuple[str, ...] = (), sign_in_only=False
):
    sessions = Session.objects.filter(session_key=session_key, expire_date__gt=now)
    if read_ahead:
        annotations = _read_ahead()("member")
        sessions = sessions.annotate(**{name: annotations[name] for name in read_ahead})
    sessions = sessions.select_related("member")
    if sign_in_only:
        session_fields = [field.name for field in Session._meta.concrete_fields]
        sessions = sessions.only(*session_fields, *(f"member__{f}" for f in SIGN_IN_FIELDS))
    return sessions[:1]


@functools.cache
def _read_ahead():
    """settings.SESSION_READ_AHEAD: a function that returns the annotations to read of the
    member that `OuterRef(ref)` names, {name: expression}."""
    return import_string(settings.SESSION_READ_AHEAD)


@functools.cache
def _read_ahead_names() -> tuple[str, ...]:
    return tuple(_read_ahead()("member"))


@functools.cache
def _session(read_ahead: tuple[str, ...], sign_in_only: bool = False) -> queries.Compiled:
    """The session's query reading these of SESSION_READ_AHEAD too: compiled once."""
    return queries.Compiled(
        functools.partial(_session_query, read_ahead=read_ahead, sign_in_only=sign_in_only),
        session_key=str,
        now=datetime,
    )


# The session whose member django.contrib.auth is loading now (core.middleware's user).
loading: ContextVar["SessionStore | None"] = ContextVar("loading_session", default=None)

# Session data whose signature this process has checked (SessionStore.decode): the signed
# text, as a session's row holds it, and what it holds, as the serializer writes it. At
# most this many (about 500 bytes each); then it starts again.
VERIFIED_MAX = 10_000
_verified: dict[str, bytes] = {}


class SessionStore(db.SessionStore):
    member = None  # the member the session named when it was read, if any
    # What of settings.SESSION_READ_AHEAD the session is read with (`read_ahead`), and
    # whether its member is read only as far as signing in needs.
    reading_ahead: tuple[str, ...] = ()
    sign_in_only = False

    @classmethod
    def get_model_class(cls):
        return Session

    def decode(self, session_data):
        """As Django's (the data's signature checked against the secret key, uncompressed,
        deserialized; {} for data that fails), checking a text once per process: the same
        text comes back with every request of a session until it changes (each poll, every
        30 seconds), and its check was a tenth of the poll's time. Data that fails is not
        remembered, and each read gets a session of its own."""
        checked = _verified.get(session_data)
        if checked is not None:
            return self.serializer().loads(checked)
        session = super().decode(session_data)
        if session:
            if len(_verified) >= VERIFIED_MAX:
                _verified.clear()
            _verified[session_data] = self.serializer().dumps(session)
        return session

    def _get_session_from_db(self):
        # As Django's: the unexpired session with this key, else none (and no key).
        found = _session(self.reading_ahead, self.sign_in_only).instances(
            session_key=self.session_key
        )
        if not found:
            self._session_key = None
            return None
        session = found[0]
        self.member = session.member
        if self.reading_ahead and self.member is not None:
            self.member.read_with_session = {
                name: getattr(session, name) for name in self.reading_ahead
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


def read_ahead(request, *names: str, sign_in_only: bool = False) -> None:
    """Read the request's session, when it is read, with settings.SESSION_READ_AHEAD (these
    `names` of it, or all): for a request that shows the top bar (a page) or its counts (the
    unread badge's poll). Only before anything has read the session; the member's
    `read_with_session` are then what they were when the request began, which a request that
    changes them must forget (`forget_read_ahead`).

    `sign_in_only`: of the member, read only what signing in checks (SIGN_IN_FIELDS), for a
    request that shows nothing of them (the poll); any other field read later is a query."""
    session = getattr(request, "session", None)
    if (
        getattr(settings, "SESSION_READ_AHEAD", None)
        and isinstance(session, SessionStore)
        and not hasattr(session, "_session_cache")
    ):
        session.reading_ahead = names or _read_ahead_names()
        session.sign_in_only = sign_in_only


def read_with_session(member, *names: str) -> dict | None:
    """What the member's session read ahead of them (`read_ahead`), if it read these `names`
    and nothing since made it forget them."""
    read = getattr(member, "read_with_session", None)
    return read if read is not None and read.keys() >= set(names) else None


def forget_read_ahead(member) -> None:
    """The member's counts have changed since the session read them: read them again."""
    member.read_with_session = None
