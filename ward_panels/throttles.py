"""How often one client may ask for what the public ward panel pages do."""

from sn_site.api import AnonymousRateLimit


class JoinLimit(AnonymousRateLimit):
    """Requests to join per client address (SN_PANEL_JOIN_RATE)."""

    scope = "panel_join"
