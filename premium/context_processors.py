from django.utils.functional import SimpleLazyObject

from premium import selectors


def premium(request):
    """`is_premium` for the signed-in member, queried only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"is_premium": SimpleLazyObject(lambda: selectors.member_is_premium(member=user))}
