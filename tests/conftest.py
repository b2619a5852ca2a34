import importlib
import json
import socket
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from priorities.models import PriorityCategory
from priorities.services import geography_import, page_tree_build
from tests.priorities.codepoint_sample import write_codepoint

# Rough rectangles around the sample's boroughs (WGS84), in the ONS boundary file's shape.
SAMPLE_BOROUGH_OUTLINES = {
    "E09000001": (-0.115, 51.508, -0.072, 51.522),
    "E09000028": (-0.11, 51.42, -0.03, 51.51),
    "E09000033": (-0.22, 51.48, -0.11, 51.54),
}


def write_borough_outlines(path):
    features = [
        {
            "type": "Feature",
            "properties": {"LAD24CD": code, "LAD24NM": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
            },
        }
        for code, (w, s, e, n) in SAMPLE_BOROUGH_OUTLINES.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture(autouse=True)
def _isolated(settings):
    cache.clear()  # lookups, and each process's ward table and outline of London, start afresh
    settings.SN_DATA_DIR = ""  # imports read only what a test gives them


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
    with django_db_blocker.unblock(), override_settings(SN_DATA_DIR=""):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            report = geography_import(source=folder)
            page_tree_build()
            yield report
        finally:
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
    for name in importlib.import_module("priorities.migrations.0003_priority_rules").CATEGORIES:
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
def officers(sample_london):
    southwark = User.objects.create_user("pc.southwark", password="a-long-test-password")
    westminster = User.objects.create_user("pc.westminster", password="a-long-test-password")
    call_command("add_officer", "pc.southwark", "--borough", "E09000028", stdout=StringIO())
    call_command("add_officer", "pc.westminster", "--borough", "E09000033", stdout=StringIO())
    return southwark, westminster
