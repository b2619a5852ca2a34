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

import multiprocessing
import random
import sys
from urllib.parse import quote

import psycopg
from load import BASELINE, CLIENTS, THREADS, WORKERS, Tally, get, gunicorn, load, site_database
from support import database_name

ROUND_SECONDS, WARM_UP_SECONDS, ROUNDS = 10, 2, 2
SAMPLE_SIZE, SEED = 2000, 20251127
TARGET_RATIO = 0.70


def lookup_paths(database: str) -> tuple[list[str], list[list[str]]]:
    """API paths for real postcodes, typed the ways people type them: a seeded sample of
    SAMPLE_SIZE that repeats (so the lookup cache answers most), and for each uncached round
    postcodes that no other request asks for (so every lookup goes to the database)."""
    with psycopg.connect(database) as connection:
        postcodes = [row[0] for row in connection.execute("SELECT postcode FROM geography_postcode ORDER BY 1")]
    rng = random.Random(SEED)
    rng.shuffle(postcodes)
    styles = (str, str.lower, lambda p: p.replace(" ", ""), lambda p: p.replace(" ", "").lower())
    paths = [f"/api/v1/lookup/?q={quote(rng.choice(styles)(postcode))}" for postcode in postcodes]
    repeated, fresh = paths[:SAMPLE_SIZE], paths[SAMPLE_SIZE:]
    per_round = len(fresh) // ROUNDS
    return repeated, [fresh[i * per_round : (i + 1) * per_round] for i in range(ROUNDS)]


def main() -> int:
    database = site_database()
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
