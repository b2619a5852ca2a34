import datetime
import importlib
import os
import shutil
import socket
import threading
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify
from playwright.sync_api import sync_playwright
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from geography.services import geography_import
from home.services import page_tree_build
from newsletters.models import Subscriber
from priorities.models import Event, NeighbourhoodPage, Priority, PriorityCategory, TeamMember
from tests.factories import EventFactory, PriorityFactory, SubscriptionFactory, SurveyFactory, TeamMemberFactory
from tests.geography.codepoint_sample import write_borough_outlines, write_codepoint
from ward_panels.models import EqualityMonitoring, Survey
from ward_panels.services import equality_pool_flush


@pytest.fixture(autouse=True)
def _isolated(settings):
    cache.clear()  # lookups, and each process's ward table and outline of London, start afresh
    settings.SN_DATA_DIR = ""  # imports read only what a test gives them
    settings.SN_CRIME_DATA = settings.SN_CONFIDENCE_DATA = ""
    settings.SN_CRIME_DOWNLOAD_URL = settings.SN_CONFIDENCE_DOWNLOAD_URL = ""


def _write_sample_release(folder):
    folder = write_codepoint(folder)
    (folder / "lad").mkdir()
    write_borough_outlines(folder / "lad" / "local_authority_districts.geojson")
    return folder


@pytest.fixture
def codepoint_folder(tmp_path):
    """The sample release in the official layout, a copy of its own for a test to change or import."""
    return _write_sample_release(tmp_path / "codepoint")


@pytest.fixture(scope="module")
def _sample_london_for_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for each test module that asks for it, inside a transaction rolled back after the
    module's last test; each test runs in a savepoint of it (pytest-django's `db`), so whatever a
    test changes is undone for the next. Tests that commit (transaction=True) build their own."""
    folder = _write_sample_release(tmp_path_factory.mktemp("sample") / "codepoint")
    outer = transaction.atomic()
    with django_db_blocker.unblock(), override_settings(SN_DATA_DIR=""):
        outer.__enter__()
        report = geography_import(source=folder)
        page_tree_build()
    try:
        yield report  # the database stays closed to any test that does not ask for it
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def sample_london(_sample_london_for_module, db):
    """The sample release imported and its pages built, as `make run` does with the real one."""
    return _sample_london_for_module


@pytest.fixture
def sample_london_committed(transactional_db, codepoint_folder):
    """The sample committed, for a test whose work is read from another thread or process (a live
    server, a worker, a second connection). Such tests empty the whole database when they end,
    the migrations' rows included, so the priority categories are put back first."""
    for name in importlib.import_module("priorities.migrations.0002_priority_rules").CATEGORIES:
        PriorityCategory.objects.get_or_create(name=name)
    report = geography_import(source=codepoint_folder)
    page_tree_build()
    return report


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items):
    """Tests that commit empty the database as they end. pytest-django runs them after the others,
    and `make test`'s processes each take a whole file at a time in that order, so a file that
    mixed the two kinds would empty the database under the tests of the files after it: a file
    holds tests that commit or tests that do not, never both."""
    kinds: dict = {}
    for item in items:
        if _uses_database(item) or _commits(item):
            kinds.setdefault(item.path, set()).add(_commits(item))
    mixed = sorted(str(path) for path, found in kinds.items() if len(found) == 2)
    if mixed:
        raise pytest.UsageError(
            "These files mix tests that commit (transaction=True, live_server) with tests that do not; "
            f"move the ones that commit to a file of their own: {', '.join(mixed)}"
        )
    # Within a file, the tests that start from an empty database run before the module's sample
    # London is built, since it stays until the file's last test; the files keep their order.
    first = {}
    for index, item in enumerate(items):
        first.setdefault(item.path, index)
    items.sort(key=lambda item: (first[item.path], "_sample_london_for_module" in item.fixturenames))


