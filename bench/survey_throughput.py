"""Survey answers under concurrent load: response submissions per second (POST
/api/v1/surveys/<id>/responses/, each from a different respondent, so each stores a response and
its five answers) as a throughput ratio against a minimal DRF view served by the same server in the
same run (target at least 0.5).

The minimal DRF view (/bench/drf-baseline/, GET) returns {"ok": true} through the project's DRF
settings, so it pays what every API request pays (throttling, content negotiation) and nothing
else. The survey is an open one for a ward, with the five kinds of question the tests use (single
choice, rating, local issues, ranking, free text); it is made in the database for the run and
deleted afterwards, with every response to it. Every answer must be 201 Created, and the database
must hold as many responses as there were 201s; anything else is an error and makes the exit
status 1. The database is the one bench/lookup_throughput.py uses (with the geography), migrated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_dev .venv/bin/python bench/survey_throughput.py
"""

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
TARGET_RATIO = 0.50
DRF_BASELINE = "/bench/drf-baseline/"
WARD = "E05011113"  # Rye Lane, as in the tests
TITLE = "Benchmark survey (bench/survey_throughput.py)"

# Run by manage.py shell in the bench database: a fresh open survey, as tests/ward_panels make_survey
# makes it, and the answers every respondent gives (printed as JSON on the last line).
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
SURVEY_DELETE = "from ward_panels.models import Survey; Survey.objects.filter(title=TITLE).delete()"


def shell(code: str, database: str) -> str:
    return manage("shell", "-c", f"TITLE, WARD = {TITLE!r}, {WARD!r}\n{code}", database=database)


def answers_path(survey: int) -> str:
    return f"/api/v1/surveys/{survey}/responses/"


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


def submitter(port: int, survey: int, answers: str, seconds: float, respondents: str) -> Tally:
    """One load-generating process: a keep-alive connection, answers back to back until time is up,
    each from a new respondent (an email address no other request uses)."""
    tally = Tally()
    path = answers_path(survey)
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


def submit(pool, port: int, survey: int, answers: str, seconds: float, respondents: str) -> Tally:
    """Every client at once, each with respondents of its own."""
    started = time.perf_counter()
    shares = [(port, survey, answers, seconds, f"{respondents}-c{i}") for i in range(CLIENTS)]
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
    database = site_database()
    manage("migrate", "--no-input", database=database)  # the survey tables, on a database made before them
    setup = json.loads(shell(SURVEY_SETUP, database).strip().splitlines()[-1])
    survey, answers = setup["survey"], json.dumps(setup["answers"], separators=(",", ":"))
    run = secrets.token_hex(4)  # respondents are new in every run, and in every round of it
    print(f"database: {database_name(database)}; open survey {survey} for {WARD}, five questions; answers {answers}")
    totals = {name: Tally() for name in ("drf-baseline", "survey-answer")}
    warm_up = Tally()  # its answers must be 201 too
    submitted = 0
    try:
        with gunicorn(database) as (port, log), multiprocessing.Pool(CLIENTS) as pool:
            print(
                f"server: gunicorn bench.wsgi, {WORKERS} workers x {THREADS} threads (gthread), 127.0.0.1:{port}; "
                f"load: {CLIENTS} client processes, keep-alive, {ROUND_SECONDS} s per round"
            )
            status, reply = post(port, answers_path(survey), body(answers, f"{run}-check"))
            print(f"check: POST {answers_path(survey)} -> {status} {reply[:160].decode(errors='replace')}")
            if status != 201:
                return 1
            submitted += 1
            load(pool, port, [DRF_BASELINE], WARM_UP_SECONDS)
            warm_up = submit(pool, port, survey, answers, WARM_UP_SECONDS, f"{run}-warm-up")
            submitted += warm_up.ok
            for round_index in range(ROUNDS):
                for name in totals:
                    if name == "drf-baseline":
                        tally = load(pool, port, [DRF_BASELINE], ROUND_SECONDS)
                    else:
                        tally = submit(pool, port, survey, answers, ROUND_SECONDS, f"{run}-r{round_index + 1}")
                        submitted += tally.ok
                    totals[name].add(tally)
                    print(f"round {round_index + 1} {name:13s} {tally.summary()}", flush=True)
            log.seek(0)
            server_log = log.read().strip()
        responses, answer_rows = stored(database, survey)
    finally:
        shell(SURVEY_DELETE, database)
    print()
    for name, tally in (*totals.items(), ("warm-up", warm_up)):
        print(f"{name:13s} {tally.summary()}")
        for error, count in tally.errors.items():
            method = "GET" if name == "drf-baseline" else "POST"
            print(f"  {count} x {error}, first on {method} {tally.examples[error]}")
    if server_log:
        print(f"\nserver log:\n{server_log[-3000:]}")
    print(f"\nstored: {responses} responses with {answer_rows} answers, for {submitted} answers created (201)")
    consistent = responses == submitted and answer_rows == 5 * submitted
    if not consistent:
        print("error: the database does not hold one response of five answers for every 201")
    baseline = totals["drf-baseline"].rate or float("inf")
    ratio = totals["survey-answer"].rate / baseline
    print(f"survey answer/DRF baseline throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    return 1 if any(tally.errors for tally in (*totals.values(), warm_up)) or not consistent else 0


if __name__ == "__main__":
    sys.exit(main())
