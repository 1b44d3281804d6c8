"""What the apps keep in the shared cache (Redis in production): values read from rows, kept
until a change to those rows forgets them."""

from django.core.cache import cache
from django.core.cache.backends import redis as redis_backend
from django.db import transaction


def forget(*keys: str) -> None:
    """Drop `keys`, after a change to what they were read from: now, and again once the
    transaction commits, so that a value read meanwhile from the rows before the change is
    not kept."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


class _RedisCacheClient(redis_backend.RedisCacheClient):
    # One redis.Redis per connection pool, where Django's makes one for every read and write:
    # making one sets up its 170 reply callbacks, 90 µs, half a cache read here. A redis.Redis
    # is safe to share between threads: each command takes a connection of the pool for as
    # long as it runs.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool -> its redis.Redis

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


class RedisCache(redis_backend.RedisCache):
    """Django's RedisCache (production's shared cache, CACHES["default"] with REDIS_URL),
    making one client per connection pool rather than one per call."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisCacheClient
