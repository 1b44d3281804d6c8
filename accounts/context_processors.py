from django.utils.functional import SimpleLazyObject

from accounts import selectors


def topbar(request):
    """Counts for the top bar, computed only if a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "pending_invitations": SimpleLazyObject(
            lambda: selectors.pending_invitation_count(member=user)
        )
    }
