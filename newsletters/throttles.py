"""How often one client may ask for what the public newsletter pages do."""

from sn_site.api import AnonymousRateLimit


class SignupLimit(AnonymousRateLimit):
    """Sign-ups per client address (SN_NEWSLETTER_SIGNUP_RATE)."""

    scope = "newsletter_signup"
