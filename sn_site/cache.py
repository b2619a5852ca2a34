"""The shared cache, forgiving of Redis being away.

Everything the site keeps in the cache can be rebuilt from PostgreSQL (pages, lookups, API answers)
or is a counter (rate limits, a sending pace). So while Redis restarts or fails over, a cache
call that cannot reach it behaves as a miss (reads) or is dropped (writes) and the page is built
from the database, instead of every request failing. Rate limits let requests through meanwhile
(a counter that cannot be counted) and say so in the log.
"""

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence

from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


# Generations. Whatever the site keeps (in the shared cache, or in a process's memory) that must
# start afresh when something is published or imported is keyed by the token of each generation it
# was built from; generation_forget gives a generation a new token, which retires everything built
# from it at once, in every process. Each app names its own generations and says which ones what it
# keeps depends on: this module knows no app.

# The token each generation last had in this process: while the cache cannot be reached at all, a
# process goes on with it rather than starting afresh (rebuilding what it holds) on every request.
_last_seen: dict[str, str] = {}


def generation_key(name: str) -> str:
    """Where a generation's token is kept in the cache: for reading it together with what was built
    from it, in one round trip."""
    return f"{name}:generation"


def generations(*names: str) -> str:
    """The current token of each named generation, joined, in one round trip. A generation the
    cache does not have (new, or the cache was emptied) gets a fresh token, so no process goes on
    trusting what it built before."""
    keys = [generation_key(name) for name in names]
    found = cache.get_many(keys)
    tokens = []
    for name, key in zip(names, keys, strict=True):
        token = found.get(key)
        if token is None:
            fresh = uuid.uuid4().hex
            # If another process made it first, theirs; if the cache is away, the last one seen here.
            made = cache.add(key, fresh, timeout=None)
            token = fresh if made else cache.get(key) or _last_seen.get(name) or fresh
        _last_seen[name] = token
        tokens.append(token)
    return "-".join(tokens)


def generation_forget(*names: str) -> None:
    """Start the named generations afresh, in every process sharing the cache. Call it once the
    change is committed (transaction.on_commit), or a process may rebuild from what is changing."""
    cache.set_many({generation_key(name): uuid.uuid4().hex for name in names}, timeout=None)


def read_kept(key: str, generations_of: Sequence[str]) -> tuple[object | None, str]:
    """A value stored by keep() with the tokens of the generations it was built from, read together
    with the current tokens in one round trip. Returns the value (None if there is none, or it
    belongs to an older generation) and the current tokens, to keep a rebuilt value with."""
    keys = [generation_key(name) for name in generations_of]
    found = cache.get_many([*keys, key])
    tokens = [found.get(generation) for generation in keys]
    if all(tokens):
        _last_seen.update(zip(generations_of, tokens, strict=True))
        token = "-".join(tokens)
    else:  # a generation the cache does not have yet (new, or emptied, or Redis away)
        token = generations(*generations_of)
    stored = found.get(key)
    if stored is not None and stored[0] == token:
        return stored[1], token
    return None, token


def keep(key: str, token: str, value: object, timeout: int) -> None:
    """Store a value built in the generations whose tokens read_kept() gave, for read_kept()."""
    cache.set(key, (token, value), timeout=timeout)


def kept(key: str, build: Callable[[], object], *, generations_of: Sequence[str], timeout: int):
    """What build() returns, kept in the shared cache under `key` until any of the named generations
    starts afresh or `timeout` seconds pass (for changes no generation tells of). One round trip
    when kept. build() must not return None."""
    value, token = read_kept(key, generations_of)
    if value is None:
        value = build()
        keep(key, token, value, timeout)
    return value


def tally(key: str, seconds: int) -> int:
    """Add one to a counter that starts at its first count and is forgotten `seconds` later, and
    return the count: for rate limits and paces. One round trip with Redis."""
    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        return backend.count(key, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the counter's first count
        return 1 if cache.add(key, 1, timeout=seconds) else cache.incr(key)


class HeldInProcess:
    """Values a process keeps in its own memory, for what is read on most requests and is dearer to
    fetch from the shared cache each time than to hold (a few hundred rows, an outline, a survey's
    rules). Each is rebuilt when a generation it was built from starts afresh, or `seconds` after
    it was built, so a process misses no change for longer than that. Costs one round trip (the
    tokens) per use. A None that build() returns is not held."""

    def __init__(self) -> None:
        self._held: dict[object, tuple[str, float, object]] = {}

    def get(
        self,
        key,
        build: Callable[[], object],
        *,
        generations_of: Iterable[str],
        seconds: float,
        still_good: Callable[[object], bool] | None = None,
    ):
        token = generations(*generations_of)
        held = self._held.get(key)
        if held is not None:
            held_token, built_at, value = held
            fresh = held_token == token and time.monotonic() - built_at < seconds
            if fresh and (still_good is None or still_good(value)):
                return value
        value = build()
        if value is not None:
            self._held[key] = (token, time.monotonic(), value)
        return value


UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# While Redis is away every request would log; once every this many seconds a process is enough.
LOG_EVERY_SECONDS = 10.0


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per server (they are thread-safe and
    share the connection pool) where Django's builds a new one for every call: with redis-py 8 that
    costs about as much as a small read itself (bench/README.md, "Redis cache reads")."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:  # the pool of that same server (with replicas, reads pick one at random)
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, where "Redis unreachable" is a miss rather than an error. Short socket
    timeouts (OPTIONS, set in settings) keep a vanished server from holding requests up. Its client
    is kept per server, not built per call."""

    _last_logged = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

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

    def count(self, key: str, seconds: int) -> int:
        """sn_site.cache.tally: the counter made if need be (SET NX with its lifetime) and counted
        (INCR), sent together in one round trip."""
        key = self.make_and_validate_key(key)
        try:
            pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
            pipeline.set(key, 0, ex=seconds, nx=True)
            pipeline.incr(key)
            return pipeline.execute()[1]
        except UNREACHABLE as error:
            self._unreachable("count", error)
            return 1

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
