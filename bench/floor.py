"""The site as deployed against the floor: a bare Django project (bench/bare: no apps, no
middleware, one JSON view) and the site (sn_site.settings.production with Redis, through
bench.deployed, which only adds the baseline URLs), each served by the same gunicorn (2 workers x 4
threads), in the same run, loaded in turns by wrk (2 threads, 16 keep-alive connections).

Each round measures the floor, then one target, for every target; a target's ratio is the median,
over the rounds, of its throughput against the floor measured just before it. The table gives the
median throughput and latency too, and what the requests cost in CPU: the site's processes
(gunicorn, with PostgreSQL and Redis) per request, so capacity per core, and how much of the two
cores wrk itself used, so a figure limited by the load generator shows as such.

Every request comes from a random client address behind one proxy (SN_NUM_PROXIES=1, as behind a
load balancer), so production's per-client rate limits run at production's rates without being the
limit. The database is found as for the other benchmarks (bench/load.py), with the demo content.

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/floor.py [--rounds 3] [--seconds 5]
"""

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from load import THREADS, WORKERS, served, site_database
from support import database_name, manage

CONNECTIONS, WRK_THREADS = 16, 2
CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/13")
SEED = 20261202
LUA = Path(__file__).with_name("wrk_paths.lua")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Target:
    name: str
    paths: list[str]
    aim: float | None = None  # the least ratio to the floor that meets issue 19's aim
    status: int = 200  # what every request must get (checked once on the first path before the load)
    # What to ask for once before the rounds, as a live site's caches would hold it (None: every path).
    warm: list[str] | None = None


@dataclass
class Run:
    """One wrk run's figures."""

    requests: int
    seconds: float
    bad: int  # answers other than 2xx/3xx, and socket errors
    p50: float  # milliseconds
    p95: float
    server_cpu: float  # seconds of CPU: gunicorn, PostgreSQL and Redis
    generator_cpu: float  # seconds of CPU: wrk

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


@dataclass
class Figures:
    runs: list[Run] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)


# CPU accounting ----------------------------------------------------------------------------------


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, command name, CPU ticks used) of every process now running."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            text = Path(f"/proc/{entry}/stat").read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            found[int(entry)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def server_ticks(server_pid: int) -> dict[int, int]:
    """CPU ticks of the site's processes: the gunicorn tree, PostgreSQL's and Redis's."""
    processes = _processes()
    tree = {server_pid}
    grew = True
    while grew:
        children = {pid for pid, (parent, _, _) in processes.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return {
        pid: ticks for pid, (_, name, ticks) in processes.items() if pid in tree or name in ("postgres", "redis-server")
    }


def used_seconds(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU used between two snapshots by the processes alive at both (a short-lived process is missed)."""
    return sum(after[pid] - before[pid] for pid in after.keys() & before.keys()) / TICKS


# Serving -----------------------------------------------------------------------------------------


def ask(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(application: str, env: dict[str, str]):
    """gunicorn serving `application` as bench/load.py's servers are, with connections kept open
    for wrk; yields the port and the master's pid."""
    with served(application, env, lambda port: ask(port, "/healthz"), extra=("--keep-alive", "60")) as (port, _, pid):
        yield port, pid


def wrk(port: int, server_pid: int, paths_file: Path, seconds: int, seed: int, connections: int = CONNECTIONS) -> Run:
    threads = min(WRK_THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA)]
    command += [f"http://127.0.0.1:{port}", "--", str(paths_file), str(seed)]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = server_ticks(server_pid)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    server_after = server_ticks(server_pid)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"wrk failed ({done.returncode}) on {paths_file}: {done.stdout}{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    generator = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return Run(
        requests=figures["requests"],
        seconds=figures["microseconds"] / 1e6,
        bad=figures["bad_status"] + figures["socket_errors"],
        p50=figures["p50"] / 1000,
        p95=figures["p95"] / 1000,
        server_cpu=used_seconds(server_before, server_after),
        generator_cpu=generator,
    )


# What to ask for ---------------------------------------------------------------------------------


