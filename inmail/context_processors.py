from django.utils.functional import SimpleLazyObject

from core import live, sessions
from inmail import selectors
from inmail.stream import live_available


def topbar(request):
    """What the top bar and a few cards read on every page: the pending invitations, the
    unread conversations and whether the member is Premium, read with the session on a page
    (core.sessions.read_ahead), otherwise in one query for the three and only if a template
    reads one of them; and whether the page opens its live stream (inmail.stream), with the
    time it was rendered, from which the stream catches up."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if sessions.read_with_session(user, *selectors.TOPBAR_COUNTS):
        # All three read already: plain values, which a template reads without a lazy
        # object's cost. (Had the session read only some, topbar_counts would query.)
        counts = selectors.topbar_counts(member=user)
        shown = {name: getattr(counts, name) for name in selectors.TOPBAR_COUNTS}
    else:
        counts = SimpleLazyObject(lambda: selectors.topbar_counts(member=user))
        shown = {
            name: SimpleLazyObject(lambda name=name: getattr(counts, name))
            for name in selectors.TOPBAR_COUNTS
        }
    return {**shown, "live": live_available(request), "live_since": live.now_id()}
