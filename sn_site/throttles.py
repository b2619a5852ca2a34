"""The site's one rate limit mechanism: every form's and API's limit is an AnonymousRateLimit with
a scope (each app's throttles.py), counting clients by client_address.

Apart from sn_site.api because DRF's APIView reads DEFAULT_THROTTLE_CLASSES when it is defined:
a module holding the limit must not import DRF's views, or importing it first is a cycle."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import AnonRateThrottle

from .cache import tally


def client_address(request: HttpRequest) -> str:
    """The client's own address: the connecting address, or with SN_NUM_PROXIES proxies in front,
    the address the outermost of them saw (counting from the right of X-Forwarded-For, so a client
    cannot choose it). Every rate limit and the sign-in lock-out count clients by this."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


class AnonymousRateLimit(AnonRateThrottle):
    """At most SN_API_ANON_RATE requests per anonymous client (by address) in each fixed window of
    the rate's period, counted with one atomic increment in the shared cache.

    DRF's own AnonRateThrottle keeps a list of every request's time in the window and rewrites it
    on each request, which cost more than the cached lookup itself (bench/lookup_throughput.py).
    A fixed window lets a client make up to twice the rate across a window's edge; that is the
    price of the single increment."""

    def get_ident(self, request):
        # Django's own request: reading META through DRF's request proxy costs as much as the count.
        # Not DRF's own rule: with no proxies configured it counts by the whole X-Forwarded-For
        # header, which a client can change on every request to escape every limit.
        return client_address(getattr(request, "_request", request))

    def allow_request(self, request, view):
        key = self.get_cache_key(request, view)
        if key is None:  # signed in
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{key}:{window}"
        count = tally(key, self.duration + 1)
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self):
        return self.wait_seconds
