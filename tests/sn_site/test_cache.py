"""The one cache-generation helper: what is kept in the shared cache or held by a process starts
afresh, in every process, when a generation it was built from does (and carrying on while Redis is
away: test_operations)."""

import os
import time

import pytest
import redis
from django.core.cache import cache

from sn_site.cache import HeldInProcess, ResilientRedisCache, generation_forget, generations, kept


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
