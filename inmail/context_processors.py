from django.utils.functional import SimpleLazyObject

from inmail import selectors


def messaging(request):
    """The unread count for the top bar, queried only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": SimpleLazyObject(lambda: selectors.unread_count(member=user))}
