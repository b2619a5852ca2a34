"""Fuzzing every documented API operation with Schemathesis: whatever is sent, the answer is never
a server error (5xx).

The schema is the one the site serves (/api/v1/schema/), and every request goes in-process through
the WSGI application, so the API sees this test's own database transaction: the sample of London
with demo content, an open survey and a panel survey. About half the time, generated values are
replaced by real ones (ward and borough codes, survey ids, a panel token, receipts, officers'
sessions, answers keyed by real question ids) so that the fuzzing gets past the 404s into the code
behind them; the rest of the time Schemathesis's own values (valid and invalid) go through as they are.

Below that, the same promise is kept by hand where the schema does not reach: hostile strings (NUL,
half a surrogate pair, CR/LF, very long, any Unicode) in every path parameter of every route of the
site, public pages and APIs alike, and in the fields of every public HTML form.

Schemathesis's own pytest integration (schemathesis.pytest.from_fixture) reads Node._nodeid, which
pytest 9.2 no longer has, so each operation runs as a Hypothesis test of its own here, in a subtest.
"""

import re
from collections import Counter, defaultdict
from io import StringIO
from urllib.parse import quote

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from home.demo import demo_content_load
from priorities.models import Priority, PriorityCategory
from sn_site.throttles import AnonymousRateLimit
from ward_panels.models import EqualityMonitoring, Invitation, PanelMember, Survey, WardPanel
from ward_panels.selectors import survey_rules
from ward_panels.services import invitations_send, response_submit
from ward_panels.throttles import SurveyAnswerLimit
from ward_panels.tokens import invitation_token, receipt_token

NOW = timezone.now()

SCHEMA_PATH = "/api/v1/schema/"
MAX_EXAMPLES = 40
WARDS = ["E05011113", "E05011110", "E05013806", "E05013807", "E05009290"]
BOROUGHS = ["E09000028", "E09000033", "E09000001"]
POSTCODES = ["SE15 5DB", "se155dd", "SW1A 1AA", "SW1E", "SE15 5", "EC2V 7HH", "CM0 7AA"]
PAGES = {"page": [1, 2], "page_size": [1, 10, 200]}
MISSING = object()

# Examples sent to each operation in this run ("GET /api/v1/wards/{code}/" -> count), printed at the end.
examples: Counter = Counter()
statuses: defaultdict = defaultdict(Counter)  # and the answers they got: label -> {status: count}


@pytest.fixture
def fuzz_data(sample_london, good_answers, make_survey):
    """Real things for the generated requests to find."""
    demo_content_load()
    open_survey = make_survey(audience=Survey.Audience.OPEN)
    panel_survey = make_survey(audience=Survey.Audience.PANEL)
    panel = WardPanel.objects.create(ward_id="E05011113", chair="Ada Obi")
    for n in range(3):
        PanelMember.objects.create(
            panel=panel, name=f"Member {n}", email=f"member{n}@example.org", confirmed_at=NOW, consent_given_at=NOW
        )
    invitations_send(survey=panel_survey)
    tokens = [invitation_token(invitation.pk, invitation.nonce) for invitation in Invitation.objects.all()]
    # Receipts for the equality step: each takes equality answers once.
    receipts = [
        receipt_token(
            response_submit(
                survey=survey_rules(open_survey.pk), answers=good_answers(open_survey), respondent=f"r{n}@example.org"
            ).survey_id
        )
        for n in range(5)
    ]
    officer = User.objects.create_user("pc.southwark", password="a-long-test-password")
    call_command("add_officer", "pc.southwark", "--borough", "E09000028", stdout=StringIO())
    admin = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    sessions = []
    for user in (officer, admin):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return {
        "surveys": [open_survey, panel_survey],
        "tokens": tokens,
        "receipts": receipts,
        "sessions": sessions,
        "categories": [str(pk) for pk in PriorityCategory.objects.values_list("pk", flat=True)[:3]]
        + list(PriorityCategory.objects.values_list("name", flat=True)[:2]),
    }


