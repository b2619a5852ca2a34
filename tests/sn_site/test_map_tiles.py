"""The street map's tile server as the settings take it: the Content Security Policy allows images
from exactly its origins and from nowhere else, and a site configured wrongly refuses to start."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sn_site.map_tiles import tile_origins

ROOT = Path(__file__).resolve().parents[2]
# The public pages' policy header as a fresh process builds it from the environment.
PROBE = "import django; django.setup(); from csp.utils import build_policy; print(build_policy())"


def start(**env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "sn_site.settings.dev"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_with_no_tile_server_images_come_from_this_site_only():
    started = start()

    assert started.returncode == 0, started.stderr
    assert directives(started.stdout)["img-src"] == ["'self'", "data:"]


def test_the_policy_allows_images_from_the_tile_server_and_nothing_else_changes():
    plain = start()
    started = start(
        SN_MAP_TILES_URL="https://api.os.uk/maps/raster/v1/zxy/Road_3857/{z}/{x}/{y}.png?key=abc",
        SN_MAP_TILES_ATTRIBUTION="Contains OS data © Crown copyright and database right 2026",
    )

    assert started.returncode == 0, started.stderr
    policy, plain_policy = directives(started.stdout), directives(plain.stdout)
    assert policy.pop("img-src") == ["'self'", "data:", "https://api.os.uk"]
    plain_policy.pop("img-src")
    assert policy == plain_policy


def test_a_tile_server_named_without_its_attribution_stops_the_site_starting():
    started = start(SN_MAP_TILES_URL="https://tiles.example.org/{z}/{x}/{y}.png", SN_MAP_TILES_ATTRIBUTION=" ")

    assert started.returncode != 0
    assert "SN_MAP_TILES_URL is set but SN_MAP_TILES_ATTRIBUTION is empty" in started.stderr


@pytest.mark.parametrize(
    ("url", "origins"),
    [
        ("", []),
        ("https://tiles.example.org/{z}/{x}/{y}.png", ["https://tiles.example.org"]),
        ("https://tiles.example.org:8443/osm/{z}/{x}/{-y}.png", ["https://tiles.example.org:8443"]),
        (
            "https://{s}.tiles.example.org/{z}/{x}/{y}{r}.png",
            ["https://a.tiles.example.org", "https://b.tiles.example.org", "https://c.tiles.example.org"],
        ),
        ("http://127.0.0.1:8071/{z}/{x}/{y}.png", ["http://127.0.0.1:8071"]),  # a tile server on this machine
    ],
)
def test_the_origins_are_the_tile_servers_own(url, origins):
    assert tile_origins(url, "© Example") == origins


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("tiles.example.org/{z}/{x}/{y}.png", "must be a web address"),
        ("ftp://tiles.example.org/{z}/{x}/{y}.png", "must be a web address"),
        ("https://tiles.example.org:port/{z}/{x}/{y}.png", "must be a web address"),
        ("https://tiles.example.org/{x}/{y}.png", "{z}, {x} and {y}"),
        ("https://tiles.example.org/tiles.png", "{z}, {x} and {y}"),
        ("https://user:secret@tiles.example.org/{z}/{x}/{y}.png", "user name or password"),
        ("https://*.example.org/{z}/{x}/{y}.png", "plain name"),
        ("https://tiles.example.org;script-src/{z}/{x}/{y}.png", "plain name"),
        ("https://{z}.example.org/{z}/{x}/{y}.png", "plain name"),
        ("http://tiles.example.org/{z}/{x}/{y}.png", "must use https"),
    ],
)
def test_an_address_leaflet_or_the_policy_could_not_use_is_refused_with_the_reason(url, says):
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        tile_origins(url, "© Example")
