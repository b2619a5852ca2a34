"""What a read from the shared Redis cache costs the site, against the floor measured in the same
run: redis-py's own GET of the same value on a client kept open. A cached page or answer is a few
such reads, so their overhead is paid on nearly every request.

    .venv/bin/python bench/cache_reads.py   # Redis at CACHE_URL, or redis://127.0.0.1:6379/14
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOCATION = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/14")
READS, ROUNDS = 3000, 5
VALUE = b"x" * 30_000  # about a cached ward page


def microseconds(read) -> float:
    """The best of several rounds of many reads: the machine's noise only ever adds."""
    read()
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(READS):
            read()
        best = min(best, (time.perf_counter() - started) / READS * 1e6)
    return best


def main() -> int:
    from django.conf import settings

    settings.configure(CACHES={"default": {"BACKEND": "sn_site.cache.ResilientRedisCache", "LOCATION": LOCATION}})
    import django

    django.setup()
    import redis
    from django.core.cache import cache

    cache.set("bench", VALUE, 300)
    built = []
    original = redis.Redis.__init__
    redis.Redis.__init__ = lambda self, *a, **k: built.append(1) or original(self, *a, **k)
    ours = microseconds(lambda: cache.get("bench"))
    per_read = len(built) / (READS * ROUNDS + 1)
    raw = redis.Redis.from_url(LOCATION)
    floor = microseconds(lambda: raw.get(cache.make_and_validate_key("bench")))
    print(f"redis-py GET, client kept (floor): {floor:.0f} us")
    print(f"the site's cache.get:              {ours:.0f} us, {ours / floor:.2f}x the floor")
    print(f"redis-py clients built per read:   {per_read:.2f}")
    cache.delete("bench")
    return 0


if __name__ == "__main__":
    sys.exit(main())
