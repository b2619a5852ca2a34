"""What a new site says once it is set up (`make run`, ensure_admin): how to sign in, and addresses
worth a first look. The apps that know those addresses (a ward page, a demo survey) answer the
`addresses_to_try` signal, since this app may not import them."""

from django.dispatch import Signal

# Receivers return (what it is, its path) or None: ("A ward page", "/westminster/st-jamess/").
addresses_to_try = Signal()


def addresses() -> list[tuple[str, str]]:
    """Every app's address to try, in the order the apps are installed."""
    return [answer for _, answer in addresses_to_try.send(sender=None) if answer]
