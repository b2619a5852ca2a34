"""The signed links in newsletter emails: for each kind, its salt and the pair of functions that
make its token and open it. Tokens carry plain values (ids, an area's code) and are signed with the
site's key, so only this site can make one. A salt (and what it signs) never changes: links already
sent carry it. Loading the rows a token names is for selectors.py."""

from dataclasses import dataclass

from django.core import signing

from sn_site.signed import signed_id, signed_id_opened, whole_number

CONFIRM_SALT = "newsletters.confirm"
CONFIRM_DAYS = 7  # how long a link to confirm an address works
PREFERENCES_SALT = "newsletters.preferences"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe.subscription"
# Links sent before each named its subscription named the newsletter's area instead.
AREA_UNSUBSCRIBE_SALT = "newsletters.unsubscribe"


def confirm_token(subscriber_id: int) -> str:
    """In the email that asks a new subscriber to confirm their address; it works CONFIRM_DAYS."""
    return signed_id(CONFIRM_SALT, subscriber_id, timestamped=True)


def confirm_token_pk(token: str) -> int | None:
    """The subscriber a confirmation link is for; None for a wrong or old link."""
    return signed_id_opened(CONFIRM_SALT, token, days=CONFIRM_DAYS)


def preferences_token(subscriber_id: int) -> str:
    """In every email: lets its reader change their newsletters. It never expires, like the email."""
    return signed_id(PREFERENCES_SALT, subscriber_id)


def preferences_token_pk(token: str) -> int | None:
    """The subscriber whose preferences a link opens; None for a wrong link."""
    return signed_id_opened(PREFERENCES_SALT, token)


@dataclass(frozen=True)
class UnsubscribeLink:
    """What a one-click unsubscribe link names: its subscriber, and either the subscription it
    stops or (an older link) the code of the newsletter's area (selectors.area_code_of)."""

    subscriber_pk: int
    subscription_pk: int | None = None
    area_code: str | None = None


def unsubscribe_token(*, subscriber_id: int, subscription_id: int | None, area_code: str) -> str:
    """In every copy of a newsletter: one click stops the subscription that put its reader in the
    audience. Without one (it was gone before the copy was written) the link names the
    newsletter's area, as links did before."""
    if subscription_id:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{subscriber_id}:{subscription_id}")
    return signing.Signer(salt=AREA_UNSUBSCRIBE_SALT).sign(f"{subscriber_id}:{area_code}")


def unsubscribe_token_opened(token: str) -> UnsubscribeLink | None:
    """What an unsubscribe link names, of either kind; None for a link this site did not make."""
    try:
        subscriber, subscription = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token).split(":", 1)
    except (signing.BadSignature, ValueError):
        try:
            subscriber, code = signing.Signer(salt=AREA_UNSUBSCRIBE_SALT).unsign(token).split(":", 1)
        except (signing.BadSignature, ValueError):
            return None
        subscriber_pk = whole_number(subscriber)
        return None if subscriber_pk is None else UnsubscribeLink(subscriber_pk, area_code=code)
    subscriber_pk, subscription_pk = whole_number(subscriber), whole_number(subscription)
    if subscriber_pk is None or subscription_pk is None:
        return None
    return UnsubscribeLink(subscriber_pk, subscription_pk=subscription_pk)