@pytest.fixture
def smtp_sink():
    """A real SMTP server on a free local port that records every message it is given:
    yields (port, messages), each message an email.message.Message with its envelope recipients."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    messages = []

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.original_content or envelope.content)
            message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            messages.append(message)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, messages
    controller.stop()


@pytest.fixture
def smtp(smtp_sink, settings):
    """Email goes through the real SMTP sink (for newsletters, the raw MIME writer), with no
    sending pace: the messages it took."""
    port, messages = smtp_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SN_NEWSLETTER_RATE = 0
    return messages


@pytest.fixture
def officers(sample_london):
    southwark = User.objects.create_user("pc.southwark", password="a-long-test-password")
    westminster = User.objects.create_user("pc.westminster", password="a-long-test-password")
    call_command("add_officer", "pc.southwark", "--borough", "E09000028", stdout=StringIO())
    call_command("add_officer", "pc.westminster", "--borough", "E09000033", stdout=StringIO())
    return southwark, westminster


# Builders, shared as fixtures: a test asks for the ones it builds with. Each returns a function,
# so that one test can build as many as it needs (and a module's world can use them too).


@pytest.fixture(scope="session")
def add_priority():
    """add_priority(page, title=..., status=..., updates=[(day in October 2026, "we did")], **fields):
    a priority on a ward page, agreed on 1 September 2026, as the admin would save it."""

    def add(page, title="Speeding on Rye Lane", status=Priority.Status.ACTIVE, updates=(), **fields) -> Priority:
        # In the order added, as the editor would list them (equal places come back in any order).
        fields.setdefault("sort_order", Priority.objects.filter(ward_page=page).count())
        return PriorityFactory(ward_page=page, title=title, status=status, updates=updates, **fields)

    return add


@pytest.fixture(scope="session")
def add_member():
    """add_member(page, n, photo=True): PC Officer n in a ward's team, with a described photo."""

    def add(page, n: int, photo: bool = True) -> TeamMember:
        return TeamMemberFactory(ward_page=page, n=n, **({} if photo else {"photo": None}))

    return add


@pytest.fixture(scope="session")
def add_neighbourhood():
    """add_neighbourhood(borough_page, title="Bellenden", listed=..., officers=[...], publish=True,
    **fields): a natural neighbourhood under a borough's page, published as the page editor would
    (its area worked out on publishing). By default two sample postcodes, in Rye Lane and Peckham."""

    def add(borough_page, title="Bellenden", listed="SE15 5DB\nSE15 5RS", officers=(), publish=True, **fields):
        page = NeighbourhoodPage(title=title, slug=fields.pop("slug", slugify(title)), area_postcodes=listed, **fields)
        page.officers = list(officers)
        borough_page.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        return page

    return add


@pytest.fixture(scope="session")
def add_event():
    """add_event(page, days_from_now, kind=..., title=...): an hour-long meeting of a ward's team."""

    def add(page, days_from_now: int, kind=Event.Kind.CONTACT_POINT, title="Meet the team") -> Event:
        return EventFactory(ward_page=page, days_from_now=days_from_now, kind=kind, title=title)

    return add


@pytest.fixture(scope="session")
def make_survey():
    """make_survey(audience=panel, ward=Rye Lane, answered=0, **fields): an open survey of five
    questions (one of each kind), open since yesterday for two weeks; `answered`: that many people
    have responded (with no answers to count)."""

    def make(audience=Survey.Audience.PANEL, ward="E05011113", answered=0, **fields) -> Survey:
        return SurveyFactory(audience=audience, ward_id=ward, answered=answered, **fields)

    return make


@pytest.fixture(scope="session")
def equality_written():
    """equality_written(survey, *fields): the survey's equality answers once the pool has written
    them out (services.equality_pool_flush), as dicts of the fields asked for."""

    def written(survey: Survey, *fields: str) -> list[dict]:
        equality_pool_flush(survey=survey)
        return list(EqualityMonitoring.objects.filter(survey=survey).values(*fields))

    return written


@pytest.fixture(scope="session")
def answer_with_equality(good_answers):
    """answer_with_equality(client, survey, n, equality, before_equality=None): person n answers an
    open survey through the API (from an address of their own), then gives `equality`; returns the
    receipt. `before_equality()` runs between the two."""

    def answer(client, survey: Survey, n: int, equality: dict, before_equality=None) -> str:
        address = f"10.0.9.{n}"
        receipt = client.post(
            f"/api/v1/surveys/{survey.pk}/responses/",
            {"email": f"person{n}@example.org", "answers": good_answers(survey)},
            content_type="application/json",
            REMOTE_ADDR=address,
        ).json()["receipt"]
        if before_equality:
            before_equality()
        given = client.post(
            f"/api/v1/surveys/{survey.pk}/equality/",
            {"receipt": receipt, "answers": equality},
            content_type="application/json",
            REMOTE_ADDR=address,
        )
        assert given.status_code == 204, given.content
        return receipt

    return answer


