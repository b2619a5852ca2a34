"""Security by default: response headers and the Content Security Policy, cookies, cross-site
request protection and rate limits on every public form, escaping of what people write, and the
production settings passing Django's deployment check."""

import copy
import json
import os
import re
import subprocess
import sys
from unittest import mock

import pytest
from csp import utils as csp_utils
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from home.models import HomePage
from newsletters.emails import issue_render
from newsletters.models import NewsletterPage, Subscriber
from priorities.models import WardPage
from sn_site import security
from sn_site.security import PublicFormLimit

RYE_LANE = "E05011113"
SOUTHWARK = "E09000028"


@pytest.fixture
def rye_lane(sample_london, add_priority):
    page = WardPage.objects.get(ward_id=RYE_LANE)
    add_priority(
        page,
        title="Speeding <script>alert('x')</script> & racing",
        updates=[(3, "Checks <script>alert('x')</script> done")],
    )
    return page


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_public_page_is_served_with_the_security_headers(client, rye_lane):
    for path in ["/", rye_lane.url, "/find-your-team/", "/search/?q=rye", "/api/v1/boroughs/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path  # no inline script, no nonce needed
        assert policy["style-src"] == ["'self'"], path
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], path
        assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"], path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_page_from_the_page_cache_has_the_same_headers(client, rye_lane, settings):
    settings.SN_PAGE_CACHE_SECONDS = 60
    first, second = client.get(rye_lane.url), client.get(rye_lane.url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "nonce" not in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY" and second["X-Content-Type-Options"] == "nosniff"


def test_public_pages_hold_no_inline_script_or_style(client, rye_lane, make_survey):
    """What the strict policy relies on: a page with inline code would break under it."""
    survey = make_survey(audience="open")
    paths = [
        "/",
        rye_lane.url,
        rye_lane.get_parent().url,
        "/boroughs/",
        "/find-your-team/",
        "/find-your-team/?postcode=SE15",
        "/search/?q=speeding",
        f"/surveys/{survey.pk}/",
        f"/ward-panels/{RYE_LANE}/join/",
        "/privacy/",
    ]
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        html = response.content.decode()
        inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
        assert inline_scripts == [], path
        assert re.search(r"<style\b|\sstyle=|\son[a-z]+=", html) is None, path


def test_the_api_docs_run_their_one_inline_script_by_nonce(client):
    response = client.get("/api/v1/docs/")
    policy = _directives(response["Content-Security-Policy"])
    nonce = re.search(r"<script nonce=\"([^\"]+)\">", response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]
    assert client.get("/api/v1/docs/").content.decode().count(nonce) == 0  # a new one each time


def test_the_sites_own_policies_are_built_once_and_a_changed_policy_is_built_afresh(client, rye_lane, settings):
    """Every response carries the policy; building its header from the settings cost a fifth of
    the cheapest request, so each of the site's own policies is built once."""
    security._own_policy_header.cache_clear()  # as a new process starts
    with mock.patch("sn_site.security.build_policy", side_effect=csp_utils.build_policy) as built:
        for _ in range(3):
            public = client.get("/southwark/rye-lane/")
            admin = client.get("/admin/login/")
    assert built.call_count == 2  # the public policy and the admin's, each on its first use
    assert _directives(public["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert _directives(admin["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]

    changed = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    changed["DIRECTIVES"]["img-src"] = [*changed["DIRECTIVES"]["img-src"], "https://tiles.example.org"]
    settings.CONTENT_SECURITY_POLICY = changed
    assert "https://tiles.example.org" in client.get("/southwark/rye-lane/")["Content-Security-Policy"]


def test_the_admin_has_its_own_policy(client, db):
    policy = _directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]  # the editor's live preview frames the site
    assert policy["object-src"] == ["'none'"] and policy["form-action"] == ["'self'"]


def test_the_editors_live_preview_can_be_shown_in_the_admin(client, sample_london):
    """The preview panel frames the page as it would be served; a page's own policy (no framing at
    all) left it blank."""
    client.force_login(get_user_model().objects.create_superuser("editor", password="a-long-test-password"))
    home = HomePage.objects.get()
    form = nested_form_data(
        {
            "title": home.title,
            "slug": home.slug,
            "introduction": rich_text("Words not yet published."),
            "comments": inline_formset([]),
        }
    )
    preview_url = f"/admin/pages/{home.pk}/edit/preview/"
    assert client.post(preview_url, form).json()["is_valid"]
    preview = client.get(preview_url)
    assert preview.status_code == 200 and "Words not yet published." in preview.content.decode()
    assert _directives(preview["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert _directives(preview["Content-Security-Policy"])["script-src"] == ["'self'"]  # otherwise the site's own
    assert _directives(Client().get("/")["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_cookies_are_http_only_and_same_site(client, rye_lane, officers, make_survey):
    survey_page = client.get(f"/surveys/{make_survey(audience='open').pk}/")
    csrf = survey_page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"

    remembered = client.post("/my-area/", {"ward": RYE_LANE})
    area = remembered.cookies["sn_my_area"]
    assert area["httponly"] and area["samesite"] == "Lax"

    signed_in = Client().post(
        "/admin/login/", {"username": "pc.southwark", "password": "a-long-test-password"}, REMOTE_ADDR="10.1.1.1"
    )
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_production_settings_pass_the_deployment_check_and_send_hsts_and_secure_cookies():
    script = (
        "import json, django; django.setup()\n"
        "from io import StringIO\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "from django.test import Client\n"
        "out = StringIO(); call_command('check', deploy=True, fail_level='DEBUG', stdout=out, stderr=out)\n"
        "response = Client().get('/healthz', secure=True)\n"
        "plain = Client().get('/readyz')\n"
        "print(json.dumps({'check': out.getvalue(), 'hsts': response.get('Strict-Transport-Security'),"
        " 'plain': plain.status_code, 'insecure_redirect': Client().get('/search/').status_code,"
        " 'cookies': [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],"
        " 'two_factor': settings.SN_TWO_FACTOR_REQUIRED_FOR_ADMINS}))\n"
    )
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # browser tests
        "DJANGO_SETTINGS_MODULE": "sn_site.settings.production",
        "SECRET_KEY": "a-production-like-key-" + "x7Qp2" * 10,
        "CACHE_URL": "locmemcache://",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert "System check identified no issues" in found["check"]
    assert found["hsts"] == "max-age=63072000; includeSubDomains; preload"
    assert found["insecure_redirect"] == 301  # plain HTTP goes to HTTPS ...
    assert found["plain"] in (200, 503)  # ... except the load balancer's health checks
    assert found["cookies"] == [True, True] and found["two_factor"] is True


# Cross-site requests and rate limits ------------------------------------------------------------


def test_the_cookie_free_subscribe_form_refuses_cross_site_posts(client, rye_lane):
    form = {"email": "ann@example.org", "ward": RYE_LANE}
    forged = [
        client.post("/newsletters/subscribe/", form, HTTP_SEC_FETCH_SITE="cross-site"),
        client.post("/newsletters/subscribe/", form, HTTP_SEC_FETCH_SITE="same-site"),
        client.post("/newsletters/subscribe/", form, HTTP_ORIGIN="https://evil.example"),
        client.post("/newsletters/subscribe/", form, HTTP_ORIGIN="null"),
    ]
    assert [answer.status_code for answer in forged] == [403, 403, 403, 403]
    assert "forms can only be sent from this website" in forged[0].content.decode()
    assert not Subscriber.objects.exists() and mail.outbox == []

    from_the_page = client.post("/newsletters/subscribe/", form, HTTP_SEC_FETCH_SITE="same-origin")
    from_an_old_browser = client.post(
        "/newsletters/subscribe/", {**form, "email": "bo@example.org"}, HTTP_ORIGIN="http://testserver"
    )
    assert from_the_page.status_code == from_an_old_browser.status_code == 200
    assert Subscriber.objects.count() == 2


def test_every_other_public_form_needs_its_csrf_token(rye_lane, make_survey):
    strict = Client(enforce_csrf_checks=True)
    survey = make_survey(audience="open")
    for path, form in [
        (f"/surveys/{survey.pk}/", {"email": "ann@example.org"}),
        (f"/ward-panels/{RYE_LANE}/join/", {"name": "Ann", "email": "ann@example.org", "consent": "on"}),
        ("/my-area/", {"ward": RYE_LANE}),
    ]:
        answer = strict.post(path, form)
        assert answer.status_code == 403, path
        assert "forms can only be sent from this website" in answer.content.decode()
    assert survey.responses.count() == 0


def test_every_public_form_shares_one_limit_per_address(client, rye_lane, monkeypatch):
    monkeypatch.setattr(PublicFormLimit, "rate", "3/hour", raising=False)
    posts = [
        ("/my-area/", {"ward": RYE_LANE}),
        ("/newsletters/subscribe/", {"email": "ann@example.org", "ward": RYE_LANE}),
        (f"/ward-panels/{RYE_LANE}/join/", {"name": "Ann", "email": "ann@example.org"}),
        ("/newsletters/subscribe/", {"email": "bo@example.org", "ward": RYE_LANE}),
    ]
    statuses = [client.post(path, form, REMOTE_ADDR="10.7.7.7").status_code for path, form in posts]
    assert 429 not in statuses[:3] and statuses[3] == 429
    assert not Subscriber.objects.filter(email="bo@example.org").exists()
    assert client.post("/my-area/", {"ward": RYE_LANE}, REMOTE_ADDR="10.8.8.8").status_code == 302  # others unaffected


def test_the_email_services_delivery_events_are_not_a_public_form_but_a_form_still_is(
    client, rye_lane, monkeypatch, settings
):
    monkeypatch.setattr(PublicFormLimit, "rate", "2/hour", raising=False)
    settings.SN_NEWSLETTER_WEBHOOK_SECRET = "shh"
    events = [{"event_type": "delivered", "recipient": "ann@example.org"}]
    webhook = [
        client.post(
            "/newsletters/delivery-events/",
            events,
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer shh",
            REMOTE_ADDR="10.4.4.4",
        ).status_code
        for _ in range(4)
    ]
    assert webhook == [200, 200, 200, 200]  # many at once, from the email service's one address
    forms = [client.post("/my-area/", {"ward": RYE_LANE}, REMOTE_ADDR="10.4.4.4").status_code for _ in range(3)]
    assert forms == [302, 302, 429]  # the webhook's posts took none of the address's form posts
    assert client.post("/newsletters/subscribe/", {"ward": RYE_LANE}, REMOTE_ADDR="10.4.4.4").status_code == 429


# What people write is shown as text --------------------------------------------------------------


def test_text_people_wrote_is_escaped_on_pages_feeds_and_emails(client, rye_lane):
    markup = "<script>alert('x')</script>"
    page = client.get(rye_lane.url).content.decode()
    assert markup not in page and "Speeding &lt;script&gt;" in page

    feed = client.get(f"{rye_lane.url}updates/").content.decode()
    summary = re.search(r'<summary type="html">(.*?)</summary>', feed).group(1)
    assert (
        markup not in feed
        and summary == "Checks &amp;lt;script&amp;gt;alert(&amp;#x27;x&amp;#x27;)&amp;lt;/script&amp;gt; done"
    )

    newsletter = NewsletterPage(title="Issue <b>1</b>", summary="Speeding.")
    rye_lane.add_child(instance=newsletter)
    newsletter.save_revision().publish()
    issue = issue_render(newsletter)
    assert markup not in issue.html and "&lt;script&gt;" in issue.html
    assert "Speeding <script>" in issue.text  # the plain-text part is text: nothing there runs

    api = client.get(f"/api/police-uk/metropolitan/{RYE_LANE}/priorities").json()
    assert markup not in json.dumps(api) and "&lt;script&gt;" in api[0]["issue"]


def test_free_text_in_the_results_csv_is_never_a_spreadsheet_formula(
    client, sample_london, officers, good_answers, make_survey
):
    survey = make_survey(audience="open")
    text_question = str(survey.questions.get(kind="text").pk)

    for n, text in enumerate(['=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "-2+3", "fine"]):
        client.post(
            f"/api/v1/surveys/{survey.pk}/responses/",
            {"email": f"f{n}@example.org", "answers": {**good_answers(survey), text_question: text[:50]}},
            content_type="application/json",
            REMOTE_ADDR=f"10.0.2.{n}",
        )
    client.force_login(officers[0])
    rows = client.get(f"/api/v1/surveys/{survey.pk}/results.csv").content.decode().splitlines()
    texts = [row.split(",", 1)[1] for row in rows if row.startswith("Anything else?")]
    assert "'@SUM(A1),," in texts and "'-2+3,," in texts and "fine,," in texts
    assert any(text.startswith("\"'=HYPERLINK(") for text in texts)
    assert not any(text.startswith(("=", "@", "-", '"=')) for text in texts)


def test_a_client_cannot_escape_the_limits_by_making_up_forwarded_addresses(client, rye_lane, monkeypatch, settings):
    monkeypatch.setattr(PublicFormLimit, "rate", "2/hour", raising=False)
    spoofed = [
        client.post("/my-area/", {"ward": RYE_LANE}, REMOTE_ADDR="10.5.5.5", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
        for n in range(3)
    ]
    assert [answer.status_code for answer in spoofed] == [302, 302, 429]  # no proxy in front: the address counts

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # behind one load balancer
    behind = [
        client.post("/my-area/", {"ward": RYE_LANE}, REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=forwarded)
        for forwarded in ("9.9.9.9, 203.0.113.7", "8.8.8.8, 203.0.113.7", "203.0.113.7", "203.0.113.8")
    ]
    # What the client wrote before the balancer's own entry changes nothing; another client is apart.
    assert [answer.status_code for answer in behind] == [302, 302, 429, 302]


def test_password_reset_emails_are_limited_too_but_editors_are_not(client, officers, monkeypatch):
    monkeypatch.setattr(PublicFormLimit, "rate", "2/hour", raising=False)
    asks = [
        client.post("/admin/password_reset/", {"email": "pc@example.org"}, REMOTE_ADDR="10.6.6.6").status_code
        for _ in range(3)
    ]
    assert asks[-1] == 429 and 429 not in asks[:2]

    client.force_login(officers[0])
    page = WardPage.objects.get(ward_id=RYE_LANE)
    saves = [client.post(f"/admin/pages/{page.pk}/lock/", REMOTE_ADDR="10.6.6.6").status_code for _ in range(3)]
    assert 429 not in saves


def test_the_api_takes_writes_as_json_only_so_no_other_site_can_answer_surveys_through_its_visitors(
    client, sample_london, make_survey, good_answers
):
    """A web page may make its visitors' browsers post text/plain, a form or multipart to any site
    without asking that site first (no CORS preflight): none of those may count as an answer."""
    from urllib.parse import urlencode

    from ward_panels.models import Response, Survey

    survey = make_survey(audience=Survey.Audience.OPEN)
    body = {"email": "ann@example.org", "answers": good_answers(survey)}
    as_form = {"email": "ann@example.org", "answers": json.dumps(good_answers(survey))}
    answer = f"/api/v1/surveys/{survey.pk}/responses/"
    equality = f"/api/v1/surveys/{survey.pk}/equality/"

    def refused(address, data):
        return [
            client.post(address, json.dumps(data), content_type="text/plain"),
            client.post(address, json.dumps(data), content_type="text/plain; charset=utf-8"),
            client.post(address, urlencode(as_form), content_type="application/x-www-form-urlencoded"),
            client.post(address, as_form),  # multipart/form-data
        ]

    for response in refused(answer, body):
        assert response.status_code == 415, response.content
        assert response.json()["code"] == "unsupported_media_type"
        assert "Content-Type: application/json" in response.json()["message"]
    assert not Response.objects.exists()

    accepted = client.post(answer, body, content_type="application/json")
    assert accepted.status_code == 201 and Response.objects.count() == 1
    given = {"receipt": accepted.json()["receipt"], "answers": {"disability": "prefer_not"}}
    for response in refused(equality, given):
        assert response.status_code == 415, response.content
    assert 200 <= client.post(equality, given, content_type="application/json; charset=utf-8").status_code < 300


def test_a_survey_title_with_line_breaks_is_a_one_line_invitation_subject(sample_london, make_survey):
    """A line break in a header stops Django building the message (BadHeaderError): no invitation."""
    from django.utils import timezone

    from ward_panels.models import PanelMember, WardPanel
    from ward_panels.services import invitations_send

    survey = make_survey(title="Speeding\r\nBcc: victim@example.org")
    panel = WardPanel.objects.create(ward_id=RYE_LANE, chair="Ada Obi")
    now = timezone.now()
    PanelMember.objects.create(panel=panel, name="Ann", email="ann@example.org", confirmed_at=now, consent_given_at=now)

    invitations_send(survey=survey)

    assert [m.subject for m in mail.outbox] == ["Speeding Bcc: victim@example.org"]
    assert mail.outbox[0].message()["Bcc"] is None and mail.outbox[0].to == ["ann@example.org"]


HOSTILE_ADDRESSES = [
    "/search/?q=%00",
    "/search/?q=rye&page=%00",
    "/api/v1/wards/%00/",
    "/api/v1/wards/%00/priorities/",
    "/api/v1/priorities/?ward=%00",
    "/api/v1/lookup/?q=%00",
    "/api/police-uk/%00/neighbourhoods",
    "/ward-panels/%00/join/",
    "/ward-panels/join/%00/",
    "/newsletters/confirm/%00/",
    "/newsletters/preferences/%00/",
    "/my-area/?ward=%00",
    "/find-your-team/?postcode=%00",
    "/surveys/1/?token=%00",
    "/rye-lane%00/",
]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_nul_anywhere_in_the_address_is_a_400_that_says_so(client, rye_lane, address):
    response = client.get(address)

    assert response.status_code == 400
    if address.startswith("/api/"):
        assert response.json()["code"] == "bad_request" and "%00" in response.json()["message"]
    else:
        page = response.content.decode()
        assert "Sorry, we could not read that request" in page and "%00" in page
        assert response["Content-Security-Policy"]  # the site's own headers, as on every page


def test_nul_or_half_a_surrogate_pair_in_what_is_sent_is_a_400_that_says_so(
    client, rye_lane, make_survey, good_answers
):
    from ward_panels.models import Response, Survey

    survey = make_survey(audience=Survey.Audience.OPEN)
    answers = good_answers(survey)
    free_text = max(answers, key=int)  # the fifth question: free text
    address = f"/api/v1/surveys/{survey.pk}/responses/"
    lone_surrogate = json.dumps({"email": "ann@example.org", "answers": {**answers, free_text: "\ud800"}})
    nul = json.dumps({"email": "ann@example.org", "answers": {**answers, free_text: "a\x00b"}})
    nul_name = json.dumps({"email": "ann@example.org", "answers": {**answers, "\x00": "x"}})
    deep = '{"email": "ann@example.org", "answers": ' + "[" * 100_000 + "]" * 100_000 + "}"
    deep_but_readable = '{"email": "ann@example.org", "answers": {"1": ' + "[" * 50 + "]" * 50 + "}}"

    for body in (lone_surrogate, nul, nul_name, deep, deep_but_readable):
        response = client.post(address, body, content_type="application/json")
        assert response.status_code == 400, body[:80]
        assert response.json()["code"] == "bad_request" and response.json()["message"]
    assert "nested too deeply" in client.post(address, deep, content_type="application/json").json()["message"]
    assert not Response.objects.exists()

    for form, path in [
        ({"email": "ann@example.org\x00", "ward": RYE_LANE}, "/newsletters/subscribe/"),
        ({"name": "Ann\x00", "email": "ann@example.org", "consent": "on"}, f"/ward-panels/{RYE_LANE}/join/"),
        ({"email": "ann@example.org", "token": "\x00"}, f"/surveys/{survey.pk}/"),
        ({"ward": "\x00"}, "/my-area/"),
    ]:
        response = client.post(path, form)
        assert response.status_code == 400, path
        assert "cannot be in text" in response.content.decode(), path
