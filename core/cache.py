"""Django's Redis cache behind the Redis breaker (core/redis_breaker.py): a
call made while Redis is being skipped raises at once, as a failed call
would, instead of waiting for its timeout; a timeout trips the breaker."""

import functools

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from . import redis_breaker

_METHODS = [
    *["add", "get", "set", "touch", "delete", "get_many", "has_key", "incr"],
    *["set_many", "delete_many", "clear"],
]


def _guard(method):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        return redis_breaker.guarded(lambda: method(self, *args, **kwargs))

    return guarded


class GuardedRedisCacheClient(RedisCacheClient):
    pass


for _name in _METHODS:
    setattr(GuardedRedisCacheClient, _name, _guard(getattr(RedisCacheClient, _name)))


class GuardedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = GuardedRedisCacheClient
