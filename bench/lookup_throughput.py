"""Throughput of the postcode lookup API under concurrent load, as a ratio against a minimal Django view.

One gunicorn server (bench.settings: DEBUG off, production middleware) serves both the lookup API
(/api/v1/lookup/?q=...) and /bench/baseline/, a view that returns {"ok": true} without touching the
database. Client processes keep HTTP connections alive and hammer one target at a time, alternating
baseline, lookup, baseline, lookup so that drift in a noisy machine cancels out. Absolute figures depend
on the machine; the headline is the lookup/baseline ratio. Any response other than 200 is an error and
makes the exit status 1.

The database: BENCH_DATABASE_URL if it names a database, else DATABASE_URL, used as it is (it must hold
the imported geography); with neither, sn_bench_lookup on the local server, created, migrated and loaded
from SN_DATA_DIR (with the page tree built, so lookups link to team pages) on first use, reused after.

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/lookup_throughput.py
"""

import contextlib
import http.client
import itertools
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

import psycopg
from support import ROOT, create_database, database_exists, database_name, database_url, manage

NAME = "sn_bench_lookup"
WORKERS, THREADS = 2, 4
CLIENTS = 4
ROUND_SECONDS, WARM_UP_SECONDS, ROUNDS = 10, 2, 2
MAX_REQUESTS_PER_CLIENT = 100_000
SAMPLE_SIZE, SEED = 2000, 20251127
BASELINE = "/bench/baseline/"
TARGET_RATIO = 0.70


def postcode_count(database: str) -> int:
    with psycopg.connect(database) as connection:
        try:
            return connection.execute("SELECT count(*) FROM priorities_postcode").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


def lookup_database() -> str:
    """The database to serve from, with the geography in it."""
    given = os.environ.get("BENCH_DATABASE_URL")
    given = given if database_name(given) else os.environ.get("DATABASE_URL")
    if given:
        if not postcode_count(given):
            sys.exit(f"{database_name(given)} has no postcodes: import the geography into it first.")
        return given
    database = database_url(NAME)
    if not database_exists(NAME):
        create_database(NAME)
    manage("migrate", "--no-input", database=database)
    if not postcode_count(database):
        if not os.environ.get("SN_DATA_DIR"):
            sys.exit(f"{NAME} is empty: set SN_DATA_DIR to the London geography folder to load it.")
        print(f"Loading the geography into {NAME} (first run only) ...", flush=True)
        manage("import_geography", os.environ["SN_DATA_DIR"], database=database)
        manage("build_page_tree", database=database)
    return database