def targets_from(database: str) -> list[Target]:
    rng = random.Random(SEED)
    with psycopg.connect(database) as connection:
        root = connection.execute(
            "SELECT root.url_path FROM wagtailcore_site s JOIN wagtailcore_page root ON root.id = s.root_page_id "
            "WHERE s.is_default_site"
        ).fetchone()[0]

        def live(table: str, column: str) -> list[tuple[str, str]]:
            """(address, column) of each live page of a kind."""
            return connection.execute(
                f"SELECT '/' || substr(p.url_path, %s), t.{column} FROM {table} t "  # noqa: S608 (fixed names)
                "JOIN wagtailcore_page p ON p.id = t.page_ptr_id WHERE p.live ORDER BY p.url_path",
                [len(root) + 1],
            ).fetchall()

        wards = live("priorities_wardpage", "ward_id")
        boroughs = [path for path, _ in live("priorities_boroughpage", "page_ptr_id")]
        postcodes = [row[0] for row in connection.execute("SELECT postcode FROM geography_postcode ORDER BY 1")]
    if not wards:
        sys.exit(f"{database_name(database)} has no live ward pages: build the page tree first.")
    sample = rng.sample(wards, min(100, len(wards)))
    pages = [path for path, _ in sample]
    codes = [code for _, code in sample]
    popular = rng.sample(postcodes, 2000)

    def query(postcode: str) -> str:
        return postcode.replace(" ", "+")

    lookups = [f"/api/v1/lookup/?q={query(p)}" for p in postcodes]
    redirects = [f"/find-your-team/?postcode={query(p)}" for p in popular]
    ward_api = [f"/api/v1/wards/{code}/" for code in codes]
    police_uk = [f"/api/police-uk/metropolitan/{code}" for code in codes]
    # A resident's day: mostly ward pages and lookups of any postcode, then the rest.
    kinds = {
        "ward": (40, pages),
        "lookup": (25, lookups),
        "home": (5, ["/"]),
        "borough": (5, boroughs),
        "feed": (10, [page + feed for page in pages for feed in ("updates/", "calendar/")]),
        "api": (10, ward_api + police_uk),
        "redirect": (5, redirects),
    }
    mix = [
        rng.choice(paths)
        for paths in rng.choices([p for _, p in kinds.values()], [w for w, _ in kinds.values()], k=60_000)
    ]
    return [
        Target("/healthz", ["/healthz"], aim=0.8),
        Target("in-stack baseline (/bench/baseline/)", ["/bench/baseline/"]),
        Target("cached ward page", pages, aim=0.5),
        Target("cached API: ward detail", ward_api, aim=0.5),
        Target("cached API: police.uk neighbourhood", police_uk, aim=0.5),
        Target("lookup, 2,000 popular postcodes", [f"/api/v1/lookup/?q={query(p)}" for p in popular], aim=0.5),
        Target("find-your-team redirect", redirects, aim=0.5, status=302),
        Target("lookup, any of all postcodes", lookups, aim=0.3, warm=[]),
        # Its lookups are of any postcode, as residents' are: not asked for before.
        Target("resident mix", mix, aim=0.35, warm=[path for path in mix if not path.startswith("/api/v1/lookup/")]),
    ]


