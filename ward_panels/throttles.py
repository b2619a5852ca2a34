"""How often one client may ask for what the public ward panel pages and the survey API do."""

import contextlib

from rest_framework.exceptions import Throttled

from sn_site.throttles import AnonymousRateLimit


class JoinLimit(AnonymousRateLimit):
    """Requests to join per client address (SN_PANEL_JOIN_RATE)."""

    scope = "panel_join"


class SurveyAnswerLimit(AnonymousRateLimit):
    """Accepted answers to open surveys per client address (SN_SURVEY_ANSWER_RATE), on top of every
    API request's limit: with one response per email address or browser, it keeps an open survey
    from being stuffed. Panel surveys have none: each invitation's one-use token is their limit, so
    a whole panel can answer from one community centre's Wi-Fi. An answer refused for its mistakes
    gives its place back (give_back), so correcting a form costs nothing."""

    scope = "survey_answers"

    def take(self, request) -> bool:
        """Count one answer against the address; False (and wait() says how long) if it is over."""
        if self.allow_request(request, None):
            return True
        self.give_back(request)
        return False

    def give_back(self, request) -> None:
        key = self.get_cache_key(request, None)
        if key is not None:
            # ValueError: the window has just turned, and nothing of this answer is counted in it.
            with contextlib.suppress(ValueError):
                self.cache.decr(f"{key}:{int(self.timer() // self.duration)}")

    def refusal(self) -> Throttled:
        return Throttled(wait=self.wait())
