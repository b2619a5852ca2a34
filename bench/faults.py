"""Faults under load: the site keeps answering, with 503 rather than 500 for what needs a database
that is away, serves cached pages without PostgreSQL, serves pages without Redis, loses no answer
it acknowledged, and sends a newsletter exactly once to every recipient although a Celery worker is
killed part-way.

Everything runs against a PostgreSQL cluster and a Redis of the script's own, so the restarts
disturb nothing else on the machine: a throwaway cluster in /tmp/sn-faults-pg (initdb as the
postgres user, kept between runs with the London geography and the demo content loaded, so only
the first run pays for the import) on a free port from 5433, and `redis-server --save ""
--appendonly no` on a free port from 6380 (it keeps nothing, so a restart empties the cache and
the broker's queues). On them: gunicorn (bench.settings, 2 workers x 4 threads, the page cache on
for 300 s), a Celery worker (2 processes), Celery beat (the newsletter sweep every minute) and an
SMTP server that records each recipient of each message it accepts (bench/smtp_sink.py).

Resident traffic (bench/resident_load.py's generator: a constant arrival rate, latency from the
scheduled start) runs the whole time, and the phases run under it, each followed by a quiet
period to recover:

  a. warm      the page cache emptied and filled with every page the load asks for;
  b1. PG restart   pg_ctl restart -m fast;
  b2. PG stopped   PostgreSQL stopped for 20 s, then started;
  c. Redis stopped Redis stopped for 20 s, then started (empty);
  d. newsletter    a send to 3,000 subscribers; the Celery worker is SIGKILLed (with its pool)
                   a third of the way through and a new one started.

It prints a table per phase (requests by status, latency percentiles, seconds from the fault's
end to the first second in which every request got the answer it should), what each kind of
request got while PostgreSQL was stopped, the exceptions in the server's log, and the final checks:
every answer acknowledged (201 with a receipt) is in the database, and the SMTP server received
exactly one copy for each of the send's recipients. Exits 1 on any 500, or an acknowledged answer
lost, or a recipient who got no copy or two, or a cached page not served while PostgreSQL was
stopped, or a request that hung for over 5 s (a client timeout). About 5 minutes (the first run,
which loads the cluster, about 8).

    SN_DATA_DIR=/path/to/london-geography .venv/bin/python bench/faults.py [--rate 40]

Logs (gunicorn, Celery, PostgreSQL, Redis) are kept in /tmp/sn-faults-logs. To start from a new
cluster, remove /tmp/sn-faults-pg.
"""

import argparse
import collections
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
from load import gunicorn
from newsletter_send import SETUP as NEWSLETTER_SETUP
from newsletter_send import START as NEWSLETTER_START
from resident_load import (
    DEFAULT_MIX,
    GUNICORN_ARGS,
    Load,
    Record,
    expected,
    parse_mix,
    percentiles,
    survey_make,
    targets_from,
)
from support import ROOT, manage

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Kept between runs (a fixed place, to be found again): data/, the socket, the log, a mark once loaded.
PG_HOME = Path("/tmp/sn-faults-pg")  # noqa: S108
LOGS = Path("/tmp/sn-faults-logs")  # noqa: S108
DATABASE = "sn_faults"
SETTINGS = "bench.settings"
DEFAULT_RATE = 40.0
SUBSCRIBERS = 3000
KILL_AT = 1 / 3  # of the send, when the worker is killed
OUTAGE = 20.0  # seconds PostgreSQL or Redis is away
QUIET = 30.0  # seconds of recovery after each fault
STEADY = 30.0  # seconds of undisturbed load after warming
RECOVERY_LIMIT = 60.0  # the longest the site may take to be ready again before the script gives up on it
SEND_LIMIT = 240.0  # the longest the newsletter may take after the worker is killed
DEADLINE = 15 * 60  # the whole run
CLAIM_SECONDS, VISIBILITY = 20, 40  # quick re-sends of a killed worker's batches (defaults: 900 s, 1200 s)
NEWSLETTER_RATE = 100  # messages a second, so that the send lasts long enough to kill a worker in it
TITLE = "Faults survey (bench/faults.py)"
NEWSLETTER = "Faults newsletter"
PREFIX = "bench_faults_"
LOAD_SECONDS = 30 * 60  # the load runs until stopped
SAFE_KINDS = ("home", "ward", "rss", "ics")  # pages the page cache holds: 200 even without PostgreSQL


class Failed(Exception):
    pass