# The run -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--only", default="", help="only the targets whose names contain this")
    options = parser.parse_args()

    database = site_database()
    targets = [target for target in targets_from(database) if options.only in target.name]
    redis.Redis.from_url(CACHE_URL).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="sn-floor-"))
    site_env = {
        "DJANGO_SETTINGS_MODULE": "bench.deployed",
        "DATABASE_URL": database,
        "CACHE_URL": CACHE_URL,
        "SECRET_KEY": "bench-only-not-secret-deployed",
        "SN_NUM_PROXIES": "1",
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "WARNING",
        # An hour, not production's five minutes, so that what was warmed stays cached through the
        # run: otherwise the later rounds of a "cached" target include re-rendering expired copies.
        "SN_PAGE_CACHE_SECONDS": "3600",
        "SN_API_CACHE_SECONDS": "3600",
        "SN_LOOKUP_CACHE_SECONDS": "3600",
    }
    print("Collecting static files for production's hashed names ...", flush=True)
    manage("collectstatic", "--no-input", "-v", "0", database=database, settings="bench.deployed", env=site_env)
    files = {}
    for target in targets:
        files[target.name] = workdir / f"{len(files)}.txt"
        files[target.name].write_text("\n".join(target.paths) + "\n")
    floor_file = workdir / "floor.txt"
    floor_file.write_text("/\n")

    results = [(target, Figures()) for target in targets]
    floors: list[Run] = []
    print(f"database: {database_name(database)}; cache: {CACHE_URL}; {os.cpu_count()} cores")
    print(f"servers: gunicorn, {WORKERS} workers x {THREADS} threads each; load: wrk -t{WRK_THREADS} -c{CONNECTIONS}")
    with (
        gunicorn("bench.bare.wsgi:application", {"DJANGO_SETTINGS_MODULE": "bench.bare.settings"}) as (
            floor,
            floor_pid,
        ),
        gunicorn("sn_site.wsgi:application", site_env) as (site, site_pid),
    ):
        for target in targets:
            status = ask(site, target.paths[0])
            if status != target.status:
                sys.exit(f"{target.name}: GET {target.paths[0]} -> {status}, expected {target.status}")
        warm = {path for target in targets for path in (target.paths if target.warm is None else target.warm)}
        print(f"Warming up: asking for each of {len(warm):,} addresses once (pages, answers, maps) ...", flush=True)
        with concurrent.futures.ThreadPoolExecutor(CONNECTIONS) as pool:
            list(pool.map(lambda path: ask(site, path), warm))
        for round_number in range(1, options.rounds + 1):
            for target, figures in results:
                base = wrk(floor, floor_pid, floor_file, options.seconds, seed=round_number)
                run = wrk(site, site_pid, files[target.name], options.seconds, seed=round_number)
                floors.append(base)
                figures.runs.append(run)
                figures.ratios.append(run.rate / base.rate)
                print(
                    f"round {round_number} {target.name:40s} {run.rate:8.1f} req/s against the floor's "
                    f"{base.rate:8.1f}: {run.rate / base.rate:.2f}",
                    flush=True,
                )
    afresh = None
    if "cached ward page" in files:
        with gunicorn("sn_site.wsgi:application", {**site_env, "SN_PAGE_CACHE_SECONDS": "0"}) as (site, site_pid):
            pages = files["cached ward page"]
            wrk(site, site_pid, pages, 3, seed=0, connections=1)
            afresh = wrk(site, site_pid, pages, options.seconds * 2, seed=1, connections=1)

    print()
    print(table(results, floors, afresh))
    bad = sum(run.bad for _, figures in results for run in figures.runs) + (afresh.bad if afresh else 0)
    if bad:
        print(f"\n{bad} requests failed (a status other than 2xx/3xx, or a socket error)")
    return 1 if bad else 0


def table(results: list[tuple[Target, Figures]], floors: list[Run], afresh: Run | None) -> str:
    """A Markdown table: for each target its median throughput and latency over the rounds, its
    median ratio to the floor against the aim, and the CPU it cost (the site's, per request, and
    wrk's, in cores)."""
    median = statistics.median

    def row(name: str, runs: list[Run], ratio: str, aim: str, per_core: bool = True) -> str:
        cpu_ms = 1000 * sum(r.server_cpu for r in runs) / sum(r.requests for r in runs)
        generator = sum(r.generator_cpu for r in runs) / sum(r.seconds for r in runs)
        cells = [
            name,
            f"{median(r.rate for r in runs):,.0f}",
            ratio,
            aim,
            f"{median(r.p50 for r in runs):.1f}",
            f"{median(r.p95 for r in runs):.1f}",
            f"{cpu_ms:.2f}",
            f"{1000 / cpu_ms:,.0f}" if per_core else "",
            f"{generator:.2f}",
        ]
        return "| " + " | ".join(cells) + " |"

    head = ["target", "req/s", "ratio to the floor", "aim", "p50 ms", "p95 ms"]
    head += ["site CPU ms a request", "req/s per core of the site", "cores wrk used"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines.append(row("bare Django (the floor)", floors, "1", "", per_core=False))
    for target, figures in results:
        ratio = median(figures.ratios)
        aim = "" if target.aim is None else f"≥ {target.aim:.2f} " + ("met" if ratio >= target.aim else "**missed**")
        lines.append(row(target.name, figures.runs, f"{ratio:.2f}", aim))
    if afresh is not None:
        aim = "p50 ≤ 20 ms " + ("met" if afresh.p50 <= 20 else "**missed**")
        lines.append(row("ward page rendered afresh (page cache off, one connection)", [afresh], "", aim))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
