"""How long the maps the site draws take to build with nothing cached: every borough's map (target
under 100 ms each), London's, and a sample of ward maps; then borough and ward pages rendered afresh
(page cache and map cache emptied before each) beside /healthz, the in-stack floor, in the same run.

In-process (Django's test client, sn_site.settings.dev, the local-memory cache), on the database
bench/lookup_throughput.py uses, or DATABASE_URL when it names one with the geography in it.

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/maps.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from load import site_database  # noqa: E402

TARGET_MS = 100
WARD_SAMPLE, SEED, ROUNDS = 50, 20261202, 3


def milliseconds(build) -> float:
    started = time.perf_counter()
    build()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    os.environ["DATABASE_URL"] = site_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sn_site.settings.dev")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from geography.maps import _borough_map, _london_map, _ward_map
    from geography.models import Borough, Ward
    from priorities.models import BoroughPage, WardPage

    boroughs = list(Borough.objects.values_list("code", "name"))
    wards = random.Random(SEED).sample(sorted(Ward.objects.values_list("code", flat=True)), WARD_SAMPLE)
    borough_ms = {
        name: min(milliseconds(lambda code=code: _borough_map(code)) for _ in range(ROUNDS)) for code, name in boroughs
    }
    slowest = max(borough_ms, key=borough_ms.get)
    london_ms = min(milliseconds(_london_map) for _ in range(ROUNDS))
    ward_ms = [min(milliseconds(lambda code=code: _ward_map(code)) for _ in range(ROUNDS)) for code in wards]
    print(
        f"borough maps ({len(boroughs)}): median {statistics.median(borough_ms.values()):.1f} ms, "
        f"slowest {borough_ms[slowest]:.1f} ms ({slowest}); target under {TARGET_MS} ms each: "
        f"{'met' if borough_ms[slowest] < TARGET_MS else 'MISSED'}"
    )
    print(f"London map: {london_ms:.1f} ms")
    print(
        f"ward maps ({len(wards)}, seed {SEED}): median {statistics.median(ward_ms):.1f} ms, max {max(ward_ms):.1f} ms"
    )

    client = Client(HTTP_HOST="localhost")
    pages = {
        "floor: /healthz": ["/healthz"],
        "borough page, afresh": [page.url for page in BoroughPage.objects.live()],
        "ward page, afresh": [page.url for page in WardPage.objects.live().filter(ward__in=wards)],
    }
    medians = {}
    for label, paths in pages.items():
        times = []
        for path in paths * ROUNDS:
            cache.clear()  # nothing kept: page, maps, figures, generations
            started = time.perf_counter()
            status = client.get(path).status_code
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                print(f"{path} -> {status}")
                return 1
        medians[label] = statistics.median(times)
        print(
            f"{label}: median {medians[label]:.1f} ms over {len(times)} requests, "
            f"{medians[label] / medians['floor: /healthz']:.0f}x the floor"
        )
    return 0 if borough_ms[slowest] < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