def timed_out(signum, frame):
    raise Failed(f"the run took longer than {DEADLINE} s")


def free_port(start: int) -> int:
    for port in range(start, start + 50):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no bar
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise Failed(f"no free port from {start}")


def wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise Failed(f"nothing is listening on {port}")


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


# PostgreSQL, a cluster of our own ----------------------------------------------------------------


class Postgres:
    def __init__(self, port: int):
        self.port, self.data, self.socket = port, PG_HOME / "data", PG_HOME / "run"
        self.log = PG_HOME / "postgresql.log"  # the postgres user writes it

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if check and done.returncode:
            raise Failed(f"pg_ctl {' '.join(args)}: {done.stdout}{done.stderr}")
        return done

    def init(self) -> None:
        """A new cluster, unless one was loaded by an earlier run."""
        if (PG_HOME / "loaded").exists() and (self.data / "PG_VERSION").exists():
            return
        shutil.rmtree(PG_HOME, ignore_errors=True)
        self.socket.mkdir(parents=True)
        shutil.chown(PG_HOME, "postgres", "postgres")
        shutil.chown(self.socket, "postgres", "postgres")
        command = [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command, "--locale=C.UTF-8"], check=True, capture_output=True
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket} -c listen_addresses=127.0.0.1"
        self.ctl("start", "-w", "-t", "60", "-l", str(self.log), "-o", options)

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast", "-w", "-t", "60")

    def restart(self) -> None:
        # With its log file named again: without one the server would write to pg_ctl's output.
        self.ctl("restart", "-m", "fast", "-w", "-t", "60", "-l", str(self.log))

    def running(self) -> bool:
        return self.ctl("status", check=False).returncode == 0

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def database_load(pg: Postgres, env: dict) -> str:
    """The site's database in the private cluster: migrated, with the geography and demo content."""
    url = pg.url(DATABASE)
    with psycopg.connect(pg.url("postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            connection.execute(f"CREATE DATABASE {DATABASE}")
    manage("migrate", "--no-input", database=url, settings=SETTINGS)
    if not (PG_HOME / "loaded").exists():
        data = env.get("SN_DATA_DIR") or os.environ.get("SN_DATA_DIR")
        if not data:
            raise Failed("set SN_DATA_DIR to the London geography folder (first run only)")
        log("loading the geography and demo content into the private cluster (first run only) ...")
        manage("import_geography", data, database=url, settings=SETTINGS)
        for command in ("build_page_tree", "load_demo_content", "load_demo_surveys"):
            manage(command, database=url, settings=SETTINGS)
        (PG_HOME / "loaded").write_text("geography and demo content loaded\n")
    return url


# The other processes ---------------------------------------------------------------------------


class Process:
    """A process of ours, in its own process group (so that a kill takes its children too), with
    its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict):
        self.name, self.command, self.env = name, command, env
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with open(LOGS / f"{self.name}.log", "a") as out:
            out.write(f"\n--- {time.strftime('%H:%M:%S')} start: {' '.join(self.command)}\n")
            out.flush()
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, the process and its children at once: no clean-up of any kind."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self, timeout: float = 20) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            if self.popen.poll() is None:
                os.killpg(self.popen.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.popen.wait(timeout=timeout)
            os.killpg(self.popen.pid, signal.SIGKILL)  # whatever of its group is left
        self.popen.wait()


def worker(env: dict) -> Process:
    command = [sys.executable, "-m", "celery", "-A", "sn_site", "worker", "-c", "2", "--prefetch-multiplier", "1"]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
    return Process("celery-worker", command, env)


# The site, as the load sees it -----------------------------------------------------------------


def fetch(port: int, path: str, timeout: float = 10) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def warm(port: int, targets, cache_url: str) -> tuple[int, int]:
    """Empty the cache and fill it with every page (and API answer, and postcode lookup) the load
    asks for, eight at a time. Returns (fetched, not 200)."""
    redis.Redis.from_url(cache_url).flushdb()
    paths = ["/"] + [f"{ward}{feed}" for ward in targets.wards for feed in ("", "updates/", "calendar/")]
    paths += [f"/api/v1/wards/{code}/" for code in targets.codes]
    paths += ["/find-your-team/?postcode=" + postcode.replace(" ", "+") for postcode in targets.postcodes]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda path: fetch(port, path), paths))
    return len(paths), sum(status not in (200, 302) for status in statuses)


def wait_ready(port: int, path: str, limit: float = RECOVERY_LIMIT) -> float | None:
    """Seconds until the readiness address answers 200 (None if it never did within the limit)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if fetch(port, path, timeout=5) == 200:
            return time.monotonic() - started
        time.sleep(0.25)
    return None


# The phases ------------------------------------------------------------------------------------


class Phase:
    def __init__(self, name: str, load: Load):
        self.name, self.load = name, load
        self.start = load.now()
        self.fault_start = self.fault_end = self.end = None
        self.notes: list[str] = []

    def fault(self) -> None:
        self.fault_start = self.load.now()

    def fault_over(self) -> None:
        self.fault_end = self.load.now()

    def done(self) -> None:
        self.end = self.load.now()


def ok(record: Record) -> bool:
    return record[4] == expected(record[0])


def bucket(status) -> str:
    if isinstance(status, str):
        return "conn"
    if status in (200, 201):
        return "ok"
    return {503: "503", 500: "500"}.get(status, "other")


def recovery(phase: Phase, records: list[Record]) -> str:
    """Seconds from the fault's end to the first whole second in which every request got what it
    should (0 if nothing failed after the fault ended)."""
    if phase.fault_end is None:
        return "-"
    seconds: dict[int, list[bool]] = collections.defaultdict(list)
    for record in records:
        if phase.fault_end <= record[1] < phase.end:
            seconds[int(record[1] - phase.fault_end)].append(ok(record))
    for second in sorted(seconds):
        if all(seconds[second]):
            tail_bad = sum(not good for s in seconds if s > second for good in seconds[s])
            return f"{second}" + (f" (then {tail_bad} more failed)" if tail_bad else "")
    return "never"


def phase_table(phases: list[Phase], records: list[Record]) -> str:
    lines = [
        f"{'phase':22s} {'requests':>8s} {'ok':>6s} {'503':>5s} {'500':>5s} {'other':>5s} {'conn':>5s} "
        f"{'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}  recovered (s)"
    ]
    for phase in phases:
        inside = [record for record in records if phase.start <= record[1] < phase.end]
        counts = collections.Counter(bucket(record[4]) for record in inside)
        # A 201 for an answer is its "ok"; a 200 where a 201 was expected would be "other".
        counts["ok"] = sum(ok(record) for record in inside)
        counts["other"] += sum(1 for record in inside if record[4] in (200, 201) and not ok(record))
        p50, p95, p99 = percentiles([record[2] for record in inside])
        lines.append(
            f"{phase.name:22s} {len(inside):8d} {counts['ok']:6d} {counts['503']:5d} {counts['500']:5d} "
            f"{counts['other']:5d} {counts['conn']:5d} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {p99 * 1000:8.1f}  "
            f"{recovery(phase, inside)}"
        )
    return "\n".join(lines)


def window_table(title: str, records: list[Record], start: float, end: float) -> str:
    """What each kind of request got between two moments, and how long the slowest took."""
    inside = [record for record in records if start <= record[1] < end]
    lines = [title]
    kinds: dict[str, list[Record]] = collections.defaultdict(list)
    for record in inside:
        kinds[record[0]].append(record)
    for kind, mine in sorted(kinds.items()):
        statuses = collections.Counter(record[4] for record in mine)
        hits = sum(record[5] == "hit" for record in mine)
        text = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items(), key=str))
        slowest = max(record[2] for record in mine)
        lines.append(f"  {kind:9s} {len(mine):5d}: {text}; {hits} from the page cache; slowest {slowest:.2f} s")
    return "\n".join(lines)


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Timeout)\b.*")


