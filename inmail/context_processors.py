from django.utils.functional import SimpleLazyObject

from core import live
from inmail import selectors
from inmail.stream import live_available


def messaging(request):
    """The unread count for the top bar, queried only if a template reads it; and whether the
    page opens its live stream (inmail.stream), with the time it was rendered, from which the
    stream catches up."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_messages": SimpleLazyObject(lambda: selectors.unread_count(member=user)),
        "live": live_available(request),
        "live_since": live.now_id(),
    }
