"""What the apps keep in the shared cache (Redis in production): values read from rows, kept
until a change to those rows forgets them."""

from django.core.cache import cache
from django.db import transaction


def forget(*keys: str) -> None:
    """Drop `keys`, after a change to what they were read from: now, and again once the
    transaction commits, so that a value read meanwhile from the rows before the change is
    not kept."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
