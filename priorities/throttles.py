"""How often one client may propose a natural neighbourhood."""

from sn_site.throttles import AnonymousRateLimit


class ProposalLimit(AnonymousRateLimit):
    """Proposals of natural neighbourhoods per client address (SN_NEIGHBOURHOOD_PROPOSAL_RATE)."""

    scope = "neighbourhood_proposals"
