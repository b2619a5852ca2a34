"""Ward pages under concurrent load: throughput from the anonymous page cache as a ratio against a
minimal Django view served by the same server in the same run (target at least 0.8), and the
latency of rendering ward pages afresh (the page cache switched off, on a second server).

The pages have the demo content (a team, three priorities with updates, meetings), as after
`make run`. The database is the same one bench/lookup_throughput.py uses (see bench/README.md).

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/ward_page_throughput.py
"""

import multiprocessing
import random
import sys

import psycopg
from load import BASELINE, CLIENTS, THREADS, WORKERS, Tally, get, gunicorn, load, site_database
from support import database_name

ROUND_SECONDS, WARM_UP_SECONDS, ROUNDS = 10, 3, 2
PAGES, SEED = 100, 20261127
TARGET_RATIO = 0.80


def ward_page_paths(database: str) -> list[str]:
    """Addresses of a seeded sample of ward pages, as the site serves them."""
    with psycopg.connect(database) as connection:
        rows = connection.execute(
            "SELECT p.url_path FROM wagtailcore_page p JOIN priorities_wardpage w ON w.page_ptr_id = p.id "
            "WHERE p.live ORDER BY p.url_path"
        ).fetchall()
    paths = ["/" + url_path.split("/", 2)[2] for (url_path,) in rows]  # drop the home page's own slug
    return random.Random(SEED).sample(paths, min(PAGES, len(paths)))


def main() -> int:
    database = site_database()
    pages = ward_page_paths(database)
    print(f"database: {database_name(database)}; {len(pages)} ward pages (seed {SEED})")
    totals = {"baseline": Tally(), "cached": Tally()}
    with multiprocessing.Pool(CLIENTS) as pool:
        with gunicorn(database) as (port, _):
            print(f"server: gunicorn bench.wsgi, {WORKERS} workers x {THREADS} threads; {CLIENTS} client processes")
            status, _body = get(port, pages[0])
            print(f"check: GET {pages[0]} -> {status}")
            if status != 200:
                return 1
            load(pool, port, [BASELINE], WARM_UP_SECONDS)
            load(pool, port, pages, WARM_UP_SECONDS)  # fills the page cache
            for round_index in range(ROUNDS):
                for name in totals:
                    tally = load(pool, port, [BASELINE] if name == "baseline" else pages, ROUND_SECONDS)
                    totals[name].add(tally)
                    print(f"round {round_index + 1} {name:8s} {tally.summary()}", flush=True)
        with gunicorn(database, SN_PAGE_CACHE_SECONDS="0") as (port, _):
            load(pool, port, pages, WARM_UP_SECONDS)
            uncached = load(pool, port, pages, ROUND_SECONDS)
            print(f"uncached (page cache off) {uncached.summary()}", flush=True)
    print()
    for name, tally in totals.items():
        print(f"{name:8s} {tally.summary()}")
    ratio = totals["cached"].rate / (totals["baseline"].rate or float("inf"))
    print(f"\nuncached ward page latency: {uncached.summary()}")
    print(f"cached ward page/baseline throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    errors = any(t.errors for t in (*totals.values(), uncached))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
