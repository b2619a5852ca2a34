"""Links already in people's mailboxes keep working: each kind of newsletter link is signed with
the salt and carries the value it always has, whatever the code that makes it looks like."""

import datetime

from django.core import signing

from newsletters import tokens


def test_each_link_is_made_as_links_already_sent_were_made():
    assert tokens.preferences_token(7) == signing.Signer(salt="newsletters.preferences").sign("7")
    by_subscription = tokens.unsubscribe_token(subscriber_id=7, subscription_id=12, area_code="E05011113")
    assert by_subscription == signing.Signer(salt="newsletters.unsubscribe.subscription").sign("7:12")
    by_area = tokens.unsubscribe_token(subscriber_id=7, subscription_id=None, area_code="E05011113")
    assert by_area == signing.Signer(salt="newsletters.unsubscribe").sign("7:E05011113")
    week = datetime.timedelta(days=7)
    assert signing.TimestampSigner(salt="newsletters.confirm").unsign(tokens.confirm_token(7), max_age=week) == "7"


def test_links_already_sent_open_and_no_kind_opens_as_another():
    confirm = signing.TimestampSigner(salt="newsletters.confirm").sign("7")
    preferences = signing.Signer(salt="newsletters.preferences").sign("7")
    by_subscription = signing.Signer(salt="newsletters.unsubscribe.subscription").sign("7:12")
    by_area = signing.Signer(salt="newsletters.unsubscribe").sign("7:E05011113")

    assert tokens.confirm_token_pk(confirm) == 7 and tokens.preferences_token_pk(preferences) == 7
    assert tokens.unsubscribe_token_opened(by_subscription) == tokens.UnsubscribeLink(7, subscription_pk=12)
    assert tokens.unsubscribe_token_opened(by_area) == tokens.UnsubscribeLink(7, area_code="E05011113")
    assert tokens.confirm_token_pk(preferences) is None and tokens.preferences_token_pk(confirm) is None
    assert tokens.unsubscribe_token_opened(preferences) is None and tokens.preferences_token_pk(by_area) is None
    assert tokens.preferences_token_pk(preferences[:-1]) is None  # a link cut short