@pytest.fixture
def api_schema(fuzz_data, monkeypatch, good_answers):
    # Every generated request comes from one address: raise the limits out of the way (the throttles still run).
    monkeypatch.setattr(AnonymousRateLimit, "rate", "100000/second", raising=False)
    monkeypatch.setattr(SurveyAnswerLimit, "rate", "100000/second", raising=False)
    # As Django's test client does: a request must not close the connection holding the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    examples.clear()
    statuses.clear()
    try:
        loaded = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())
        for hook in steering_hooks(fuzz_data, good_answers):
            loaded.hook(hook)
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    operations = sorted(label_of(result.ok()) for result in loaded.get_all_operations())
    print(f"\nAPI fuzzing: {sum(examples.values())} examples over {len(examples)} of {len(operations)} operations")
    for label in operations:
        answers = ", ".join(f"{status}: {n}" for status, n in sorted(statuses[label].items()))
        print(f"  {examples[label]:4d}  {label}  ({answers})")
    assert set(examples) == set(operations), f"never called: {sorted(set(operations) - set(examples))}"


def label_of(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _steered(given, real: dict[str, list]) -> st.SearchStrategy:
    """The generated parameters, each replaced by a real value about half the time (real values first,
    so that a failure shrinks towards them)."""
    given = dict(given or {})
    choices = {
        name: st.one_of(st.sampled_from(values), st.just(given.get(name, MISSING))) for name, values in real.items()
    }
    return st.fixed_dictionaries(choices).map(
        lambda picked: {**given, **{name: value for name, value in picked.items() if value is not MISSING}}
    )


# Any JSON value at all, to put where an answer is expected.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=60),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def steering_hooks(data: dict, good_answers) -> list:
    surveys, tokens, receipts, sessions = data["surveys"], data["tokens"], data["receipts"], data["sessions"]
    path_values = {
        "code": WARDS + BOROUGHS,
        "neighbourhood": WARDS,
        "force": ["metropolitan"],
        "id": [survey.pk for survey in surveys],
    }
    query_values = {
        "/api/v1/lookup/": {"q": POSTCODES, "lat": [51.4700, 51.5007], "lng": [-0.0690, -0.1246]},
        "/api/police-uk/locate-neighbourhood": {"q": ["51.5007,-0.1246", "51.47,-0.069", "53.48,-2.24"]},
        "/api/v1/surveys/{id}/": {"token": tokens},
        "/api/v1/priorities/": {
            "ward": WARDS,
            "borough": BOROUGHS,
            "status": list(Priority.Status.values),
            "category": data["categories"],
            **PAGES,
        },
        "/api/v1/wards/": {"borough": BOROUGHS, **PAGES},
        "/api/v1/boroughs/": PAGES,
        "/api/v1/wards/{code}/priorities/": {"status": list(Priority.Status.values)},
    }
    questions = {survey.pk: survey.questions.all() for survey in surveys}
    options = sorted({option for qs in questions.values() for question in qs for option in question.options()})

    def answers_for(survey: Survey) -> st.SearchStrategy:
        """Good answers with some replaced by anything at all (a chosen option, any JSON value, nothing)."""
        good = good_answers(survey)
        value = st.one_of(JSON_VALUES, st.sampled_from(options), st.lists(st.sampled_from(options), max_size=5))
        replaced = st.dictionaries(st.sampled_from(sorted(good)), value, max_size=len(good))
        extra = st.dictionaries(st.text(max_size=6), value, max_size=2)
        return st.tuples(replaced, extra, st.booleans()).map(lambda r: {**good, **r[0], **(r[1] if r[2] else {})})

    def submission(survey: Survey) -> st.SearchStrategy:
        """A whole answer to a real survey: a new email address (open) or an invitation's token (panel)."""
        if survey.audience == Survey.Audience.OPEN:
            who = st.fixed_dictionaries({"email": st.uuids().map(lambda u: f"{u.hex}@example.org")})
        else:
            who = st.fixed_dictionaries({"token": st.sampled_from(tokens)})
        return st.tuples(who, answers_for(survey)).map(lambda pair: {**pair[0], "answers": pair[1]})

    equality_answers = st.dictionaries(
        st.sampled_from(EqualityMonitoring.FIELDS) | st.text(max_size=8),
        st.sampled_from(["prefer_not", "25_34", "yes", "no", ""]) | JSON_VALUES,
        max_size=4,
    )

    def with_changes(case, changes: dict):
        for name, value in changes.items():
            setattr(case, name, value)
        return case

    def flatmap_path_parameters(context, path_parameters):
        real = {name: values for name, values in path_values.items() if name in (path_parameters or {})}
        return _steered(path_parameters, real) if real else st.just(path_parameters)

    def flatmap_query(context, query):
        real = query_values.get(context.operation.path)
        return _steered(query, real) if real else st.just(query)

    def flatmap_case(context, case):
        path = context.operation.path
        if path.endswith("/responses/"):  # a coherent submission to a real survey, answers fuzzed
            coherent = st.sampled_from(surveys).flatmap(
                lambda survey: submission(survey).map(lambda body: {"path_parameters": {"id": survey.pk}, "body": body})
            )
        elif path.endswith("/equality/"):  # a real receipt, equality answers fuzzed
            coherent = st.fixed_dictionaries({"receipt": st.sampled_from(receipts), "answers": equality_answers}).map(
                lambda body: {"body": body}
            )
        elif "/results" in path:  # an officer's (or an administrator's) session
            coherent = st.sampled_from(sessions).map(lambda session: {"cookies": {"sessionid": session}})
        else:
            return st.just(case)
        return st.one_of(coherent, st.just(None)).map(lambda changes: with_changes(case, changes or {}))

    return [flatmap_path_parameters, flatmap_query, flatmap_case]


def test_no_documented_api_operation_answers_with_a_server_error(api_schema, subtests):
    run_settings = settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    for result in api_schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

        @run_settings
        @given(case=cases)
        def fuzz(case):
            examples[label_of(case.operation)] += 1
            response = case.call_and_validate(checks=[not_a_server_error])
            statuses[label_of(case.operation)][response.status_code] += 1

        with subtests.test(msg=label_of(operation)):
            fuzz()


# Hostile strings: what a determined sender puts in an address or a form ------------------------------

SPECIALS = [
    "\x00",
    "a\x00b",
    "%00",
    "\ud800",
    "\udfff",
    "\r\nBcc: victim@example.org",
    "\u2028\u2029\x85",
    "x" * 5000,
    "9" * 5000,
    "Ünïcødé ☃ 🎉 עברית",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "-1",
    "",
    " ",
]
# Any text, surrogates included (Hypothesis leaves them out unless asked), with a special in it.
ANY_TEXT = st.text(st.characters(codec=None, categories=None, exclude_categories=()), max_size=30)
HOSTILE = st.one_of(
    st.sampled_from(SPECIALS),
    ANY_TEXT,
    st.tuples(ANY_TEXT, st.sampled_from(SPECIALS), ANY_TEXT).map("".join),
)
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _quoted(text: str) -> str:
    """As a client sends it: UTF-8 bytes, percent-encoded (a lone surrogate as the bytes it would be)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _form_body(fields: dict) -> str:
    return "&".join(
        f"{_quoted(name)}={_quoted(value)}"
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    )


def parameterised_routes() -> list[str]:
    """Every route with a parameter in its path ("/api/v1/wards/<str:code>/"), public pages and APIs
    alike, found in the URL configuration so that a route added later is fuzzed too. Not the admin's,
    behind sign-in."""
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue  # Wagtail's pages (their paths are fuzzed below through /<page>/)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif pattern.pattern.converters:
                routes.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(route for route in set(routes) if not route.startswith(("/admin/", "/bench/")))


@pytest.fixture
def hostile_client(sample_london, monkeypatch):
    demo_content_load()
    # Every request comes from one address: raise the limits out of the way (they still run).
    monkeypatch.setattr(AnonymousRateLimit, "rate", "100000/second", raising=False)
    monkeypatch.setattr(SurveyAnswerLimit, "rate", "100000/second", raising=False)
    return Client(HTTP_HOST="localhost", raise_request_exception=False)


def _route_fuzz(client, route: str):
    @FUZZ_SETTINGS
    @given(values=st.lists(HOSTILE, min_size=3, max_size=3), post=st.booleans())
    def fuzz(values, post):
        parts = iter(values * 2)
        path = re.sub(r"<(?:\w+:)?\w+>", lambda match: _quoted(next(parts)), route)
        if post:
            response = client.post(path, _form_body({"q": values[0]}), content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(path, QUERY_STRING=f"q={_quoted(values[1])}")
        assert response.status_code < 500, (path, response.status_code)

    return fuzz


def test_no_path_parameter_of_any_route_answers_with_a_server_error(hostile_client, subtests):
    routes = parameterised_routes() + ["/<page>/", "/southwark/<page>/"]
    assert {"/api/v1/wards/<str:code>/", "/ward-panels/<str:ward_code>/join/", "/surveys/<int:pk>/"} <= set(routes)
    for route in routes:
        with subtests.test(msg=route):
            _route_fuzz(hostile_client, route)()


def _form_fuzz(client, method: str, address: str, good: dict):
    """Each of the form's fields, and a field or two it does not have, replaced by hostile strings."""

    @FUZZ_SETTINGS
    @given(data=st.data())
    def fuzz(data):
        replaced = data.draw(
            st.dictionaries(st.sampled_from(sorted(good)), HOSTILE | st.lists(HOSTILE, max_size=3), min_size=1)
        )
        extra = data.draw(st.dictionaries(HOSTILE, HOSTILE, max_size=2))
        fields = {**good, **replaced, **extra}
        if method == "get":
            response = client.get(address, QUERY_STRING=_form_body(fields))
        else:
            response = client.post(address, _form_body(fields), content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (address, fields, response.status_code)

    return fuzz


def test_no_public_html_form_answers_with_a_server_error(hostile_client, make_survey, subtests):
    open_survey = make_survey(audience=Survey.Audience.OPEN)
    panel_survey = make_survey(audience=Survey.Audience.PANEL)
    panel = WardPanel.objects.create(ward_id="E05011113", chair="Ada Obi")
    PanelMember.objects.create(
        panel=panel, name="Member", email="member@example.org", confirmed_at=NOW, consent_given_at=NOW
    )
    invitations_send(survey=panel_survey)
    invitation = Invitation.objects.get()
    token = invitation_token(invitation.pk, invitation.nonce)

    def survey_fields(survey) -> dict:
        fields = {"token": token, "email": "ann@example.org"}
        for question in survey.questions.all():
            name = f"q{question.pk}"
            options = question.options()
            if question.kind == "ranking":
                fields.update({f"{name}-{n}": str(n + 1) for n in range(len(options))})
            else:
                fields[name] = options[:1] if question.kind in ("multiple", "local_issues") else "4"
        return fields

    # (method, address, the form's fields with good values): each field is replaced by a hostile string.
    forms = [
        ("post", f"/surveys/{open_survey.pk}/", survey_fields(open_survey)),
        ("post", f"/surveys/{panel_survey.pk}/", survey_fields(panel_survey)),
        (
            "post",
            f"/surveys/{open_survey.pk}/thank-you/",
            {"receipt": "1:abc", **dict.fromkeys(EqualityMonitoring.FIELDS, "prefer_not")},
        ),
        ("post", "/ward-panels/E05011113/join/", {"name": "Ann", "email": "ann@example.org", "consent": "on"}),
        ("post", "/newsletters/subscribe/", {"email": "ann@example.org", "ward": "E05011113", "borough": "E09000028"}),
        ("get", "/find-your-team/", {"postcode": "SE15 5DB", "lat": "51.47", "lng": "-0.069"}),
        ("get", "/search/", {"q": "rye", "page": "1"}),
        ("get", "/my-area/", {"ward": "E05011113"}),
        ("post", "/my-area/", {"ward": "E05011113", "forget": "1"}),
    ]
    for method, address, good in forms:
        with subtests.test(msg=f"{method.upper()} {address}"):
            _form_fuzz(hostile_client, method, address, good)()
