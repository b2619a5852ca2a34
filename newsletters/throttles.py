"""How often one client may ask for what the newsletter pages do (and one editor for test copies)."""

from sn_site.throttles import AnonymousRateLimit


class SignupLimit(AnonymousRateLimit):
    """Sign-ups per client address (SN_NEWSLETTER_SIGNUP_RATE)."""

    scope = "newsletter_signup"


class SelfTestLimit(AnonymousRateLimit):
    """Test copies one editor may send themselves (SN_NEWSLETTER_TEST_RATE), counted per user."""

    scope = "newsletter_test"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
