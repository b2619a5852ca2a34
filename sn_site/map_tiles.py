"""The street map's tile server (SN_MAP_TILES_URL and its attribution): checked as the settings load,
so that a site misconfigured refuses to start with a clear message, and turned into the origins the
Content Security Policy allows images from. Knows nothing of Django's settings: base.py calls it."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Leaflet's default for `{s}` in a URL template: tiles come from a., b. and c. in turn.
SUBDOMAINS = ("a", "b", "c")
# A host as a CSP source may hold it: letters, digits, dots and hyphens (and `{s}`, expanded above).
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")
_LOOPBACK = {"127.0.0.1", "localhost"}
_HELP = 'see docs/deploying.md, "Street maps"'


def tile_origins(url: str, attribution: str) -> list[str]:
    """The origins (scheme://host[:port]) the browser fetches tiles from, for the policy's img-src:
    none when no tile server is configured. Raises ImproperlyConfigured, saying what is wrong, for
    an address Leaflet could not use or a tile server named without its attribution."""
    if not url:
        return []
    if not attribution.strip():
        raise ImproperlyConfigured(
            "SN_MAP_TILES_URL is set but SN_MAP_TILES_ATTRIBUTION is empty: every tile provider requires "
            "its credit on the map, such as 'Contains OS data © Crown copyright and database right 2026' "
            f"({_HELP})."
        )
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise ImproperlyConfigured(
            f"SN_MAP_TILES_URL must be a web address such as https://tiles.example.org/{{z}}/{{x}}/{{y}}.png, "
            f"not {url!r} ({_HELP})."
        )
    if not all(f"{{{letter}}}" in url for letter in "zx") or not ("{y}" in url or "{-y}" in url):
        raise ImproperlyConfigured(
            f"SN_MAP_TILES_URL must say where each tile's {{z}}, {{x}} and {{y}} go, as in "
            f"https://tiles.example.org/{{z}}/{{x}}/{{y}}.png: {url!r} does not ({_HELP})."
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            f"SN_MAP_TILES_URL must not hold a user name or password: every visitor's browser reads it ({_HELP})."
        )
    hosts = (
        [parts.hostname.replace("{s}", letter) for letter in SUBDOMAINS]
        if "{s}" in parts.hostname
        else [parts.hostname]
    )
    if not all(_HOST.fullmatch(host) for host in hosts):
        raise ImproperlyConfigured(
            f"SN_MAP_TILES_URL's host must be a plain name such as tiles.example.org, with {{s}} for "
            f"a, b and c at most: {parts.hostname!r} is not ({_HELP})."
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ImproperlyConfigured(
            "SN_MAP_TILES_URL must use https: browsers refuse plain http images on an https page "
            f"(http is only for a tile server on this machine, 127.0.0.1 or localhost) ({_HELP})."
        )
    return [f"{parts.scheme}://{host}{port}" for host in hosts]
