import secrets

from django.utils.text import slugify


def slug_base(first_name: str, last_name: str) -> str:
    return slugify(f"{first_name} {last_name}")[:80].strip("-") or "member"


def unique_slug(first_name: str, last_name: str) -> str:
    """The profile address: the name, with a short random tail when the name is taken."""
    from accounts.models import Member

    base = slug_base(first_name, last_name)
    candidate = base
    while Member.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate
