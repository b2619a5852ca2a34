"""Resident traffic at a constant arrival rate (an open model): requests start on a fixed schedule
whatever the latency, so a slow answer does not slow the offered load, and each latency is measured
from the request's scheduled start, not from when a client got round to sending it (no coordinated
omission).

The mix, all at once: the home page, the find-your-team flow by full postcode (real London
postcodes; the redirect to the team page is followed, so the flow is both requests), ward pages
(hundreds of distinct wards), each ward's feeds (updates/, Atom; calendar/, iCalendar), the API's
ward detail (/api/v1/wards/<code>/) and survey answers (POST /api/v1/surveys/<id>/responses/, each
from a new email address, to an open survey the script makes for the run and deletes afterwards,
with every response to it). After a short warm-up (reported apart), the same arrival rate is sent to
/bench/baseline/ (a view that touches nothing) for a short period, then the mix for --seconds; the
headline is the mix's p95 against the baseline's p95 at the same rate.

    .venv/bin/python bench/resident_load.py [--rate 50] [--seconds 300] \
        [--mix home=10,postcode=15,ward=35,rss=5,ics=5,api=20,survey=10]

The database is found as for the other benchmarks (load.site_database): BENCH_DATABASE_URL or
DATABASE_URL if they name one, else sn_bench_lookup, built on the first run. Exits 1 if any request
failed (anything but 200, or 201 for an answer, or a connection error) or an acknowledged answer is
not in the database.

The load generator (Load, below) is also what bench/faults.py runs while it breaks things.
"""

import argparse
import base64
import collections
import dataclasses
import http.client
import json
import multiprocessing
import os
import queue
import random
import resource
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

import psycopg
import redis
from load import THREADS, WORKERS, gunicorn, site_database
from support import database_name, manage
from survey_throughput import SURVEY_SETUP

DEFAULT_RATE = 60.0
DEFAULT_MIX = "home=10,postcode=15,ward=35,rss=5,ics=5,api=20,survey=10"
KINDS = ("home", "postcode", "ward", "rss", "ics", "api", "survey")
BASELINE = "/bench/baseline/"
PROCESSES = 2  # client processes, each with a lazily grown pool of threads
MAX_THREADS = 150  # per process: requests in flight at once before starts fall behind the schedule
TIMEOUT = 10.0  # seconds a client waits for a connection or an answer
IDLE_RECONNECT = 20.0  # a keep-alive connection idle this long is replaced before use
LATE = 0.05  # a start this far behind its schedule counts as late (the generator fell behind)
WARD = "E05011113"  # Rye Lane: the open survey's ward, as in bench/survey_throughput.py
TITLE = "Benchmark survey (bench/resident_load.py)"
SURVEY_DELETE = "from ward_panels.models import Survey; Survey.objects.filter(title=TITLE).delete()"
# Production's cache (it refuses to start without a shared one): a database of the local Redis that
# only this benchmark uses, emptied at the start so that every run starts cold.
CACHE_URL = "redis://127.0.0.1:6379/3"
# The server keeps idle keep-alive connections open longer than the clients leave them idle.
GUNICORN_ARGS = "--keep-alive 60"


# What to ask for ------------------------------------------------------------------------------


@dataclass
class Targets:
    wards: list[str]  # ward page paths, /borough/ward/
    codes: list[str]  # the same wards' codes
    postcodes: list[str]
    survey: int | None = None
    answers: str = "{}"  # the answers every respondent gives, as JSON
    respondents: str = "resident"  # the start of every respondent's email address (new each run)


def targets_from(database: str, wards: int = 300, postcodes: int = 3000, seed: int = 1) -> Targets:
    """A fixed sample (the same every run) of live ward pages and of real postcodes in wards with one."""
    with psycopg.connect(database) as connection:
        pages = connection.execute(
            "SELECT substr(p.url_path, length(root.url_path)), w.ward_id FROM priorities_wardpage w "
            "JOIN wagtailcore_page p ON p.id = w.page_ptr_id "
            "JOIN wagtailcore_site s ON s.is_default_site "
            "JOIN wagtailcore_page root ON root.id = s.root_page_id "
            "WHERE p.live ORDER BY md5(w.ward_id || %s) LIMIT %s",
            [str(seed), wards],
        ).fetchall()
        codes = connection.execute(
            "SELECT pc.postcode FROM geography_postcode pc JOIN priorities_wardpage w ON w.ward_id = pc.ward_id "
            "ORDER BY md5(pc.postcode || %s) LIMIT %s",
            [str(seed), postcodes],
        ).fetchall()
    if not pages or not codes:
        sys.exit(f"{database_name(database)} has no live ward pages: build the page tree first.")
    return Targets(
        wards=[path for path, _ in pages], codes=[code for _, code in pages], postcodes=[c for (c,) in codes]
    )


def survey_make(database: str, targets: Targets, title: str = TITLE, settings: str = "sn_site.settings.dev") -> None:
    """An open survey for the run (bench/survey_throughput.py's five questions), replacing one an
    interrupted run left."""
    out = manage(
        "shell", "-c", f"TITLE, WARD = {title!r}, {WARD!r}\n{SURVEY_SETUP}", database=database, settings=settings
    )
    setup = json.loads(out.strip().splitlines()[-1])
    targets.survey = setup["survey"]
    targets.answers = json.dumps(setup["answers"], separators=(",", ":"))
    targets.respondents = f"resident-{secrets.token_hex(4)}"


def survey_delete(database: str, title: str = TITLE, settings: str = "sn_site.settings.dev") -> None:
    manage("shell", "-c", f"TITLE = {title!r}\n{SURVEY_DELETE}", database=database, settings=settings)


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        kind = kind.strip()
        if kind not in (*KINDS, "baseline"):
            raise argparse.ArgumentTypeError(f"unknown kind {kind!r}: choose from {', '.join(KINDS)}")
        mix[kind] = float(weight)
    if not any(mix.values()):
        raise argparse.ArgumentTypeError("the mix weighs nothing")
    return mix


def request_for(kind: str, n: int, rng: random.Random, targets: Targets) -> tuple[str, str, bytes | None]:
    """(method, path, body) for the n-th request of the run, of this kind."""
    if kind == "home":
        return "GET", "/", None
    if kind == "postcode":
        postcode = rng.choice(targets.postcodes)
        return "GET", "/find-your-team/?postcode=" + postcode.replace(" ", "+"), None
    if kind == "ward":
        return "GET", rng.choice(targets.wards), None
    if kind == "rss":
        return "GET", rng.choice(targets.wards) + "updates/", None
    if kind == "ics":
        return "GET", rng.choice(targets.wards) + "calendar/", None
    if kind == "api":
        return "GET", f"/api/v1/wards/{rng.choice(targets.codes)}/", None
    if kind == "survey":
        email = f"{targets.respondents}-{n}@bench.example.org"
        return (
            "POST",
            f"/api/v1/surveys/{targets.survey}/responses/",
            f'{{"email":"{email}","answers":{targets.answers}}}'.encode(),
        )
    if kind == "baseline":
        return "GET", BASELINE, None
    raise ValueError(kind)


def expected(kind: str) -> int:
    return 201 if kind == "survey" else 200


# The generator ---------------------------------------------------------------------------------

# One request's outcome: kind, scheduled start (seconds since the load's start), latency from the
# scheduled start, how late it actually started, status (an int) or error (an exception's name),
# X-Page-Cache (hit/miss/""), for an answer acknowledged with 201 the response id its receipt holds
# (else, for an answer not as expected, the start of its body), and the path asked for.
Record = tuple[str, float, float, float, int | str, str, int | str | None, str]


