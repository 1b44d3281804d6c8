from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models

from core.db import LoadedFast


class Session(LoadedFast, AbstractBaseSession):
    """Django's database session, with the member it is signed in as (core.sessions): every
    signed-in request reads its session and its member in one query. Deleting a member
    deletes their sessions."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "core_session"

    @classmethod
    def get_session_store_class(cls):
        from core.sessions import SessionStore

        return SessionStore
