"""The shared cache, forgiving of Redis being away.

Everything the site keeps in the cache can be rebuilt from PostgreSQL (pages, lookups, API answers)
or is a counter (rate limits, the newsletter pace). So while Redis restarts or fails over, a cache
call that cannot reach it behaves as a miss (reads) or is dropped (writes) and the page is built
from the database, instead of every request failing. Rate limits let requests through meanwhile
(a counter that cannot be counted) and say so in the log.
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


def generations(*names: str) -> str:
    """The current token of each named generation, in one round trip, joined: what is kept in the
    cache is keyed by the generations it was built from, so that starting one afresh
    (generation_forget) retires everything built from it at once, in every process."""
    keys = [f"{name}:generation" for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            found[key] = uuid.uuid4().hex
            if not cache.add(key, found[key], timeout=None):  # another process made it first
                found[key] = cache.get(key) or found[key]
    return "-".join(found[key] for key in keys)


def generation_forget(name: str) -> None:
    cache.set(f"{name}:generation", uuid.uuid4().hex, timeout=None)


UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# While Redis is away every request would log; once every this many seconds a process is enough.
LOG_EVERY_SECONDS = 10.0


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, where "Redis unreachable" is a miss rather than an error. Short socket
    timeouts (OPTIONS, set in settings) keep a vanished server from holding requests up."""

    _last_logged = 0.0

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("cache unreachable (%s): %s; serving without it", operation, error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("add", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._unreachable("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._unreachable("delete", error)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            self._unreachable("has_key", error)
            return False

    def incr(self, key, delta=1, version=None):
        """A counter that cannot be counted reads as its first use, so rate limits let requests by."""
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            self._unreachable("incr", error)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set_many", error)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            self._unreachable("clear", error)
            return False
