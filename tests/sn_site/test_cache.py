"""The one cache-generation helper: what is kept in the shared cache or held by a process starts
afresh, in every process, when a generation it was built from does (and carrying on while Redis is
away: test_operations)."""

import os
import time

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from sn_site import cache as cache_module
from sn_site.cache import HeldInProcess, ResilientRedisCache, generation_forget, generations, kept, tally


def _builder(built: list):
    def build(label):
        built.append(label)
        return label

    return build


def test_forgetting_a_generation_retires_what_was_built_from_it_and_nothing_else():
    built = []
    build = _builder(built)

    def everything():
        return [
            kept("pages", lambda: build("pages"), generations_of=["one"], timeout=60),
            kept("lookups", lambda: build("lookups"), generations_of=["two"], timeout=60),
            kept("answers", lambda: build("answers"), generations_of=["one", "two"], timeout=60),
        ]

    everything()
    everything()
    assert built == ["pages", "lookups", "answers"]  # kept: built once

    generation_forget("two")
    everything()

    assert built == ["pages", "lookups", "answers", "lookups", "answers"]


def test_an_emptied_cache_starts_every_generation_afresh():
    before = generations("one", "two")

    cache.clear()

    after = generations("one", "two")
    assert after != before and all(a != b for a, b in zip(after.split("-"), before.split("-"), strict=True))
    assert generations("one", "two") == after


def test_a_process_holds_a_value_until_its_generation_starts_afresh_or_its_time_is_up(monkeypatch):
    built = []
    build = _builder(built)
    held = HeldInProcess()

    def get():
        return held.get("wards", lambda: build(len(built)), generations_of=["lookup"], seconds=60)

    assert get() == get() == 0
    generation_forget("lookup")
    assert get() == get() == 1
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert get() == 2


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs the real Redis (CI has it)")
def test_the_redis_cache_reads_and_writes_without_building_a_client_each_time(monkeypatch):
    """Django's Redis cache builds a redis-py client for every call, which costs about as much as a
    small read itself; ours keeps one per server, and still reads and writes the same."""
    backend = ResilientRedisCache("redis://127.0.0.1:6379/15", {})
    backend.set("answer", {"wards": ["E05011113"]}, 60)  # the first call builds its client
    built = []
    original = redis.Redis.__init__
    monkeypatch.setattr(redis.Redis, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k))

    for n in range(20):
        backend.set(f"n{n}", n, 60)
    values = [backend.get("answer"), backend.get_many([f"n{n}" for n in range(20)]), backend.incr("n3")]

    assert values == [{"wards": ["E05011113"]}, {f"n{n}": n for n in range(20)}, 4]
    assert built == []
    backend.delete_many(["answer", *(f"n{n}" for n in range(20))])


def _tally_checks(backend, monkeypatch):
    """A counter counts from one, and is forgotten once its time is up."""
    monkeypatch.setattr(cache_module, "caches", {"default": backend})
    monkeypatch.setattr(cache_module, "cache", backend)
    backend.delete("visits")
    assert [tally("visits", 1) for _ in range(3)] == [1, 2, 3]
    time.sleep(1.2 if isinstance(backend, ResilientRedisCache) else 0)


def test_a_tally_counts_from_one_in_the_local_cache(monkeypatch):
    backend = LocMemCache("tally", {})
    _tally_checks(backend, monkeypatch)
    backend.clear()
    assert tally("visits", 1) == 1


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs the real Redis (CI has it)")
def test_a_tally_with_redis_is_one_round_trip_and_forgotten_when_its_time_is_up(monkeypatch):
    """Every rate limit counts each request: with Redis that is a round trip across the network,
    so the counter is made (with its lifetime) and counted in one."""
    backend = ResilientRedisCache("redis://127.0.0.1:6379/15", {})
    backend.set("warm", 1, 60)  # the first call builds its client
    trips = []
    original = redis.connection.Connection.send_packed_command
    monkeypatch.setattr(
        redis.connection.Connection,
        "send_packed_command",
        lambda self, *a, **k: trips.append(1) or original(self, *a, **k),
    )

    _tally_checks(backend, monkeypatch)

    assert len(trips) == 1 + 3  # the delete, then one a count
    assert tally("visits", 1) == 1  # forgotten after its second: counting starts again


def test_a_kept_value_is_read_with_its_generations_in_one_round_trip(monkeypatch):
    kept("answer", lambda: "built", generations_of=["one", "two"], timeout=60)
    reads = []
    for name in ("get", "get_many"):
        original = getattr(LocMemCache, name)
        monkeypatch.setattr(
            LocMemCache,
            name,
            lambda self, *a, _name=name, _original=original, **k: reads.append(_name) or _original(self, *a, **k),
        )

    value = kept("answer", lambda: "built again", generations_of=["one", "two"], timeout=60)

    assert value == "built" and reads[0] == "get_many" and reads.count("get_many") == 1