@pytest.fixture(scope="session")
def good_answers():
    """good_answers(survey): answers to make_survey's questions, as the API takes them."""

    def answers(survey: Survey) -> dict:
        q = {question.sort_order: str(question.pk) for question in survey.questions.all()}
        return {
            q[1]: "Yes",
            q[2]: 4,
            q[3]: ["Speeding", "Burglary"],
            q[4]: ["Night", "Day", "Evening"],
            q[5]: "Thanks",
        }

    return answers


@pytest.fixture(scope="session")
def survey_page_form():
    """survey_page_form(survey, token): good answers to make_survey's questions, as the web survey
    page posts them."""

    def form(survey: Survey, token) -> dict:
        q = {question.sort_order: question.pk for question in survey.questions.all()}
        return {
            "token": token,
            f"q{q[1]}": "Yes",
            f"q{q[2]}": "5",
            f"q{q[3]}": ["Burglary"],
            f"q{q[4]}-0": "1",
            f"q{q[4]}-1": "2",
            f"q{q[4]}-2": "3",
        }

    return form


@pytest.fixture(scope="session")
def survey_admin_form():
    """survey_admin_form(**fields): a new open survey of one question for Rye Lane, open from an
    hour ago for two weeks, as the admin's form posts it."""

    def form(**fields) -> dict:
        now = timezone.localtime()
        return nested_form_data(
            {
                "title": "Evenings",
                "introduction": "One question.",
                "ward": "E05011113",
                "borough": "",
                "audience": "open",
                "opens_at": f"{now - datetime.timedelta(hours=1):%Y-%m-%d %H:%M}",
                "closes_at": f"{now + datetime.timedelta(days=14):%Y-%m-%d %H:%M}",
                "reminder_after_days": 7,
                "questions": inline_formset(
                    [
                        {"kind": "single", "text": "Do you feel safe?", "choices": "Yes\nNo", "required": "on"}
                        | {"max_length": 1000, "scale_min": 1, "scale_max": 5, "max_choices": 3}
                    ]
                ),
                "summary": "",
                "informed_priority": "",
            }
            | fields
        )

    return form


@pytest.fixture(scope="session")
def add_subscribers():
    """add_subscribers(count, prefix="s", ward_id=... or borough_id=...): confirmed subscribers to
    one newsletter, prefix0@example.org and on."""

    def add(count, prefix="s", **where) -> list[Subscriber]:
        now = timezone.now()
        return [
            SubscriptionFactory(
                subscriber__email=f"{prefix}{n}@example.org", subscriber__confirmed_at=now, **where
            ).subscriber
            for n in range(count)
        ]

    return add


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


@pytest.fixture(scope="session")
def links_in():
    """links_in(response): the address of every link on an HTML page, in order."""

    def links(response) -> list[str]:
        parser = _Links()
        parser.feed(response.content.decode())
        return parser.hrefs

    return links


@pytest.fixture(scope="session")
def at_once():
    """at_once(action): two people doing the same thing at the same moment, each its own request
    (a thread with its own database connection), released together; what each action returned, or
    raised, in the order they finished. For tests that commit (sample_london_committed)."""

    def run(action) -> list:
        start, outcomes = threading.Barrier(2), []

        def one():
            try:
                start.wait(timeout=10)
                outcomes.append(action())
            except Exception as error:  # noqa: BLE001 - the test reads what each was told
                outcomes.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=one) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return outcomes

    return run


# Debian's chromium package: Playwright cannot download browsers here.
CHROMIUM = os.environ.get("SN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, for tests that walk the site as its people do (skipped where there is
    none). Playwright's sync API runs an event loop in the test's thread, while the tests' own
    database work is synchronous: hence DJANGO_ALLOW_ASYNC_UNSAFE."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Chromium (Debian's chromium package)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"]
            + ["--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()
