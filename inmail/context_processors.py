from django.utils.functional import SimpleLazyObject

from core import live
from inmail import selectors
from inmail.stream import live_available


def topbar(request):
    """What the top bar and a few cards read on every page: the pending invitations, the
    unread conversations and whether the member is Premium, in one query for the three and
    only if a template reads one of them; and whether the page opens its live stream
    (inmail.stream), with the time it was rendered, from which the stream catches up."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = SimpleLazyObject(lambda: selectors.topbar_counts(member=user))
    return {
        "pending_invitations": SimpleLazyObject(lambda: counts.pending_invitations),
        "unread_messages": SimpleLazyObject(lambda: counts.unread_messages),
        "is_premium": SimpleLazyObject(lambda: counts.is_premium),
        "live": live_available(request),
        "live_since": live.now_id(),
    }
