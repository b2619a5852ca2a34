"""Rate limits for public HTML forms, counted like the API's (sn_site.api.AnonymousRateLimit): a
fixed window per client address, one atomic increment in the shared cache."""

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The client's address: the connecting one, or from X-Forwarded-For behind SN_NUM_PROXIES proxies."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def within_limit(request, scope: str, limit: int, seconds: int) -> bool:
    """Count this request against `limit` per `seconds` for its client; False once over."""
    window = int(time.time() // seconds)
    key = f"form-limit:{scope}:{client_address(request)}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1 if cache.add(key, 1, timeout=seconds + 1) else cache.incr(key)
    return count <= limit
