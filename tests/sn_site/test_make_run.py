"""`make run` on a small London: the set-up steps the Makefile runs, in its order, say briefly what
they did and end with how to sign in and where to look; with a broker, Celery beat and a worker run
beside the server and stop with it."""

import io
import logging
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from sn_site.progress import ProgressBar
from tests.geography.codepoint_sample import LONDON_POSTCODES
from ward_panels.models import Survey

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")


def make_run(port: int = 8000) -> str:
    """The commands `make run` would run, as make itself spells them out (make -n)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def set_up_steps() -> list[list[str]]:
    """The management commands `make run` runs before it serves, in order, with their arguments."""
    lines = [line.split("&&")[0] for line in make_run().splitlines() if re.match(r"\S+/python manage\.py ", line)]
    return [shlex.split(line)[2:] for line in lines if " runserver " not in line]


def run_set_up() -> str:
    out = StringIO()
    for name, *args in set_up_steps():
        call_command(name, *args, stdout=out, stderr=out)
    return out.getvalue()


def test_make_run_sets_up_briefly_and_ends_with_how_to_sign_in_and_what_to_try(client, db, codepoint_folder, settings):
    settings.SN_DATA_DIR = str(codepoint_folder)
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    assert [step[0] for step in set_up_steps()] == [
        "migrate",
        "import_geography",
        "build_page_tree",
        "load_demo_content",
        "load_demo_surveys",
        "ensure_admin",
    ]

    first = run_set_up()

    assert f"Imported 3 boroughs, 8 wards and {LONDON_POSTCODES} postcodes" in first
    assert "Page tree ready: 2 borough and 5 ward pages created." in first
    assert "Demo content added to 5 ward pages." in first
    assert "Demo surveys: 2 open, one for each borough" in first
    assert len(first.splitlines()) < 40, first  # a few lines a step: no line a page or a migration
    welcome = first[first.index("Safer Neighbourhoods is ready") :]
    password = re.search(r"^  password  (\S+)", welcome, re.MULTILINE).group(1)
    assert "  username  admin" in welcome
    assert User.objects.get(username="admin").check_password(password)
    addresses = dict(
        re.findall(r"^  (A ward page|A demo survey|The admin)\s+http://127\.0\.0\.1:8000(\S+)$", welcome, re.M)
    )
    assert set(addresses) == {"A ward page", "A demo survey", "The admin"}
    ward_page = client.get(addresses["A ward page"]).content.decode()
    assert f'href="{addresses["A demo survey"]}"' in ward_page  # the ward page links to its borough's survey
    assert "Demo content" in client.get(addresses["A demo survey"]).content.decode()
    assert User.objects.get(username="admin").email  # so a newsletter's "send me a test" has somewhere to go
    client.force_login(User.objects.get(username="admin"))
    account = client.get("/admin/account/")
    saved = client.post("/admin/account/", form_as_shown(account))  # Wagtail requires a first and last name
    assert saved.status_code == 302, "This field is required" in saved.content.decode()
    assert "Site Administrator" in client.get("/admin/").content.decode()  # who did what, in the admin

    again = run_set_up()

    assert "Geography already imported" in again
    assert "Page tree ready: 0 borough and 0 ward pages created." in again
    assert "Demo content added to 0 ward pages." in again
    assert "Demo surveys: 2 open" in again and Survey.objects.count() == 2
    assert "password  " not in again
    assert "as admin (its password was shown when it was made)" in again
    assert "manage.py changepassword admin" in again


class _ShownForm(HTMLParser):
    """A page's form fields with the values a browser would send if nothing were changed."""

    def __init__(self):
        super().__init__()
        self.fields, self.select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kind = attrs.get("type", "text")
        if tag == "input" and attrs.get("name") and kind not in {"file", "submit", "button"}:
            if kind not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.fields):
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def form_as_shown(response) -> dict:
    parser = _ShownForm()
    parser.feed(response.content.decode())
    return parser.fields


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_redraws_one_line_on_a_terminal_and_holds_back_log_lines(caplog):
    caplog.set_level(logging.INFO)
    screen = Terminal()
    with ProgressBar(OutputWrapper(screen), "Demo content") as progress:
        for done in range(0, 679, 100):
            progress("writing", done, 679)
            logging.getLogger("wagtail").info("Published: one of 679")
        progress("writing", 679, 679)
    logging.getLogger("wagtail").info("Published after the bar")

    drawn = screen.getvalue()
    assert drawn.startswith("\rDemo content: [------------------------] 0/679 writing")
    assert "\rDemo content: [########################] 679/679 writing" in drawn
    assert "\n" not in drawn and drawn.endswith("\r\033[K")  # cleared, for the command's summary line
    assert [record.message for record in caplog.records] == ["Published after the bar"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _session_processes(session: int) -> list[str]:
    """The command lines of the live processes in a session (a terminal's, here the shell's)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and os.getsid(int(entry.name)) == session
                and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # not a zombie
            ):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
    return found


@pytest.mark.worker
def test_with_a_broker_celery_beat_and_a_worker_run_beside_the_server_and_stop_with_it(tmp_path):
    if not BROKER:
        pytest.skip("needs a Celery broker (CELERY_BROKER_URL), as CI has")
    port = _free_port()
    script = make_run(port)
    serve = script[script.index("if [") :]  # what make runs once the site is set up
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env |= {"CELERY_BROKER_URL": BROKER, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    shell = subprocess.Popen(
        ["sh", "-c", serve],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            running = _session_processes(shell.pid)
            if any("celery" in p and " beat " in p for p in running) and any(
                "celery" in p and " worker " in p for p in running
            ):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        else:
            pytest.fail(f"the server, worker and beat did not all start: {_session_processes(shell.pid)}")

        os.killpg(shell.pid, signal.SIGINT)  # Ctrl-C in the terminal: the server stops
        shell.wait(timeout=60)

        assert _session_processes(shell.pid) == []  # the worker and beat went with it, not left running
    finally:
        if shell.poll() is None or _session_processes(shell.pid):
            os.killpg(shell.pid, signal.SIGKILL)