def exceptions_in(server_log: str) -> str:
    """Each error the server logged ("Internal Server Error: /path" and the like), by the last
    exception of its traceback: how often, the first path, and the site's own frames."""
    entries: dict[str, list] = {}
    for block in re.split(r"\n(?=[A-Z][\w ]+: /)", server_log):
        if "Traceback (most recent call last)" not in block:
            continue
        lines = block.splitlines()
        last = next((line for line in reversed(lines) if EXCEPTION_LINE.match(line)), lines[-1])
        frames = [line.strip() for line in lines if line.startswith('  File "') and "/.venv/" not in line]
        entry = entries.setdefault(last, [0, lines[0], frames[-3:]])
        entry[0] += 1
    out = []
    for last, (count, first, frames) in sorted(entries.items(), key=lambda item: -item[1][0]):
        out.append(f"  {count} x {last[:200]}")
        out.append(f"      first: {first[:160]}")
        out.extend(f"      {frame[:200]}" for frame in frames)
    return "\n".join(out) or "  none"


def timeline(phase: Phase, records: list[Record], before: float = 3, after: float = 15) -> str:
    """One character a second, from a few seconds before the fault to a while after it ended: '.'
    every request got what it should, 'x' some did not, 'X' none did, ' ' no request; '|' marks
    the fault's start and end."""
    if phase.fault_start is None:
        return ""
    first, last = int(phase.fault_start - before), int(phase.fault_end + after)
    seconds: dict[int, list[bool]] = collections.defaultdict(list)
    for record in records:
        if first <= record[1] < last:
            seconds[int(record[1])].append(ok(record))
    marks = {int(phase.fault_start), int(phase.fault_end)}
    chars = []
    for second in range(first, last):
        if second in marks:
            chars.append("|")
        got = seconds.get(second, [])
        chars.append(" " if not got else "." if all(got) else "X" if not any(got) else "x")
    return "".join(chars)


