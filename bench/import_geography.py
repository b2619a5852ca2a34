"""How long `manage.py import_geography` takes on the real London data: a first full load into an empty
database, then a re-run on the same release, which should change nothing.

Creates a throw-away database (sn_bench_import, dropped first if it exists, and again at the end) on the
server in BENCH_DATABASE_URL, migrates it, then times each import as a subprocess (wall clock, Django
start-up included) with DJANGO_SETTINGS_MODULE=sn_site.settings.dev.

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/import_geography.py [DATA_DIR]
"""

import argparse
import os
import re
import sys
import time

from support import create_database, database_url, drop_database, manage

NAME = "sn_bench_import"
TARGET_SECONDS = 60
_CHANGES = re.compile(r"\((\d+) added, (\d+) updated, (\d+) removed\)")


def timed_import(data_dir: str, database: str) -> tuple[float, str]:
    started = time.monotonic()
    output = manage("import_geography", data_dir, database=database)
    seconds = time.monotonic() - started
    summary = next((line for line in reversed(output.splitlines()) if line.startswith("Imported ")), "")
    return seconds, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=os.environ.get("SN_DATA_DIR"), help="default: SN_DATA_DIR")
    data_dir = parser.parse_args().data_dir
    if not data_dir:
        parser.error("give the London geography folder as DATA_DIR or in SN_DATA_DIR")

    database = database_url(NAME)
    drop_database(NAME)
    create_database(NAME)
    try:
        started = time.monotonic()
        manage("migrate", "--no-input", database=database)
        print(f"migrate: {time.monotonic() - started:.1f} s")
        first, summary = timed_import(data_dir, database)
        print(f"first load: {first:.1f} s   [{summary}]")
        second, summary = timed_import(data_dir, database)
        print(f"re-run:     {second:.1f} s   [{summary}]")
    finally:
        drop_database(NAME)

    print(f"target: first load under {TARGET_SECONDS} s -> {'met' if first < TARGET_SECONDS else 'MISSED'}")
    changes = _CHANGES.search(summary)
    if not changes or any(int(n) for n in changes.groups()):
        print("the re-run should have changed nothing, but it did (or its summary could not be read)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
