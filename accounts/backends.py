from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.models import Member
from core.queries import Compiled
from core.sessions import session_member

# Every signed-in request reads its member: built and compiled by the ORM once per process
# (ModelBackend builds `Member.objects.get(pk=...)` anew each time, a third of a small page).
_member = Compiled(lambda *, pk: Member.objects.filter(pk=pk), pk=int)


class MemberBackend(ModelBackend):
    """ModelBackend, reading the member of each signed-in request with its session
    (core.sessions), or else through a compiled query.

    A sign-in it refuses is final (PermissionDenied): django.contrib.auth would otherwise try
    the next backend, ModelBackend, which is listed only for the sessions signed in through it
    before this one existed, and which would hash the wrong password a second time.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        member = super().authenticate(request, username, password, **kwargs)
        if member is None:
            raise PermissionDenied
        return member

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        member = await super().aauthenticate(request, username, password, **kwargs)
        if member is None:
            raise PermissionDenied
        return member

    def get_user(self, user_id):
        # The member the request's session was read with (core.sessions), else a query.
        member = session_member(user_id) or _member.instance(pk=user_id)
        return member if member is not None and self.user_can_authenticate(member) else None