def lookup_paths(database: str) -> tuple[list[str], list[list[str]]]:
    """API paths for real postcodes, typed the ways people type them: a seeded sample of
    SAMPLE_SIZE that repeats (so the lookup cache answers most), and for each uncached round
    postcodes that no other request asks for (so every lookup goes to the database)."""
    with psycopg.connect(database) as connection:
        postcodes = [row[0] for row in connection.execute("SELECT postcode FROM priorities_postcode ORDER BY 1")]
    rng = random.Random(SEED)
    rng.shuffle(postcodes)
    styles = (str, str.lower, lambda p: p.replace(" ", ""), lambda p: p.replace(" ", "").lower())
    paths = [f"/api/v1/lookup/?q={quote(rng.choice(styles)(postcode))}" for postcode in postcodes]
    repeated, fresh = paths[:SAMPLE_SIZE], paths[SAMPLE_SIZE:]
    per_round = len(fresh) // ROUNDS
    return repeated, [fresh[i * per_round : (i + 1) * per_round] for i in range(ROUNDS)]


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(database: str):
    """A gunicorn serving bench.settings on a free local port; yields the port and its log file."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--threads", str(THREADS), "--log-level", "warning"]
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read()}")
                with contextlib.suppress(OSError):
                    if get(port, BASELINE)[0] == 200:
                        break
                time.sleep(0.2)
            yield port, log
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@dataclass
class Tally:
    seconds: float = 0.0
    ok: int = 0
    errors: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)  # error -> the first path that got it
    latencies: list = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.seconds += other.seconds
        self.ok += other.ok
        self.errors += other.errors
        self.latencies += other.latencies
        for error, path in other.examples.items():
            self.examples.setdefault(error, path)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        cuts = statistics.quantiles(self.latencies, n=20) if len(self.latencies) > 1 else [0.0] * 19
        return (
            f"{self.rate:8.1f} req/s  p50 {cuts[9] * 1000:6.1f} ms  p95 {cuts[18] * 1000:6.1f} ms  "
            f"{self.ok:6d} ok  {sum(self.errors.values())} errors"
        )


def client(port: int, paths: list[str], seconds: float) -> Tally:
    """One load-generating process: a keep-alive connection, requests back to back until time is up."""
    tally = Tally()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    for path in itertools.islice(itertools.cycle(paths), MAX_REQUESTS_PER_CLIENT):
        sent = time.perf_counter()
        if sent - started >= seconds:
            break
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            error = None if response.status == 200 else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exception:
            connection.close()
            error = type(exception).__name__
        tally.latencies.append(time.perf_counter() - sent)
        if error:
            tally.errors[error] += 1
            tally.examples.setdefault(error, path)
        else:
            tally.ok += 1
    connection.close()
    return tally


def load(pool, port: int, paths: list[str], seconds: float, repeat: bool = True) -> Tally:
    """Every client at once, each starting at a different place in the paths (or, with repeat off,
    each with paths of its own, so no request is asked twice)."""
    if repeat:
        shares = [paths[i * len(paths) // CLIENTS :] + paths[: i * len(paths) // CLIENTS] for i in range(CLIENTS)]
    else:
        shares = [paths[i::CLIENTS] for i in range(CLIENTS)]
    started = time.perf_counter()
    tallies = pool.starmap(client, [(port, share, seconds) for share in shares])
    total = Tally()
    for tally in tallies:
        total.add(tally)
    total.seconds = time.perf_counter() - started
    return total


def main() -> int:
    database = lookup_database()
    repeated, fresh_rounds = lookup_paths(database)
    print(
        f"database: {database_name(database)}; {len(repeated)} repeated postcodes and "
        f"{len(fresh_rounds[0])} fresh ones per uncached round (seed {SEED})"
    )
    totals = {name: Tally() for name in ("baseline", "lookup", "uncached")}
    with gunicorn(database) as (port, log), multiprocessing.Pool(CLIENTS) as pool:
        print(
            f"server: gunicorn bench.wsgi, {WORKERS} workers x {THREADS} threads (gthread), 127.0.0.1:{port}; "
            f"load: {CLIENTS} client processes, keep-alive, {ROUND_SECONDS} s per round"
        )
        status, body = get(port, repeated[0])
        print(f"check: GET {repeated[0]} -> {status} {body[:160].decode(errors='replace')}")
        if status != 200:
            return 1
        load(pool, port, [BASELINE], WARM_UP_SECONDS)
        load(pool, port, repeated, WARM_UP_SECONDS)
        for round_index in range(ROUNDS):
            for name in totals:
                if name == "uncached":
                    tally = load(pool, port, fresh_rounds[round_index], ROUND_SECONDS, repeat=False)
                else:
                    tally = load(pool, port, [BASELINE] if name == "baseline" else repeated, ROUND_SECONDS)
                totals[name].add(tally)
                print(f"round {round_index + 1} {name:8s} {tally.summary()}", flush=True)
        log.seek(0)
        server_log = log.read().strip()
    print()
    for name, tally in totals.items():
        print(f"{name:8s} {tally.summary()}")
        for error, count in tally.errors.items():
            print(f"  {count} x {error}, first on GET {tally.examples[error]}")
    if server_log:
        print(f"\nserver log:\n{server_log[-3000:]}")
    baseline = totals["baseline"].rate or float("inf")
    print(
        f"\nuncached lookup/baseline throughput ratio: {totals['uncached'].rate / baseline:.2f} (every lookup a query)"
    )
    ratio = totals["lookup"].rate / baseline
    print(f"lookup/baseline throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    return 1 if any(tally.errors for tally in totals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
