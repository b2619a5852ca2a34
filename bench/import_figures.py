"""How long `manage.py import_crime` and `manage.py import_confidence` take on the real data: the two
MPS ward crime releases into an empty database and again (which must change nothing), and MOPAC's
survey table likewise; each against the floor measured in the same run, Django starting up and
doing nothing (`manage.py check`).

Creates a throw-away database (sn_bench_figures, dropped first if it exists, and again at the end)
on the server in BENCH_DATABASE_URL, migrates it and imports the geography (not timed), then times
each import as a subprocess (wall clock, Django start-up included) with sn_site.settings.dev.

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/import_figures.py
"""

import os
import sys
import time
from pathlib import Path

from support import create_database, database_url, drop_database, manage

NAME = "sn_bench_figures"
TARGET_SECONDS = 10


def timed(*args, database: str) -> tuple[float, str]:
    started = time.monotonic()
    output = manage(*args, database=database)
    seconds = time.monotonic() - started
    summary = next((line for line in reversed(output.splitlines()) if line.startswith("Imported ")), "")
    return seconds, summary


def main() -> int:
    geography = os.environ.get("SN_DATA_DIR")
    if not geography:
        print("set SN_DATA_DIR to the London geography folder (the crime and survey folders beside it)")
        return 2
    crime = str(Path(geography).parent / "mps-ward-crime")
    confidence = str(Path(geography).parent / "pas-confidence")
    database = database_url(NAME)
    drop_database(NAME)
    create_database(NAME)
    failed = False
    try:
        manage("migrate", "--no-input", database=database)
        manage("import_geography", geography, database=database)
        floor = min(timed("check", database=database)[0] for _ in range(3))
        print(f"floor (Django starts, checks, exits): {floor:.1f} s")
        for label, args, unchanged in (
            ("crime, first load", ("import_crime", crime), None),
            ("crime, re-run", ("import_crime", crime), "Months added: none; revised: none"),
            ("confidence, first load", ("import_confidence", confidence), None),
            ("confidence, re-run", ("import_confidence", confidence), "0 added, 0 changed"),
        ):
            seconds, summary = timed(*args, database=database)
            met = seconds < TARGET_SECONDS
            print(
                f"{label}: {seconds:.1f} s, {seconds / floor:.1f}x the floor, {seconds - floor:.1f} s of import "
                f"(target under {TARGET_SECONDS} s: {'met' if met else 'MISSED'})   [{summary}]"
            )
            if unchanged and unchanged not in summary:
                print("  the re-run should have changed nothing, but it did (or its summary could not be read)")
                failed = True
            failed = failed or not met
    finally:
        drop_database(NAME)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
