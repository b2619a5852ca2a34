"""What the HTTP benchmarks share: a gunicorn serving bench.settings against a database holding
London's geography and pages, and client processes that load it and tally the answers."""

import contextlib
import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg
from support import ROOT, create_database, database_exists, database_name, database_url, manage

NAME = "sn_bench_lookup"
WORKERS, THREADS = 2, 4
CLIENTS = 4
MAX_REQUESTS_PER_CLIENT = 100_000
BASELINE = "/bench/baseline/"


def postcode_count(database: str) -> int:
    with psycopg.connect(database) as connection:
        try:
            return connection.execute("SELECT count(*) FROM geography_postcode").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


def site_database() -> str:
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
        manage("load_demo_content", database=database)
    return database


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def served(application: str, env: dict[str, str], ready, extra: tuple[str, ...] = ()):
    """gunicorn (WORKERS x THREADS) serving a WSGI application on a free local port, with `env` over
    this environment, once ready(port) is true; yields the port, its log file and the master's pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", application, "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--threads", str(THREADS), "--log-level", "warning", *extra]
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn {application} did not start:\n{log.read()}")
                with contextlib.suppress(OSError):
                    if ready(port):
                        break
                time.sleep(0.2)
            yield port, log, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextlib.contextmanager
def gunicorn(database: str, **settings: str):
    """A gunicorn serving bench.settings on a free local port (with extra settings from the
    environment); yields the port and its log file."""
    env = {**settings, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with served("bench.wsgi:application", env, lambda port: get(port, BASELINE)[0] == 200) as (port, log, _):
        yield port, log


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
