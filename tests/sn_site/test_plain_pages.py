"""The pages every app shows in its own words (too many tries, this link does not work, confirm):
one page each, with the app's wording, and the one-click pages still set no cookie."""

import re

from django.utils import timezone

from newsletters.models import Subscriber, Subscription
from newsletters.throttles import SignupLimit
from newsletters.tokens import confirm_token
from sn_site.security import PublicFormLimit
from sn_site.views import when_to_try_again
from ward_panels.models import PanelMember, WardPanel
from ward_panels.throttles import JoinLimit
from ward_panels.tokens import join_token, leave_token

RYE_LANE = "E05011113"


def main_text(response) -> str:
    """The words inside <main>, tags removed and spaces squeezed."""
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group()
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_too_many_tries_is_one_page_in_each_forms_words(client, sample_london, monkeypatch):
    monkeypatch.setattr(SignupLimit, "rate", "1/hour", raising=False)
    monkeypatch.setattr(JoinLimit, "rate", "1/hour", raising=False)
    signups = [client.post("/newsletters/subscribe/", {"email": "ann@example.org", "ward": RYE_LANE}) for _ in "12"]
    joins = [client.post(f"/ward-panels/{RYE_LANE}/join/", {"name": "Ann"}) for _ in "12"]
    monkeypatch.setattr(PublicFormLimit, "rate", "1/hour", raising=False)
    anything = [client.post("/my-area/", {"ward": RYE_LANE}, REMOTE_ADDR="10.9.9.9") for _ in "12"]
    pages = {"sign-up": signups[-1], "join": joins[-1], "any form": anything[-1]}
    assert {page.status_code for page in pages.values()} == {429}
    said = {name: main_text(page) for name, page in pages.items()}
    assert re.search(r"Too many tries from your connection Please try again in \d+ minutes?\.$", said["sign-up"])
    assert re.search(
        r"Too many tries from your connection "
        r"Please try again in \d+ minutes?, or contact your Safer Neighbourhoods Team\.$",
        said["join"],
    )
    assert re.search(
        r"Too many tries from your connection "
        r"Please try again in \d+ minutes?\. Nothing you sent just now was saved\.$",
        said["any form"],
    )
    # Each says when in the limit's window the address may try again, and the page agrees.
    for name, page in pages.items():
        seconds = int(page["Retry-After"])
        assert 0 < seconds <= 3600, name
        assert f"try again in {-(-seconds // 60)} minute" in said[name], name


def test_a_link_that_does_not_work_says_what_to_do_in_each_apps_words(client, sample_london):
    said = {
        "/newsletters/confirm/x/": (400, "Newsletters", "Subscribe again from your ward team's page"),
        "/newsletters/preferences/x/": (404, "Newsletters", "Subscribe again from your ward team's page"),
        "/newsletters/unsubscribe/x/": (400, "Newsletters", "Subscribe again from your ward team's page"),
        "/ward-panels/join/x/": (400, "Join a ward panel", "Ask to join again from your ward team's page."),
        "/ward-panels/leave/x/": (400, "Leave the ward panel", "Check that you used the whole link"),
    }
    for path, (status, breadcrumb, advice) in said.items():
        page = client.get(path)
        text = main_text(page).replace("&#x27;", "'")
        assert page.status_code == status, path
        assert f"Home {breadcrumb} This link does not work" in text and advice in text, path


def test_each_confirm_page_asks_in_its_own_words_and_only_one_click_pages_set_no_cookie(client, sample_london):
    subscriber = Subscriber.objects.create(email="ann@example.org")
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    joining = PanelMember.objects.create(panel=panel, name="Ann", email="ann@example.org")
    member = PanelMember.objects.create(
        panel=panel, name="Bo", email="bo@example.org", confirmed_at=timezone.now(), consent_given_at=timezone.now()
    )
    pages = {
        "confirm": f"/newsletters/confirm/{confirm_token(subscriber.pk)}/",
        "join": f"/ward-panels/join/{join_token(joining.pk)}/",
        "leave": f"/ward-panels/leave/{leave_token(member.pk)}/",
    }
    confirm, join, leave = (client.get(path) for path in pages.values())
    assert "Confirm your subscription Yes, send me the newsletter" in main_text(confirm)
    assert "Confirm you want to join the Rye Lane ward panel By joining, you agree to this:" in main_text(join)
    assert "Leave the Rye Lane ward panel? You will get no more invitations" in main_text(leave)
    assert main_text(leave).endswith("Leave the Rye Lane ward panel")  # the button
    for page in (confirm, join):  # a form with a CSRF token, and its cookie
        assert 'name="csrfmiddlewaretoken"' in page.content.decode() and page.cookies
    # Leaving takes a post without a token (one click from the email's header): its page sets nothing.
    assert "csrfmiddlewaretoken" not in leave.content.decode() and not leave.cookies
    assert Subscription.objects.count() == 0 and PanelMember.objects.get(pk=member.pk).left_on is None


def test_when_to_try_again_is_said_in_whole_minutes_rounded_up_or_hours_for_a_day_long_limit():
    assert when_to_try_again(1) == "try again in 1 minute"
    assert when_to_try_again(60.5) == "try again in 2 minutes"
    assert when_to_try_again(7200) == "try again in 120 minutes"
    assert when_to_try_again(7201) == "try again in 3 hours"
    assert when_to_try_again(None) == "wait a while and try again"
