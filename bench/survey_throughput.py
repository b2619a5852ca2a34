"""Survey answers under concurrent load: response submissions per second (POST
/api/v1/surveys/<id>/responses/, each from a different respondent, so each stores a response and
its five answers) as a throughput ratio against a baseline that does the same writes, served by the
same server in the same run (target at least 0.7).

The write baseline (POST /bench/survey-write-baseline/<id>/) takes the same body through the
project's DRF settings and stores one response and its five answers in one transaction with plain
ORM creates, checking nothing: what any answer must cost. Beside it, as before, the minimal DRF
view (/bench/drf-baseline/, GET), which returns {"ok": true} and pays only what every API request
pays (throttling, content negotiation). The survey is an open one for a ward, with the five kinds
of question the tests use (single choice, rating, local issues, ranking, free text); it and a twin
for the write baseline are made in the database for the run and deleted afterwards, with every
response to them. Every answer must be 201 Created, and the database must hold, for each survey,
one response of five answers for each 201; anything else is an error and makes the exit status 1.
The database is the one bench/lookup_throughput.py uses (with the geography), migrated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_dev .venv/bin/python bench/survey_throughput.py [--seconds 10]
"""

import argparse
import http.client
import json
import multiprocessing
import secrets
import sys
import time

import psycopg
from load import CLIENTS, MAX_REQUESTS_PER_CLIENT, THREADS, WORKERS, Tally, gunicorn, load, site_database
from support import database_name, manage

ROUND_SECONDS, WARM_UP_SECONDS, ROUNDS = 10, 3, 2
TARGET_RATIO = 0.70  # survey answers against the write baseline
DRF_BASELINE = "/bench/drf-baseline/"
WARD = "E05011113"  # Rye Lane, as in the tests
TITLE = "Benchmark survey (bench/survey_throughput.py)"
BASELINE_TITLE = f"{TITLE}, write baseline"

# Run by manage.py shell in the bench database, with TITLE and WARD set (bench/resident_load.py uses it
# too): a fresh open survey, as tests/ward_panels make_survey makes it, and the answers every
# respondent gives (printed as JSON on the last line). Run twice here: the survey, and its twin
# for the write baseline.
SURVEY_SETUP = """
import datetime, json
from django.utils import timezone
from ward_panels.models import Question, Survey

Survey.objects.filter(title=TITLE).delete()  # what an interrupted run left
now = timezone.now()
survey = Survey.objects.create(
    title=TITLE, introduction="Made and deleted by the benchmark.", ward_id=WARD, audience=Survey.Audience.OPEN,
    opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=1),
)
questions = [
    ("single", "Do you feel safe?", {"choices": ["Yes", "No"]}),
    ("rating", "How visible is your team?", {}),
    ("local_issues", "Which issues matter most?", {}),
    ("ranking", "Put these in order", {"choices": ["Day", "Evening", "Night"]}),
    ("text", "Anything else?", {"required": False, "max_length": 50}),
]
q = [
    Question.objects.create(survey=survey, sort_order=n, kind=kind, text=text, **fields)
    for n, (kind, text, fields) in enumerate(questions, start=1)
]
issues = q[2].options()[:2]
assert issues, "no priority categories to choose from"
answers = {q[0].pk: "Yes", q[1].pk: 4, q[2].pk: issues, q[3].pk: ["Night", "Day", "Evening"], q[4].pk: "Thanks"}
print(json.dumps({"survey": survey.pk, "answers": answers}))
"""
SURVEY_DELETE = (
    "from ward_panels.models import Survey; Survey.objects.filter(title__in=[TITLE, BASELINE_TITLE]).delete()"
)


def shell(code: str, database: str, title: str = TITLE) -> str:
    names = f"TITLE, BASELINE_TITLE, WARD = {title!r}, {BASELINE_TITLE!r}, {WARD!r}"
    return manage("shell", "-c", f"{names}\n{code}", database=database)


def survey_make(database: str, title: str) -> tuple[int, str]:
    """A fresh open survey (SURVEY_SETUP) and the body every respondent sends it, as JSON."""
    setup = json.loads(shell(SURVEY_SETUP, database, title).strip().splitlines()[-1])
    return setup["survey"], json.dumps(setup["answers"], separators=(",", ":"))


def answers_path(survey: int) -> str:
    return f"/api/v1/surveys/{survey}/responses/"


def baseline_path(survey: int) -> str:
    return f"/bench/survey-write-baseline/{survey}/"


def body(answers: str, respondent: str) -> bytes:
    return f'{{"email": "{respondent}@bench.example.org", "answers": {answers}}}'.encode()


