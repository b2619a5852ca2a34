"""Links and receipts already given keep working: each kind is signed with the salt and carries
the value it always has, whatever the code that makes it looks like."""

import datetime

from django.core import signing

from ward_panels import tokens


def test_each_link_is_made_as_links_already_sent_were_made():
    assert tokens.invitation_token(5, "n0nce.x") == signing.Signer(salt="ward_panels.invitation").sign("5.n0nce.x")
    assert tokens.leave_token(9) == signing.Signer(salt="ward_panels.leave").sign("9")
    week = datetime.timedelta(days=7)
    assert signing.TimestampSigner(salt="ward_panels.join").unsign(tokens.join_token(9), max_age=week) == "9"
    receipt = signing.loads(tokens.receipt_token(3), salt="ward_panels.receipt", max_age=datetime.timedelta(days=1))
    assert set(receipt) == {"survey", "nonce"} and receipt["survey"] == 3


def test_links_already_sent_open_and_no_kind_opens_as_another():
    invitation = signing.Signer(salt="ward_panels.invitation").sign("5.n0nce.x")
    join = signing.TimestampSigner(salt="ward_panels.join").sign("9")
    leave = signing.Signer(salt="ward_panels.leave").sign("9")
    receipt = signing.dumps({"survey": 3, "nonce": "abc"}, salt="ward_panels.receipt")

    assert tokens.invitation_token_opened(invitation) == (5, "n0nce.x")
    assert tokens.join_token_pk(join) == 9 and tokens.leave_token_pk(leave) == 9
    assert tokens.receipt_token_opened(receipt) == {"survey": 3, "nonce": "abc"}
    assert tokens.join_token_pk(leave) is None and tokens.leave_token_pk(join) is None
    assert tokens.leave_token_pk(signing.Signer(salt="ward_panels.invitation").sign("9")) is None
    assert tokens.invitation_token_opened(leave) is None and tokens.receipt_token_opened(leave) is None