def receipt_id(body: bytes) -> int | None:
    """The response id inside a receipt (django.core.signing: base64 JSON, then the signature)."""
    try:
        receipt = json.loads(body)["receipt"]
        payload = receipt.split(":")[0]
        return int(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


class Connection:
    """One thread's keep-alive connection, opened again when the server closed it."""

    def __init__(self, port: int):
        self.port, self.http, self.used = port, None, 0.0

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None

    def call(self, method: str, path: str, body: bytes | None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.http is not None and time.monotonic() - self.used > IDLE_RECONNECT:
            self.close()
        for attempt in (1, 2):
            reused = self.http is not None
            if self.http is None:
                self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                self.http.request(method, path, body, headers)
                response = self.http.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                # A keep-alive connection the server had closed: a browser sends a GET again on a new
                # one. Never an answer: it might have been received.
                if reused and method == "GET" and attempt == 1:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
            self.used = time.monotonic()
            if response.will_close:
                self.close()
            return response.status, response.getheader("Location"), response.getheader("X-Page-Cache") or "", data
        raise AssertionError("unreachable")


class Workers:
    """Threads that send the dispatcher's requests, each on its own keep-alive connection. The
    thread idle longest is the last to get work (a stack), so few connections stay busy; a thread
    is added when none is idle, up to MAX_THREADS, and past that requests wait (and start late)."""

    def __init__(self, port: int, targets: Targets, started: float, max_threads: int):
        self.port, self.targets, self.started, self.max_threads = port, targets, started, max_threads
        self.lock = threading.Lock()
        self.idle: list[queue.SimpleQueue] = []
        self.backlog: collections.deque = collections.deque()
        self.threads: list[threading.Thread] = []
        self.records: list[Record] = []

    def submit(self, job) -> None:
        with self.lock:
            if self.idle:
                self.idle.pop().put(job)
            elif len(self.threads) < self.max_threads:
                thread = threading.Thread(target=self.work, args=(job,), daemon=True)
                self.threads.append(thread)
                thread.start()
            else:
                self.backlog.append(job)

    def work(self, job) -> None:
        mailbox: queue.SimpleQueue = queue.SimpleQueue()
        connection = Connection(self.port)
        while job is not None:
            self.records.append(self.run(connection, *job))
            with self.lock:
                if self.backlog:
                    job = self.backlog.popleft()
                    continue
                self.idle.append(mailbox)
            job = mailbox.get()
        connection.close()

    def run(self, connection: Connection, due: float, kind: str, method: str, path: str, body) -> Record:
        began = time.time()
        status: int | str
        cache, answer = "", None
        try:
            status, location, cache, data = connection.call(method, path, body)
            if kind == "postcode" and status in (301, 302) and location and location.startswith("/"):
                status, _, cache, data = connection.call("GET", location, None)  # the team page
            if kind == "survey" and status == 201:
                answer = receipt_id(data)
                if answer is None:
                    status = "201 without a receipt"
            if status != expected(kind):
                answer = data[:300].decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            answer = str(error)[:300]
        ended = time.time()
        return (kind, due - self.started, ended - due, began - due, status, cache, answer, path)

    def finish(self) -> None:
        """Wait for every request in flight, then stop the threads."""
        while True:
            with self.lock:
                if not self.backlog and len(self.idle) == len(self.threads):
                    boxes = list(self.idle)
                    break
            time.sleep(0.02)
        for box in boxes:
            box.put(None)
        for thread in self.threads:
            thread.join()


def client(
    port: int,
    targets: Targets,
    mix: dict,
    rate: float,
    seconds: float,
    started: float,
    index: int,
    processes: int,
    stop,
    results,
) -> None:
    """One client process: every `processes`-th slot of the schedule (slot n starts at
    started + n / rate), each of a kind drawn from the mix, until `seconds` pass or `stop` is set;
    then its records go to `results`."""
    kinds, weights = zip(*[(kind, weight) for kind, weight in mix.items() if weight > 0], strict=True)
    rng = random.Random(f"{targets.respondents}-{index}")
    workers = Workers(port, targets, started, MAX_THREADS)
    for n in range(index, int(seconds * rate), processes):
        due = started + n / rate
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        if stop.is_set():
            break
        kind = rng.choices(kinds, weights)[0]
        workers.submit((due, kind, *request_for(kind, n, rng, targets)))
    workers.finish()
    results.put(workers.records)


class Load:
    """A constant arrival rate from PROCESSES client processes, starting a second from now and
    running for `seconds` or until stop(); wait() returns every request's Record, by scheduled start."""

    def __init__(self, port: int, targets: Targets, mix: dict, rate: float, seconds: float):
        # Respondents new to this load, so that no two loads of a run answer as the same person.
        targets = dataclasses.replace(targets, respondents=f"{targets.respondents}-{secrets.token_hex(3)}")
        self.started = time.time() + 1.0  # the processes are ready by then
        self.rate, self.seconds = rate, seconds
        self.stopping, self.results = multiprocessing.Event(), multiprocessing.Queue()
        self.processes = [
            multiprocessing.Process(
                target=client,
                args=(port, targets, mix, rate, seconds, self.started, i, PROCESSES, self.stopping, self.results),
                daemon=True,
            )
            for i in range(PROCESSES)
        ]
        for process in self.processes:
            process.start()

    def now(self) -> float:
        """Seconds since the load's start, on the clock its records use."""
        return time.time() - self.started

    def stop(self) -> None:
        self.stopping.set()

    def wait(self) -> list[Record]:
        records = [record for _ in self.processes for record in self.results.get()]
        for process in self.processes:
            process.join()
        return sorted(records, key=lambda record: record[1])

    def kill(self) -> None:
        """For clean-up after a failure: no records."""
        self.stop()
        for process in self.processes:
            process.terminate()


def run_load(port: int, targets: Targets, mix: dict, rate: float, seconds: float) -> list[Record]:
    return Load(port, targets, mix, rate, seconds).wait()


# Reporting -------------------------------------------------------------------------------------


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    if not latencies:
        return (float("nan"),) * 3
    if len(latencies) == 1:
        return (latencies[0],) * 3
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


@dataclass
class Summary:
    requests: int = 0
    ok: int = 0
    late: int = 0
    latest: float = 0.0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    wrong: collections.Counter = field(default_factory=collections.Counter)  # (kind, status) not as expected
    latencies: list = field(default_factory=list)

    def add(self, record: Record) -> None:
        kind, _due, latency, delay, status, *_ = record
        self.requests += 1
        self.latencies.append(latency)
        self.statuses[status] += 1
        if status == expected(kind):
            self.ok += 1
        else:
            self.wrong[kind, status] += 1
        self.late += delay > LATE
        self.latest = max(self.latest, delay)

    @property
    def errors(self) -> int:
        return self.requests - self.ok


def summarise(records: list[Record]) -> dict[str, Summary]:
    summaries: dict[str, Summary] = collections.defaultdict(Summary)
    for record in records:
        summaries[record[0]].add(record)
        summaries["all"].add(record)
    return summaries


def errors_text(summary: Summary, kind: str) -> str:
    wrong = sorted(summary.wrong.items(), key=str)
    if kind == "all":
        return ", ".join(f"{count} x {status} ({k})" for (k, status), count in wrong) or "none"
    return ", ".join(f"{count} x {status}" for (_k, status), count in wrong) or "none"


def table(title: str, records: list[Record], seconds: float) -> str:
    """Per kind and overall: offered rate, throughput (answers as expected, per second), latency
    from the scheduled start, errors, and how far the generator itself fell behind."""
    lines = [
        title,
        f"{'kind':9s} {'requests':>8s} {'offered/s':>9s} {'ok/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} "
        f"{'late':>5s}  errors",
    ]
    summaries = summarise(records)
    for kind in [*[k for k in (*KINDS, "baseline") if k in summaries], "all"]:
        summary = summaries[kind]
        p50, p95, p99 = percentiles(summary.latencies)
        lines.append(
            f"{kind:9s} {summary.requests:8d} {summary.requests / seconds:9.1f} {summary.ok / seconds:7.1f} "
            f"{p50 * 1000:8.1f} {p95 * 1000:8.1f} {p99 * 1000:8.1f} {summary.late:5d}  {errors_text(summary, kind)}"
        )
    latest = summaries["all"].latest if records else 0.0
    lines.append(
        f"(late: started more than {LATE * 1000:.0f} ms after its schedule; the latest {latest * 1000:.0f} ms)"
    )
    return "\n".join(lines)


def examples(records: list[Record]) -> str:
    """The first request of each kind to get each unexpected answer: its path and what came back."""
    first: dict = {}
    for kind, _due, _latency, _delay, status, _cache, extra, path in records:
        if status != expected(kind):
            first.setdefault((kind, status), (path, extra))
    return "\n".join(
        f"  {kind} {status}: {path} -> {str(extra)[:200]!r}" for (kind, status), (path, extra) in first.items()
    )


def answers_stored(database: str, ids: list[int]) -> tuple[int, int]:
    """How many of these responses the database holds, and their answers."""
    if not ids:
        return 0, 0
    with psycopg.connect(database) as connection:
        return connection.execute(
            "SELECT count(DISTINCT r.id), count(a.id) FROM ward_panels_response r "
            "LEFT JOIN ward_panels_answer a ON a.response_id = r.id WHERE r.id = ANY(%s)",
            [ids],
        ).fetchone()


# The benchmark ---------------------------------------------------------------------------------


def generator_cpu() -> float:
    """CPU seconds used by this process and by the client processes it has waited for."""
    own, clients = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + clients.ru_utime + clients.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="requests a second (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=300, help="the mix's duration (default %(default)s)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix(DEFAULT_MIX), help=f"weights ({DEFAULT_MIX})")
    parser.add_argument("--warm-up", type=float, default=15, help="seconds of the mix first, reported apart")
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL", CACHE_URL), help="(%(default)s)")
    parser.add_argument("--baseline-seconds", type=float, default=30, help="seconds of /bench/baseline/")
    options = parser.parse_args()

    database = site_database()
    manage("migrate", "--no-input", database=database)
    targets = targets_from(database)
    survey_make(database, targets)
    print(
        f"database: {database_name(database)}; {len(targets.wards)} wards, {len(targets.postcodes)} postcodes, "
        f"open survey {targets.survey}\nmix: {', '.join(f'{k}={w:g}' for k, w in options.mix.items())}; "
        f"{options.rate:g} requests/s for {options.seconds:g} s",
        flush=True,
    )
    if options.cache_url == CACHE_URL:
        redis.Redis.from_url(CACHE_URL).flushdb()
    status = 0
    try:
        with gunicorn(database, GUNICORN_CMD_ARGS=GUNICORN_ARGS, CACHE_URL=options.cache_url) as (port, log):
            print(
                f"server: gunicorn bench.wsgi, {WORKERS} workers x {THREADS} threads, 127.0.0.1:{port}, "
                f"cache {options.cache_url}; "
                f"load: {PROCESSES} client processes, up to {MAX_THREADS} threads each, keep-alive",
                flush=True,
            )
            runs = []
            if options.warm_up:
                runs.append(("warm-up (the mix; page and API caches filling)", options.mix, options.warm_up))
            runs.append(("baseline: /bench/baseline/ at the same rate", {"baseline": 1.0}, options.baseline_seconds))
            runs.append(("resident mix", options.mix, options.seconds))
            results = {}
            for title, mix, seconds in runs:
                before = generator_cpu()
                records = run_load(port, targets, mix, options.rate, seconds)
                used = generator_cpu() - before
                results[title] = records
                print(f"\n{table(title, records, seconds)}", flush=True)
                # On a machine the server shares, a generator near a core of its own is the limit, not the site.
                print(
                    f"load generator's own CPU: {used:.1f} s in {seconds:g} s, {used / seconds:.2f} cores", flush=True
                )
                if wrong := examples(records):
                    print(f"first of each error:\n{wrong}", flush=True)
            log.seek(0)
            server_log = log.read().strip()
        mix_records = results["resident mix"]
        acknowledged = [r[6] for records in results.values() for r in records if r[0] == "survey" and r[4] == 201]
        responses, answers = answers_stored(database, acknowledged)
    finally:
        survey_delete(database)
    if server_log:
        print(f"\nserver log (last 3,000 characters):\n{server_log[-3000:]}")
    base = percentiles([r[2] for r in results["baseline: /bench/baseline/ at the same rate"]])[1]
    mix = summarise(mix_records)["all"]
    mix_p95 = percentiles(mix.latencies)[1]
    print(
        f"\nanswers acknowledged (201 with a receipt): {len(acknowledged)}; stored: {responses} with {answers} answers"
    )
    print(
        f"resident mix at {options.rate:g}/s: p95 {mix_p95 * 1000:.1f} ms against the baseline's "
        f"{base * 1000:.1f} ms at the same rate: ratio {mix_p95 / base:.1f}; {mix.errors} errors"
    )
    if any(summarise(records)["all"].errors for records in results.values()):
        status = 1
    if responses != len(acknowledged) or answers != 5 * len(acknowledged):
        print("error: an acknowledged answer is missing from the database")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
