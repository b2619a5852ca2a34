"""Signed ids for emailed links: an id signed with the site's key and a salt of the link's kind, so
only this site can make one and no kind opens as another; with `days`, it stops working after
that many days. Each app keeps its kinds and salts in its own tokens.py."""

import datetime

from django.core import signing


def signed_id(salt: str, pk: int, *, timestamped: bool = False) -> str:
    signer = signing.TimestampSigner(salt=salt) if timestamped else signing.Signer(salt=salt)
    return signer.sign(str(pk))


def signed_id_opened(salt: str, token: str, *, days: int | None = None) -> int | None:
    """The id a token of this salt signs; None for a wrong, altered or (with `days`) old one."""
    try:
        if days is None:
            value = signing.Signer(salt=salt).unsign(token)
        else:
            value = signing.TimestampSigner(salt=salt).unsign(token, max_age=datetime.timedelta(days=days))
    except signing.BadSignature:
        return None
    return whole_number(value)


def whole_number(value: str) -> int | None:
    """An id read from a token, or None if it is not one."""
    try:
        return int(value)
    except ValueError:
        return None