def post(port: int, path: str, payload: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, payload, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def submitter(port: int, path: str, answers: str, seconds: float, respondents: str) -> Tally:
    """One load-generating process: a keep-alive connection, answers to `path` back to back until
    time is up, each from a new respondent (an email address no other request uses)."""
    tally = Tally()
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    for n in range(MAX_REQUESTS_PER_CLIENT):
        sent = time.perf_counter()
        if sent - started >= seconds:
            break
        payload = body(answers, f"{respondents}-{n}")
        try:
            connection.request("POST", path, payload, headers)
            response = connection.getresponse()
            answer = response.read()
            error = None if response.status == 201 else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exception:
            connection.close()
            answer, error = b"", type(exception).__name__
        tally.latencies.append(time.perf_counter() - sent)
        if error:
            tally.errors[error] += 1
            tally.examples.setdefault(error, f"{path} {payload.decode()} -> {answer[:200].decode(errors='replace')}")
        else:
            tally.ok += 1
    connection.close()
    return tally


def submit(pool, port: int, path: str, answers: str, seconds: float, respondents: str) -> Tally:
    """Every client at once, each with respondents of its own."""
    started = time.perf_counter()
    shares = [(port, path, answers, seconds, f"{respondents}-c{i}") for i in range(CLIENTS)]
    total = Tally()
    for tally in pool.starmap(submitter, shares):
        total.add(tally)
    total.seconds = time.perf_counter() - started
    return total


def stored(database: str, survey: int) -> tuple[int, int]:
    with psycopg.connect(database) as connection:
        return connection.execute(
            "SELECT count(DISTINCT r.id), count(a.id) FROM ward_panels_response r "
            "LEFT JOIN ward_panels_answer a ON a.response_id = r.id WHERE r.survey_id = %s",
            [survey],
        ).fetchone()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=ROUND_SECONDS, help="each round's length")
    seconds = parser.parse_args().seconds
    database = site_database()
    manage("migrate", "--no-input", database=database)  # the survey tables, on a database made before them
    made = {"survey-answer": survey_make(database, TITLE), "write-baseline": survey_make(database, BASELINE_TITLE)}
    surveys = {name: survey for name, (survey, _) in made.items()}
    bodies = {name: answers for name, (_, answers) in made.items()}
    paths = {
        "survey-answer": answers_path(surveys["survey-answer"]),
        "write-baseline": baseline_path(surveys["write-baseline"]),
    }
    run = secrets.token_hex(4)  # respondents are new in every run, and in every round of it
    print(
        f"database: {database_name(database)}; open survey {surveys['survey-answer']} for {WARD}, five questions, "
        f"and its twin {surveys['write-baseline']} for the write baseline; answers {bodies['survey-answer']}"
    )
    totals = {name: Tally() for name in ("drf-baseline", "write-baseline", "survey-answer")}
    warm_ups = {name: Tally() for name in surveys}  # their answers must be 201 too
    submitted = dict.fromkeys(surveys, 0)
    try:
        with gunicorn(database) as (port, log), multiprocessing.Pool(CLIENTS) as pool:
            print(
                f"server: gunicorn bench.wsgi, {WORKERS} workers x {THREADS} threads (gthread), 127.0.0.1:{port}; "
                f"load: {CLIENTS} client processes, keep-alive, {seconds:g} s per round"
            )
            for name in surveys:
                status, reply = post(port, paths[name], body(bodies[name], f"{run}-check"))
                print(f"check: POST {paths[name]} -> {status} {reply[:160].decode(errors='replace')}")
                if status != 201:
                    return 1
                submitted[name] += 1
            load(pool, port, [DRF_BASELINE], WARM_UP_SECONDS)
            for name in surveys:
                warm_ups[name] = submit(pool, port, paths[name], bodies[name], WARM_UP_SECONDS, f"{run}-warm-up")
                submitted[name] += warm_ups[name].ok
            for round_index in range(ROUNDS):
                for name in totals:
                    if name == "drf-baseline":
                        tally = load(pool, port, [DRF_BASELINE], seconds)
                    else:
                        tally = submit(pool, port, paths[name], bodies[name], seconds, f"{run}-r{round_index + 1}")
                        submitted[name] += tally.ok
                    totals[name].add(tally)
                    print(f"round {round_index + 1} {name:14s} {tally.summary()}", flush=True)
            log.seek(0)
            server_log = log.read().strip()
        kept = {name: stored(database, survey) for name, survey in surveys.items()}
    finally:
        shell(SURVEY_DELETE, database)
    print()
    warm_up_tallies = [(f"warm-up {name.split('-')[0]}", tally) for name, tally in warm_ups.items()]
    for name, tally in (*totals.items(), *warm_up_tallies):
        print(f"{name:14s} {tally.summary()}")
        for error, count in tally.errors.items():
            method = "GET" if name == "drf-baseline" else "POST"
            print(f"  {count} x {error}, first on {method} {tally.examples[error]}")
    if server_log:
        print(f"\nserver log:\n{server_log[-3000:]}")
    consistent = True
    for name, (responses, answer_rows) in kept.items():
        print(f"{name}: stored {responses} responses with {answer_rows} answers, for {submitted[name]} created (201)")
        if responses != submitted[name] or answer_rows != 5 * submitted[name]:
            print(f"error: the database does not hold one response of five answers for every 201 of {name}")
            consistent = False
    answer_rate = totals["survey-answer"].rate
    drf_ratio = answer_rate / (totals["drf-baseline"].rate or float("inf"))
    ratio = answer_rate / (totals["write-baseline"].rate or float("inf"))
    print(f"survey answer/DRF baseline (GET, stores nothing) throughput ratio: {drf_ratio:.2f}")
    print(f"survey answer/write baseline throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    failed = any(tally.errors for tally in (*totals.values(), *warm_ups.values()))
    return 1 if failed or not consistent else 0


if __name__ == "__main__":
    sys.exit(main())