def newsletter_counts(database: str, send_id: int, sink_file: Path) -> tuple[int, int, int, int, collections.Counter]:
    """(recipients, reached exactly once, missing, duplicated, delivery statuses) for the send."""
    with psycopg.connect(database) as connection:
        rows = connection.execute(
            "SELECT email, status FROM newsletters_delivery WHERE send_id = %s", [send_id]
        ).fetchall()
    received = collections.Counter(sink_file.read_text().split()) if sink_file.exists() else collections.Counter()
    emails = [email for email, _ in rows]
    once = sum(received[email] == 1 for email in emails)
    missing = sum(received[email] == 0 for email in emails)
    duplicated = sum(received[email] > 1 for email in emails)
    return len(emails), once, missing, duplicated, collections.Counter(status for _, status in rows)


def send_progress(database: str, send_id: int) -> tuple[int, int]:
    """(handed over or sent, still queued or being sent)."""
    with psycopg.connect(database, connect_timeout=5) as connection:
        return connection.execute(
            "SELECT count(*) FILTER (WHERE status = 'sent' OR handed_over), "
            "count(*) FILTER (WHERE status IN ('queued', 'sending')) FROM newsletters_delivery WHERE send_id = %s",
            [send_id],
        ).fetchone()


def answers_check(database: str, acknowledged: list[int]) -> tuple[int, int]:
    with psycopg.connect(database) as connection:
        return connection.execute(
            "SELECT count(DISTINCT r.id), count(a.id) FROM ward_panels_response r "
            "LEFT JOIN ward_panels_answer a ON a.response_id = r.id WHERE r.id = ANY(%s)",
            [acknowledged],
        ).fetchone()


