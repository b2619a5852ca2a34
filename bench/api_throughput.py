"""The open data API under concurrent load: ward detail (/api/v1/wards/<code>/, everything a team
page shows) as a throughput ratio against a minimal DRF view served by the same server in the
same run (target at least 0.7); the police.uk-compatible neighbourhood call beside it; and the
latency of building ward details afresh (the API cache switched off, on a second server).

The minimal DRF view (/bench/drf-baseline/) returns {"ok": true} through the project's DRF
settings, so it pays what every API request pays (throttling, content negotiation) and nothing
else. The database is the one bench/lookup_throughput.py uses, with the demo content loaded.

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/api_throughput.py
"""

import multiprocessing
import random
import sys

import psycopg
from load import CLIENTS, THREADS, WORKERS, Tally, get, gunicorn, load, site_database
from support import database_name

ROUND_SECONDS, WARM_UP_SECONDS, ROUNDS = 10, 3, 2
WARDS, SEED = 100, 20261127
TARGET_RATIO = 0.70
DRF_BASELINE = "/bench/drf-baseline/"


def ward_codes(database: str) -> list[str]:
    """A seeded sample of wards with published team pages."""
    with psycopg.connect(database) as connection:
        rows = connection.execute(
            "SELECT w.ward_id FROM priorities_wardpage w JOIN wagtailcore_page p ON w.page_ptr_id = p.id "
            "WHERE p.live ORDER BY 1"
        ).fetchall()
    return random.Random(SEED).sample([code for (code,) in rows], min(WARDS, len(rows)))


def main() -> int:
    database = site_database()
    codes = ward_codes(database)
    targets = {
        "drf-baseline": [DRF_BASELINE],
        "ward-detail": [f"/api/v1/wards/{code}/" for code in codes],
        "police-uk": [f"/api/police-uk/metropolitan/{code}" for code in codes],
    }
    print(f"database: {database_name(database)}; {len(codes)} wards (seed {SEED})")
    totals = {name: Tally() for name in targets}
    with multiprocessing.Pool(CLIENTS) as pool:
        with gunicorn(database) as (port, log):
            print(f"server: gunicorn bench.wsgi, {WORKERS} workers x {THREADS} threads; {CLIENTS} client processes")
            for paths in targets.values():
                status, body = get(port, paths[0])
                print(f"check: GET {paths[0]} -> {status}, {len(body)} bytes")
                if status != 200:
                    return 1
                load(pool, port, paths, WARM_UP_SECONDS)  # fills the API cache
            for round_index in range(ROUNDS):
                for name, paths in targets.items():
                    tally = load(pool, port, paths, ROUND_SECONDS)
                    totals[name].add(tally)
                    print(f"round {round_index + 1} {name:12s} {tally.summary()}", flush=True)
            log.seek(0)
            server_log = log.read().strip()
        with gunicorn(database, SN_API_CACHE_SECONDS="0") as (port, _):
            load(pool, port, targets["ward-detail"], WARM_UP_SECONDS)
            uncached = load(pool, port, targets["ward-detail"], ROUND_SECONDS)
            print(f"uncached ward detail (API cache off) {uncached.summary()}", flush=True)
    print()
    for name, tally in totals.items():
        print(f"{name:12s} {tally.summary()}")
    if server_log:
        print(f"\nserver log:\n{server_log[-3000:]}")
    baseline = totals["drf-baseline"].rate or float("inf")
    print(f"\nuncached ward detail latency: {uncached.summary()}")
    print(f"police.uk neighbourhood/DRF baseline throughput ratio: {totals['police-uk'].rate / baseline:.2f}")
    ratio = totals["ward-detail"].rate / baseline
    print(f"ward detail/DRF baseline throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    return 1 if any(tally.errors for tally in (*totals.values(), uncached)) else 0


if __name__ == "__main__":
    sys.exit(main())
