"""'Remember my area': a first-party cookie, set only when a visitor asks, naming the ward whose
team the home page should lead with. Nothing else is stored or tracked."""

COOKIE = "sn_my_area"
SALT = "priorities.my-area"
MAX_AGE = 365 * 24 * 60 * 60


def my_area_code(request) -> str | None:
    """The remembered ward's ONS code, or None (also for a cookie that was tampered with)."""
    return request.get_signed_cookie(COOKIE, default=None, salt=SALT)
