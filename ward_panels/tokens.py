"""The signed links and receipts of ward panels: for each kind, its salt and the pair of functions
that make its token and open it. Tokens carry plain values (ids, a nonce) and are signed with the
site's key, so only this site can make one. A salt (and what it signs) never changes: links and
receipts already given carry it. Loading the rows a token names is for selectors.py."""

import datetime
import secrets

from django.core import signing

from sn_site.signed import signed_id, signed_id_opened, whole_number

INVITATION_SALT = "ward_panels.invitation"
JOIN_SALT = "ward_panels.join"
JOIN_LINK_DAYS = 7  # how long a link to confirm joining a panel works
LEAVE_SALT = "ward_panels.leave"
RECEIPT_SALT = "ward_panels.receipt"
RECEIPT_DAYS = 1  # how long after answering the equality questions can be answered
# Not a signature's: what the key that seals equality answers in the pool is made with, from the
# site's secret key (services._equality_key).
EQUALITY_SALT = "ward_panels.equality"


def invitation_token(invitation_id: int, nonce: str) -> str:
    """The secret in a member's link to a survey: the invitation and its nonce (Invitation.nonce)."""
    return signing.Signer(salt=INVITATION_SALT).sign(f"{invitation_id}.{nonce}")


def invitation_token_opened(token: str) -> tuple[int, str] | None:
    """The invitation a survey link names, and the nonce it must have; None for a wrong link."""
    try:
        pk, nonce = signing.Signer(salt=INVITATION_SALT).unsign(token).split(".", 1)
    except (signing.BadSignature, ValueError):
        return None
    pk = whole_number(pk)
    return None if pk is None else (pk, nonce)


def join_token(member_id: int) -> str:
    """In the email that asks someone to confirm joining a panel; it works JOIN_LINK_DAYS."""
    return signed_id(JOIN_SALT, member_id, timestamped=True)


def join_token_pk(token: str) -> int | None:
    """The member a link to confirm joining is for; None if it is wrong or too old."""
    return signed_id_opened(JOIN_SALT, token, days=JOIN_LINK_DAYS)


def leave_token(member_id: int) -> str:
    """In every survey email: lets its member leave the panel. It never expires, like the email."""
    return signed_id(LEAVE_SALT, member_id)


def leave_token_pk(token: str) -> int | None:
    """The member a link to leave is for; None for a wrong link."""
    return signed_id_opened(LEAVE_SALT, token)


def receipt_token(survey_id: int) -> str:
    """What lets the person who answered (and only them) add the optional equality answers: the
    survey and a random nonce, signed. It names no response, and the nonce is kept nowhere, so the
    equality answers it brings cannot be tied back to the answers it followed."""
    return signing.dumps({"survey": survey_id, "nonce": secrets.token_urlsafe(16)}, salt=RECEIPT_SALT)


def receipt_token_opened(receipt: str) -> dict | None:
    """A receipt's survey and nonce ({"survey": id, "nonce": "…"}); None for one this site did not
    make in the last RECEIPT_DAYS."""
    try:
        opened = signing.loads(receipt, salt=RECEIPT_SALT, max_age=datetime.timedelta(days=RECEIPT_DAYS))
    except (signing.BadSignature, TypeError):
        return None
    return opened if isinstance(opened, dict) and isinstance(opened.get("nonce"), str) else None
