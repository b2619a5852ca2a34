"""Links to this site from outside it (emails, feeds, what a command prints): each made from
WAGTAILADMIN_BASE_URL, the site's public address, here and nowhere else."""

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path: str = "") -> str:
    """The whole address of `path` (from reverse(), or a page's url) on the public site:
    site_url("/admin/") is "https://sn.example.org/admin/"; site_url() the site's own address,
    without its last slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def site_address() -> tuple[str, int]:
    """The public site's hostname and port: ("sn.example.org", 443). Wagtail's Site is set to it."""
    address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return address.hostname or "localhost", address.port or (443 if address.scheme == "https" else 80)


def site_hostname() -> str:
    """The public site's hostname, "sn.example.org": the domain of the Message-IDs of its emails
    and of its feeds' entry ids."""
    return site_address()[0]
