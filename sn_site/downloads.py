"""Fetching the open data the site imports (Code-Point Open, the MPS crime table, the Public
Attitude Survey) from the publishers' addresses: HTTPS only, except from this machine itself (a
local mirror, or a test's server), never following a redirect from HTTPS to plain HTTP, and never
more than a file of that kind could be."""

import urllib.parse
import urllib.request
from pathlib import Path


class DownloadError(OSError):
    """A download refused or cut short: the message says why."""


class _NoDowngrade(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if req.full_url.startswith("https://") and not newurl.startswith("https://"):
            raise DownloadError(f"Refusing a redirect from HTTPS to {newurl}.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, target: Path, *, max_bytes: int, timeout: int = 60) -> Path:
    """Fetch url into the file target and return its path."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}):
        raise DownloadError(f"Downloads must use HTTPS: {url}")
    opener = urllib.request.build_opener(_NoDowngrade)
    request = urllib.request.Request(url, headers={"User-Agent": "safer-neighbourhoods-import"})  # noqa: S310
    with opener.open(request, timeout=timeout) as response, target.open("wb") as out:
        received = 0
        while chunk := response.read(1 << 20):
            received += len(chunk)
            if received > max_bytes:
                raise DownloadError(f"The download from {url} is larger than {max_bytes} bytes.")
            out.write(chunk)
    return target