# The run ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="requests a second (default %(default)s)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix(DEFAULT_MIX), help=f"weights ({DEFAULT_MIX})")
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS, help="(default %(default)s)")
    options = parser.parse_args()

    signal.signal(signal.SIGALRM, timed_out)
    signal.alarm(DEADLINE)
    LOGS.mkdir(exist_ok=True)
    for old in LOGS.glob("*.log"):
        old.unlink()
    pg = Postgres(free_port(5433))
    redis_port, smtp_port = free_port(6380), free_port(8025)
    cache_url, broker_url = f"redis://127.0.0.1:{redis_port}/1", f"redis://127.0.0.1:{redis_port}/0"
    sink_file = LOGS / "sink-recipients.txt"
    sink_file.unlink(missing_ok=True)
    env = os.environ | {
        "DATABASE_URL": pg.url(DATABASE),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "CACHE_URL": cache_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SN_PAGE_CACHE_SECONDS": "300",
        "SN_NEWSLETTER_RATE": str(NEWSLETTER_RATE),
        "SN_NEWSLETTER_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)  # for manage.py and for gunicorn, which start from this environment
    redis_command = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    redis_server = Process("redis", [*redis_command, "no"], env)
    sink = Process(
        "smtp-sink", [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(smtp_port), str(sink_file)], env
    )
    beat_schedule = LOGS / "celerybeat-schedule"
    beat_command = [sys.executable, "-m", "celery", "-A", "sn_site", "beat", "-s", str(beat_schedule)]
    beat = Process("celery-beat", [*beat_command, "--loglevel", "WARNING"], env)
    workers: list[Process] = []
    load: Load | None = None
    phases: list[Phase] = []
    records: list[Record] = []
    server_log = ""
    failures: list[str] = []
    try:
        pg.init()
        if pg.running():
            pg.stop()  # an interrupted run's
        pg.start()
        redis_server.start()
        wait_for_port(redis_port)
        log(f"PostgreSQL 15 on {pg.port} ({pg.data}), Redis on {redis_port} (no persistence), SMTP sink on {smtp_port}")
        database = database_load(pg, env)
        targets = targets_from(database, wards=100, postcodes=200)
        survey_make(database, targets, title=TITLE, settings=SETTINGS)
        setup = NEWSLETTER_SETUP.replace("bench_newsletter_", PREFIX).replace("Benchmark newsletter", NEWSLETTER)
        setup = setup.replace("bench/newsletter_send.py", "bench/faults.py")
        # An earlier run's send first: it holds on to its newsletter.
        earlier = f"from newsletters.models import Send\nSend.objects.filter(newsletter__title={NEWSLETTER!r}).delete()"
        setup = f"{earlier}\n{setup}"
        issue = int(
            manage(
                "shell", "-c", setup.replace("COUNT", str(options.subscribers)), database=database, settings=SETTINGS
            )
            .strip()
            .splitlines()[-1]
        )
        log(f"open survey {targets.survey}; newsletter {issue} for {options.subscribers:,} subscribers")
        sink.start()
        wait_for_port(smtp_port)
        workers.append(worker(env).start())
        beat.start()
        with gunicorn(database, GUNICORN_CMD_ARGS=GUNICORN_ARGS) as (port, server):
            ready = "/readyz" if fetch(port, "/readyz") == 200 else "/"
            log(f"gunicorn on {port}; recovery is watched on {ready}" + ("" if ready == "/readyz" else " (no /readyz)"))
            fetched, bad = warm(port, targets, cache_url)
            log(f"warm-up before the load: {fetched} pages and answers fetched, {bad} not 200/302")
            load = Load(port, targets, options.mix, options.rate, LOAD_SECONDS)
            time.sleep(1)

            def quiet(phase: Phase) -> None:
                waited = wait_ready(port, ready)
                phase.notes.append(f"{ready} answered 200 after {'never' if waited is None else f'{waited:.1f} s'}")
                time.sleep(max(0.0, QUIET - (load.now() - phase.fault_end)))
                phase.done()

            # a. the page cache, warm
            phase = Phase("a. refill, steady", load)
            phases.append(phase)
            fetched, bad = warm(port, targets, cache_url)
            phase.notes.append(f"cache emptied and refilled: {fetched} fetched, {bad} not 200/302")
            warmed = load.now()
            time.sleep(STEADY)
            phase.done()
            log("a. done")

            # b1. PostgreSQL restarted
            phase = Phase("b1. PG restart", load)
            phases.append(phase)
            phase.fault()
            pg.restart()
            phase.fault_over()
            log(f"b1. PostgreSQL restarted in {phase.fault_end - phase.fault_start:.1f} s")
            quiet(phase)

            # b2. PostgreSQL stopped for a while
            if load.now() - warmed > 300 - OUTAGE - 60:
                fetched, bad = warm(port, targets, cache_url)
                log(f"b2. the page cache refilled first: {fetched} fetched, {bad} not 200/302")
            phase = Phase("b2. PG stopped 20 s", load)
            phases.append(phase)
            time.sleep(3)
            phase.fault()
            pg.stop()
            log("b2. PostgreSQL stopped")
            time.sleep(OUTAGE)
            pg.start()
            phase.fault_over()
            log("b2. PostgreSQL started")
            quiet(phase)

            # c. Redis stopped for a while
            phase = Phase("c. Redis stopped 20 s", load)
            phases.append(phase)
            time.sleep(3)
            phase.fault()
            redis_server.stop()
            log("c. Redis stopped")
            time.sleep(OUTAGE)
            redis_server.start()
            wait_for_port(redis_port)
            phase.fault_over()
            log("c. Redis started (empty)")
            quiet(phase)
            for process in (workers[-1], beat):
                if not process.alive():
                    phase.notes.append(f"{process.name} had exited after the Redis outage: started again")
                    process.start()

            # d. a newsletter send, its worker killed part-way
            phase = Phase("d. newsletter, kill", load)
            phases.append(phase)
            start = NEWSLETTER_START.replace("ISSUE", str(issue))
            start += "\nfrom newsletters.tasks import send_queue\nsend_queue.delay(send.pk)\n"
            send_id, total = map(
                int, manage("shell", "-c", start, database=database, settings=SETTINGS).strip().splitlines()[-1].split()
            )
            log(f"d. send {send_id} to {total:,} recipients queued")
            deadline = time.monotonic() + 120
            while (done := send_progress(database, send_id)[0]) < total * KILL_AT and time.monotonic() < deadline:
                time.sleep(0.2)
            phase.fault()
            workers[-1].kill()
            phase.notes.append(f"worker SIGKILLed with {done:,} of {total:,} handed over")
            log(f"d. worker killed at {done:,} of {total:,}")
            time.sleep(2)
            workers.append(worker(env).start())
            phase.fault_over()
            deadline = time.monotonic() + SEND_LIMIT
            while (progress := send_progress(database, send_id))[1] and time.monotonic() < deadline:
                time.sleep(1)
            finished = load.now() - phase.fault_end
            phase.notes.append(
                f"send {'finished' if not progress[1] else 'NOT finished'} {finished:.0f} s after the new worker "
                f"started ({progress[1]:,} still queued or being sent)"
            )
            log(f"d. send: {progress[0]:,} handed over, {progress[1]:,} waiting, {finished:.0f} s after the restart")
            time.sleep(10)
            phase.done()

            load.stop()
            records = load.wait()
            load = None
            server.seek(0)
            server_log = server.read()
        (LOGS / "gunicorn.log").write_text(server_log)
        with open(LOGS / "records.jsonl", "w") as out:
            out.writelines(json.dumps(record) + "\n" for record in records)
            out.writelines(
                json.dumps(
                    {"phase": p.name, "start": p.start, "fault": p.fault_start, "over": p.fault_end, "end": p.end}
                )
                + "\n"
                for p in phases
            )
        time.sleep(2)  # the last messages reach the sink's file
        acknowledged = [record[6] for record in records if record[0] == "survey" and record[4] == 201]
        responses, answers = answers_check(database, acknowledged)
        recipients, once, missing, duplicated, statuses = newsletter_counts(database, send_id, sink_file)
    except Failed as error:
        failures.append(str(error))
        log(f"error: {error}")
        raise
    finally:
        signal.alarm(0)
        if load is not None:
            load.kill()
        for process in (*workers, beat, sink, redis_server):
            process.stop()
        if pg.running():
            pg.stop()
        log(f"every process stopped; logs in {LOGS}")

    print()
    print(f"resident load: {options.rate:g} requests/s, mix {', '.join(f'{k}={w:g}' for k, w in options.mix.items())}")
    print(phase_table(phases, records))
    for phase in phases:
        if phase.notes:
            print(f"  {phase.name}: {'; '.join(phase.notes)}")
    print("\nsecond by second ('.' all as expected, 'x' some not, 'X' none; '|' the fault's start and end):")
    for phase in phases:
        if phase.fault_start is not None:
            print(f"  {phase.name:22s} {timeline(phase, records)}")
    outage = phases[2]
    print()
    print(window_table("while PostgreSQL was stopped (b2):", records, outage.fault_start, outage.fault_end))
    redis_phase = phases[3]
    print(window_table("while Redis was stopped (c):", records, redis_phase.fault_start, redis_phase.fault_end))
    print("\nexceptions in the server's log (count, last line, the site's own frames):")
    print(exceptions_in(server_log))
    served_500 = sum(record[4] == 500 for record in records)
    cached_failed = sum(
        1
        for record in records
        if outage.fault_start <= record[1] < outage.fault_end and record[0] in SAFE_KINDS and record[4] != 200
    )
    slow = sum(1 for record in records if record[2] > 5 and not ok(record))
    print("\nfinal checks")
    print(f"  500s served: {served_500}")
    print(f"  cached pages not 200 while PostgreSQL was stopped: {cached_failed}")
    print(f"  failed requests that took over 5 s: {slow}")
    print(
        f"  acknowledged answers stored: {responses}/{len(acknowledged)} "
        f"({answers} answers, {5 * len(acknowledged)} expected)"
    )
    print(
        f"  newsletter recipients reached exactly once: {once}/{recipients}; missing {missing}; duplicates {duplicated}"
    )
    print(f"  deliveries by status: {dict(statuses)}")
    problems = []
    if served_500:
        problems.append(f"{served_500} answers were 500")
    if responses != len(acknowledged) or answers != 5 * len(acknowledged):
        problems.append("an acknowledged answer is missing from the database")
    if once != recipients or duplicated:
        problems.append("the newsletter did not reach every recipient exactly once")
    if cached_failed:
        problems.append("cached pages failed while PostgreSQL was stopped")
    if slow:
        problems.append(f"{slow} requests hung for over 5 s and failed (timeouts)")
    for problem in problems:
        print(f"FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
