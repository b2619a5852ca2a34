"""Virtual ward panels: answering a survey on the web and through the API, invitations and
reminders, equality answers kept apart, results for officers only, retention and erasure."""

import datetime
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from geography.models import Ward
from sn_site.throttles import AnonymousRateLimit
from ward_panels.api import SubmissionSerializer
from ward_panels.models import (
    Answer,
    EqualityMonitoring,
    Invitation,
    PanelMember,
    Response,
    Survey,
    WardPanel,
)
from ward_panels.services import (
    invitations_send,
    personal_data_purge,
    reminders_send,
    survey_summary_publish,
)
from ward_panels.throttles import SurveyAnswerLimit
from ward_panels.tokens import invitation_token

RYE_LANE = "E05011113"
NOW = timezone.now()


@pytest.fixture
def panel(sample_london) -> WardPanel:
    panel = WardPanel.objects.create(ward_id=RYE_LANE, chair="Ada Obi")
    for n, (left, consent) in enumerate([(None, True), (None, True), (None, False), (NOW.date(), True)]):
        PanelMember.objects.create(
            panel=panel,
            name=f"Member {n}",
            email=f"member{n}@example.org",
            joined_on=NOW.date() - datetime.timedelta(days=30),
            left_on=left,
            confirmed_at=NOW,
            consent_given_at=NOW if consent else None,
        )
    return panel


@pytest.fixture
def invited(panel, make_survey):
    """A panel survey with its invitations sent: {member email: token}."""
    survey = make_survey()
    invitations_send(survey=survey)
    return survey, {
        i.member.email: invitation_token(i.pk, i.nonce) for i in Invitation.objects.select_related("member")
    }


def test_invitations_go_once_to_each_member_who_agreed_to_be_contacted(invited):
    survey, tokens = invited

    assert sorted(tokens) == ["member0@example.org", "member1@example.org"]  # not the unconsented, nor who left
    assert sorted(message.to[0] for message in mail.outbox) == sorted(tokens)
    assert tokens["member0@example.org"] in next(m.body for m in mail.outbox if m.to == ["member0@example.org"])
    assert invitations_send(survey=survey) == 0  # again (a retry, a second click): nobody twice
    assert len(mail.outbox) == 2


def test_a_member_answers_on_the_web_page_and_learns_what_happens_next(client, invited):
    survey, tokens = invited
    token = tokens["member0@example.org"]
    page = client.get(f"/surveys/{survey.pk}/", {"token": token})
    assert page.status_code == 200
    html = page.content.decode()
    for question in survey.questions.all():
        assert question.text in html
    assert 'type="radio"' in html and 'type="checkbox"' in html and "<select" in html and "<textarea" in html

    q = {question.sort_order: question.pk for question in survey.questions.all()}
    form = {
        "token": token,
        f"q{q[1]}": "No",
        f"q{q[2]}": "2",
        f"q{q[3]}": ["Speeding"],
        f"q{q[4]}-0": "3",
        f"q{q[4]}-1": "1",
        f"q{q[4]}-2": "2",
    }
    done = client.post(f"/surveys/{survey.pk}/", form, follow=True)

    assert done.status_code == 200 and "What happens next" in done.content.decode()
    answers = {a.question.sort_order: a.value for a in Answer.objects.select_related("question")}
    assert answers == {1: "No", 2: 2, 3: ["Speeding"], 4: ["Evening", "Night", "Day"]}


def test_a_form_with_mistakes_says_what_is_wrong_and_keeps_what_was_given(client, invited):
    survey, tokens = invited
    q = {question.sort_order: question.pk for question in survey.questions.all()}

    page = client.post(
        f"/surveys/{survey.pk}/",
        {"token": tokens["member0@example.org"], f"q{q[3]}": ["Speeding"], f"q{q[5]}": "x" * 60},
    )

    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and html.count("Answer &#x27;") == 3 * 2  # summary + field
    assert "to 50 characters (it has 60)" in html
    assert 'value="Speeding" checked' in html and "x" * 60 in html
    assert not Response.objects.exists()


def test_the_equality_step_is_optional_separate_and_once(client, invited, survey_page_form, equality_written):
    survey, tokens = invited
    client.post(f"/surveys/{survey.pk}/", survey_page_form(survey, tokens["member0@example.org"]))

    page = client.get(f"/surveys/{survey.pk}/thank-you/").content.decode()
    assert "Optional: about you" in page and "Prefer not to say" in page and "White: Roma" in page
    client.post(f"/surveys/{survey.pk}/thank-you/", {"age_band": "25_34", "ethnic_group": "prefer_not"})
    client.post(f"/surveys/{survey.pk}/thank-you/", {"age_band": "65_74"})  # again: nothing more is kept

    rows = equality_written(survey, "age_band", "ethnic_group", "sex")
    assert rows == [{"age_band": "25_34", "ethnic_group": "prefer_not", "sex": ""}]
    names = {f.name for f in EqualityMonitoring._meta.get_fields()}
    assert not names & {"response", "member", "invitation", "created_at", "submitted_at"}


def test_the_api_reads_a_panel_survey_only_with_its_invitation(client, invited):
    survey, tokens = invited

    assert client.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert client.get(f"/api/v1/surveys/{survey.pk}/", {"token": "forged"}).status_code == 404
    definition = client.get(f"/api/v1/surveys/{survey.pk}/", {"token": tokens["member1@example.org"]}).json()
    assert [q["kind"] for q in definition["questions"]] == ["single", "rating", "local_issues", "ranking", "text"]
    assert definition["questions"][1]["options"] == ["1", "2", "3", "4", "5"]
    assert "Speeding" in definition["questions"][2]["options"]  # from the priority categories


def test_an_answer_to_a_panel_survey_without_its_link_is_a_404_whatever_the_body(client, invited, make_survey):
    survey, _tokens = invited
    address = f"/api/v1/surveys/{survey.pk}/responses/"

    for body in ({}, {"answers": {}}, {"token": ["not", "text"]}, {"token": "forged", "answers": "x"}):
        refused = client.post(address, body, content_type="application/json")
        assert refused.status_code == 404 and refused.json()["message"] == "There is no such survey.", body
    open_survey = make_survey(audience=Survey.Audience.OPEN)
    empty = client.post(f"/api/v1/surveys/{open_survey.pk}/responses/", {}, content_type="application/json")
    assert empty.status_code == 400 and "answers" in empty.json()["errors"]  # open to anyone: it says what is missing


def test_the_api_takes_one_response_per_invitation(client, invited, good_answers):
    survey, tokens = invited
    body = {"token": tokens["member1@example.org"], "answers": good_answers(survey)}

    first = client.post(f"/api/v1/surveys/{survey.pk}/responses/", body, content_type="application/json")
    again = client.post(f"/api/v1/surveys/{survey.pk}/responses/", body, content_type="application/json")

    assert first.status_code == 201 and first.json()["receipt"]
    assert again.status_code == 400
    assert again.json()["errors"] == {"token": ["This invitation has already been used to answer."]}
    assert Response.objects.count() == 1 and Answer.objects.count() == 5


def test_every_wrong_answer_is_named_and_nothing_is_stored(client, invited):
    survey, tokens = invited
    q = {question.sort_order: str(question.pk) for question in survey.questions.all()}
    answers = {q[1]: "Maybe", q[2]: "loud", q[3]: ["Speeding", "Cake"], q[4]: ["Day"], q[5]: "x" * 51, "999": "?"}

    response = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"token": tokens["member1@example.org"], "answers": answers},
        content_type="application/json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]["answers"]
    assert set(errors) == {q[1], q[2], q[3], q[4], q[5], "999"}
    assert errors["999"] == ["There is no such question in this survey."]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"answers": {}}, 404, None),  # a panel survey, to someone without its link: no such survey
        ({"token": "made-up", "answers": {}}, 404, None),
        ({"token": "valid"}, 400, "answers"),
        ({"token": "valid", "answers": ["not", "an", "object"]}, 400, "answers"),
        ("not json at all", 400, None),  # unreadable, whatever the survey
    ],
)
def test_malformed_submissions_get_a_400_not_a_500(client, invited, body, status, field):
    survey, tokens = invited
    if isinstance(body, dict) and body.get("token") == "valid":
        body = {**body, "token": tokens["member0@example.org"]}
    response = client.post(f"/api/v1/surveys/{survey.pk}/responses/", body, content_type="application/json")

    assert response.status_code == status
    if field:
        assert field in response.json()["errors"]


SUBMISSIONS = [
    {"email": "ann@example.org", "answers": {"1": "Yes", "2": 4, "3": ["Speeding"], "4": None}},
    {"email": "  Ann@Example.org ", "answers": {}, "ignored": 1},
    {"token": "abc:def", "answers": {"1": "Yes"}},
    {"token": " abc ", "email": "ann@example.org", "answers": {}},
    {"token": "", "answers": {}},
    {"token": "   ", "answers": {}},
    {"token": "a\x00b", "answers": {}},
    {"token": "a\ud800b", "answers": {}},
    {"token": 5, "answers": {}},
    {"token": None, "answers": {}},
    {"token": True, "answers": {}},
    {"token": ["a"], "answers": {}},
    {"email": "", "answers": {}},
    {"email": "   ", "answers": {}},
    {"email": "not an address", "answers": {}},
    {"email": "ann@example", "answers": {}},
    {"email": "a\ud800@example.org", "answers": {}},
    {"email": "ann\x00@example.org", "answers": {}},
    {"email": "a" * 320 + "@example.org", "answers": {}},
    {"email": None, "answers": {}},
    {"email": 5, "answers": {}},
    {"email": "ann@example.org"},
    {"email": "ann@example.org", "answers": ["not", "an", "object"]},
    {"email": "ann@example.org", "answers": "x"},
    {"email": "ann@example.org", "answers": None},
    {},
    [],
    "text",
    None,
]


@pytest.mark.parametrize("body", SUBMISSIONS)
def test_the_usual_submission_is_read_as_the_serializer_reads_it(body):
    plain = SubmissionSerializer.plain(body)
    submission = SubmissionSerializer(data=body)

    if plain is not None:  # otherwise the serializer judges it, and answers, as before
        assert submission.is_valid() and dict(submission.validated_data) == plain
    assert (plain is not None) == (body in SUBMISSIONS[:6])  # the usual bodies, and only they, take the short way


def test_a_closed_survey_takes_no_answers_and_its_links_expire(client, invited, good_answers):
    survey, tokens = invited
    Survey.objects.filter(pk=survey.pk).update(closes_at=NOW - datetime.timedelta(minutes=1))

    response = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"token": tokens["member1@example.org"], "answers": good_answers(survey)},
        content_type="application/json",
    )

    assert response.status_code == 400 and response.json()["errors"]["survey"] == ["This survey is closed."]
    page = client.get(f"/surveys/{survey.pk}/", {"token": tokens["member1@example.org"]})
    assert "This survey closed" in page.content.decode()


def test_an_open_survey_takes_one_response_per_email_and_limits_each_client(
    client, sample_london, monkeypatch, good_answers, make_survey
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    assert client.get(f"/api/v1/surveys/{survey.pk}/").status_code == 200  # no token needed

    def send(email, address="10.0.0.1"):
        body = {"email": email, "answers": good_answers(survey)}
        return client.post(
            f"/api/v1/surveys/{survey.pk}/responses/", body, content_type="application/json", REMOTE_ADDR=address
        )

    assert send("ann@example.org").status_code == 201
    assert send("ANN@example.org ").json()["errors"]["email"] == [
        "This email address has already answered this survey: thank you, there is no need to answer again"
    ]
    missing = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/", {"answers": good_answers(survey)}, content_type="application/json"
    )
    assert "email" in missing.json()["errors"]
    assert not Response.objects.filter(respondent_key__icontains="ann").exists()  # only a keyed hash is kept

    monkeypatch.setattr(SurveyAnswerLimit, "rate", "3/hour", raising=False)
    statuses = [send(f"p{n}@example.org", address="10.0.0.2").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert AnonymousRateLimit.scope == "anon"  # the general limit is separate


def test_reminders_go_to_members_who_have_not_answered_once(client, invited, good_answers):
    survey, tokens = invited
    client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"token": tokens["member0@example.org"], "answers": good_answers(survey)},
        content_type="application/json",
    )
    mail.outbox.clear()

    assert reminders_send(now=NOW + datetime.timedelta(days=3)) == 0  # not due yet (7 days)
    assert reminders_send(now=NOW + datetime.timedelta(days=8)) == 1
    assert reminders_send(now=NOW + datetime.timedelta(days=9)) == 0
    assert [m.to for m in mail.outbox] == [["member1@example.org"]]
    assert mail.outbox[0].subject.startswith("Reminder:")
    assert tokens["member1@example.org"] in mail.outbox[0].body  # the same link still works


def test_results_are_for_the_surveys_own_officers_who_read_every_count(client, officers, good_answers, make_survey):
    survey = make_survey(audience=Survey.Audience.OPEN)
    issues = str(survey.questions.get(sort_order=3).pk)
    for n in range(14):
        answers = good_answers(survey)
        answers[str(survey.questions.get(sort_order=1).pk)] = "Yes" if n < 11 else "No"  # 11 yes, 3 no
        answers[issues] = ["Speeding", "Burglary"] if n < 7 else ["Speeding"]  # everyone chose speeding
        client.post(
            f"/api/v1/surveys/{survey.pk}/responses/",
            {"email": f"r{n}@example.org", "answers": answers},
            content_type="application/json",
            REMOTE_ADDR=f"10.0.1.{n}",
        )
    southwark, westminster = officers

    assert client.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 403
    client.force_login(westminster)
    assert client.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 403
    client.force_login(southwark)
    results = client.get(f"/api/v1/surveys/{survey.pk}/results/").json()

    safe = results["questions"][0]
    assert results["responded"] == 14 and safe["answered"] == 14
    # A team reads its own anonymous panel whole: 3 "No" is shown, not hidden.
    assert [(o["label"], o["count"], o["percent"]) for o in safe["options"]] == [("Yes", 11, 78.6), ("No", 3, 21.4)]
    rating = results["questions"][1]
    assert rating["mean"] == 4.0 and {o["label"]: o["count"] for o in rating["options"]}["4"] == 14
    # Multiple choice: a share of the people who answered, so chosen by all 14 is 100%.
    chosen = {o["label"]: (o["count"], o["percent"]) for o in results["questions"][2]["options"]}
    assert chosen["Speeding"] == (14, 100.0) and chosen["Burglary"] == (7, 50.0)
    assert results["questions"][4]["texts"] == ["Thanks"] * 14
    assert results["equality"] is None  # not while it is open
    csv = client.get(f"/api/v1/surveys/{survey.pk}/results.csv")
    rows = csv.content.decode().splitlines()
    assert csv["Content-Type"].startswith("text/csv") and "Do you feel safe?,No,3,21.4" in rows
    assert "(the survey),(responses),14," in rows
    assert "Do you feel safe?,(people who answered; each percent is of them),14," in rows
    assert "How visible is your team?,(average),4.0," in rows
    assert "Put these in order,Night (times put first),14,100.0" in rows


def test_an_officer_of_a_fifteen_member_panel_reads_every_count_on_the_results_page(
    client, officers, make_survey, good_answers
):
    survey = make_survey()  # a panel survey: answers through invitations
    safe = str(survey.questions.get(sort_order=1).pk)
    for n in range(15):
        answers = good_answers(survey)
        answers[safe] = "Yes" if n < 9 else "No"  # 9 and 6: both under 10
        response = Response.objects.create(survey=survey)
        for question in survey.questions.all():
            value = answers.get(str(question.pk))
            if value not in (None, ""):
                response.answers.create(question=question, value=value)
    client.force_login(officers[0])

    page = client.get(f"/admin/ward-panels/surveys/{survey.pk}/results/").content.decode()

    assert "15 responses from 0 invited" in page and ">hidden<" not in page
    assert '<th scope="row">Yes</th><td>9</td><td>60.0%</td>' in page
    assert '<th scope="row">No</th><td>6</td><td>40.0%</td>' in page
    assert "Do not copy names, addresses or other personal details" in page


def test_a_member_deleted_by_any_route_takes_everything_they_gave(client, invited, good_answers):
    survey, tokens = invited
    client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"token": tokens["member0@example.org"], "answers": good_answers(survey)},
        content_type="application/json",
    )

    PanelMember.objects.get(email="member0@example.org").delete()  # as the admin's delete does

    assert not PanelMember.objects.filter(email="member0@example.org").exists()
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert Invitation.objects.count() == 1


def test_identifiable_data_is_deleted_after_the_retention_period(client, invited, settings, good_answers):
    survey, tokens = invited
    client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"token": tokens["member0@example.org"], "answers": good_answers(survey)},
        content_type="application/json",
    )
    settings.SN_SURVEY_RETENTION_DAYS = 30
    closed = survey.closes_at

    assert personal_data_purge(now=closed + datetime.timedelta(days=29)) == 0
    assert personal_data_purge(now=closed + datetime.timedelta(days=31)) == 1

    assert not Invitation.objects.filter(survey=survey).exists()
    response = Response.objects.get()
    assert response.invitation is None and response.respondent_key is None
    kinds = set(Answer.objects.values_list("question__kind", flat=True))
    assert "text" not in kinds and "single" in kinds  # the counts stay; free text, which may name people, goes
    assert personal_data_purge(now=closed + datetime.timedelta(days=40)) == 0


def test_a_survey_is_for_a_ward_or_a_borough(sample_london):
    from django.core.exceptions import ValidationError

    survey = Survey(title="x", introduction="y", opens_at=NOW, closes_at=NOW - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        survey.clean()
    assert set(refused.value.message_dict) == {"ward", "closes_at"}
    survey.ward, survey.borough = Ward.objects.get(pk=RYE_LANE), Ward.objects.get(pk=RYE_LANE).borough
    with pytest.raises(ValidationError):
        survey.clean()


def test_joining_online_takes_a_confirmed_email(client, sample_london):
    form = {"name": "Bola Ade", "email": "Bola@Example.org", "consent": "on"}

    sent = client.post(f"/ward-panels/{RYE_LANE}/join/", form)

    assert sent.status_code == 200 and "Check your email" in sent.content.decode()
    member = PanelMember.objects.get(email="bola@example.org")
    assert member.confirmed_at is None and member.consent_wording
    assert not PanelMember.objects.active().filter(pk=member.pk).exists()  # nothing goes to them yet
    path = urlsplit(re.search(r"https?://\S+", mail.outbox[0].body).group()).path
    opened = client.get(path)  # mail software opening the link confirms nothing
    assert opened.status_code == 200 and "Confirm you want to join the Rye Lane ward panel" in opened.content.decode()
    assert PanelMember.objects.get(pk=member.pk).confirmed_at is None
    assert "You are on the Rye Lane ward panel" in client.post(path).content.decode()
    assert "You are on the Rye Lane ward panel" in client.get(path).content.decode()  # the link, used again
    garbage = client.get("/ward-panels/join/not-a-link/")
    assert garbage.status_code == 400 and "This link does not work" in garbage.content.decode()
    assert PanelMember.objects.active().filter(pk=member.pk).exists()

    again = client.post(f"/ward-panels/{RYE_LANE}/join/", form)  # already on: the same answer, and a note
    assert "if you are already on it, the email says so" in again.content.decode() and len(mail.outbox) == 2
    assert mail.outbox[1].subject == "You are already on the Rye Lane ward panel"
    assert "/ward-panels/leave/" in mail.outbox[1].body


def test_joining_with_a_known_address_or_a_new_one_costs_the_same_work_and_one_email(
    client, sample_london, monkeypatch
):
    """Nothing a stranger can measure says who is on a panel: the page does the same queries (and
    no writes) and queues one task for either address, and the task sends one email to either."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ward_panels import tasks

    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    PanelMember.objects.create(panel=panel, name="Ada", email="ada@example.org", confirmed_at=NOW, consent_given_at=NOW)
    queued = []
    monkeypatch.setattr(tasks.membership_request, "delay", lambda **kwargs: queued.append(kwargs))

    def work(email):
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(f"/ward-panels/{RYE_LANE}/join/", {"name": "A", "email": email, "consent": "on"})
        assert "Check your email" in answer.content.decode()
        return [query["sql"].replace(email, "?") for query in queries]

    work("first@example.org")  # the site's first request reads what it then keeps
    known_work = work("ada@example.org")
    assert known_work == work("new@example.org")
    assert not [q for q in known_work if q.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert [kwargs["email"] for kwargs in queued] == ["first@example.org", "ada@example.org", "new@example.org"]

    for kwargs in queued[1:]:
        tasks.membership_request(**kwargs)
    assert [m.to for m in mail.outbox] == [["ada@example.org"], ["new@example.org"]]
    assert [m.subject for m in mail.outbox] == [
        "You are already on the Rye Lane ward panel",
        "Confirm you want to join the Rye Lane ward panel",
    ]
    assert PanelMember.objects.get(email="ada@example.org").name == "Ada"  # a stranger's request changed nothing


def test_someone_who_left_is_back_on_the_panel_only_once_they_confirm(client, sample_london):
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    left_on = NOW.date() - datetime.timedelta(days=3)
    pat = PanelMember.objects.create(
        panel=panel, name="Pat Okafor", email="pat@example.org", confirmed_at=NOW, consent_given_at=NOW, left_on=left_on
    )

    # Anyone can type Pat's address into the form: that alone changes nothing.
    form = {"name": "Someone Else", "email": "PAT@example.org", "consent": "on"}
    assert "Check your email" in client.post(f"/ward-panels/{RYE_LANE}/join/", form).content.decode()
    pat.refresh_from_db()
    assert (pat.left_on, pat.name, pat.consent_given_at) == (left_on, "Pat Okafor", NOW)
    assert not PanelMember.objects.active().filter(pk=pat.pk).exists()

    path = urlsplit(re.search(r"https?://\S+", mail.outbox[0].body).group()).path
    assert "You are on the Rye Lane ward panel" in client.post(path).content.decode()  # Pat, from Pat's mailbox
    pat.refresh_from_db()
    assert pat.left_on is None and pat.consent_given_at > NOW
    assert PanelMember.objects.active().filter(pk=pat.pk).exists()


def test_joining_needs_consent_and_a_real_address_and_is_rate_limited(client, sample_london):
    refused = client.post(f"/ward-panels/{RYE_LANE}/join/", {"name": "", "email": "nope"})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Tick the box" in html and "Enter an email address like name@example.com" in html
    statuses = [
        client.post(f"/ward-panels/{RYE_LANE}/join/", {"name": "N", "email": f"n{n}@example.org", "consent": "on"})
        for n in range(5)
    ]
    assert [s.status_code for s in statuses] == [200, 200, 200, 200, 429]  # 5 an hour, the refused one included
    assert client.get("/ward-panels/E05009290/join/").status_code == 404  # a City ward: no team page here


def test_the_ward_page_shows_you_said_and_how_to_join(client, sample_london, add_priority, make_survey):
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from priorities.models import WardPage

    admin = User.objects.create_superuser("admin", password="a-long-test-password")
    page = WardPage.objects.get(ward_id=RYE_LANE)
    priority = add_priority(page)
    survey = make_survey(
        opens_at=NOW - datetime.timedelta(days=30), closes_at=NOW - datetime.timedelta(days=2), answered=5
    )
    survey.summary, survey.informed_priority = "Most of you said speeding.", priority
    survey.save()
    survey_summary_publish(survey=survey, user=admin)
    too_few = make_survey(
        opens_at=NOW - datetime.timedelta(days=20), closes_at=NOW - datetime.timedelta(days=3), answered=4
    )
    Survey.objects.filter(pk=too_few.pk).update(summary="Both of you said parking.")
    with pytest.raises(ValidationError, match="only when at least 5 people answered"):
        survey_summary_publish(survey=Survey.objects.get(pk=too_few.pk), user=admin)
    unpublished = make_survey(opens_at=NOW - datetime.timedelta(days=9), closes_at=NOW - datetime.timedelta(days=1))
    unpublished.summary = "Not yet checked."
    unpublished.save()

    html = client.get(page.url).content.decode()

    assert "You said" in html and "Most of you said speeding." in html and "5 people answered" in html
    assert "Not yet checked." not in html
    assert "Both of you said parking." not in html  # 4 answers: too few to publish anything of
    assert f'href="#priority-{priority.pk}"' in html
    assert f"/ward-panels/{RYE_LANE}/join/" in html


def test_the_api_takes_equality_answers_once_with_the_receipt(client, invited, good_answers, equality_written):
    survey, tokens = invited
    receipt = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"token": tokens["member0@example.org"], "answers": good_answers(survey)},
        content_type="application/json",
    ).json()["receipt"]
    address = f"/api/v1/surveys/{survey.pk}/equality/"

    wrong = client.post(address, {"receipt": receipt, "answers": {"sex": "x", "shoe": "9"}}, "application/json")
    right = client.post(address, {"receipt": receipt, "answers": {"disability": "yes"}}, "application/json")
    again = client.post(address, {"receipt": receipt, "answers": {"disability": "no"}}, "application/json")
    forged = client.post(address, {"receipt": "123:abc", "answers": {}}, "application/json")

    assert wrong.status_code == 400 and set(wrong.json()["errors"]["equality"]) == {"sex", "shoe"}
    assert right.status_code == 204
    assert again.status_code == 400
    assert forged.status_code == 404  # a panel survey is not there for a receipt this site did not make
    assert equality_written(survey, "disability") == [{"disability": "yes"}]


def test_a_new_site_has_a_labelled_demo_survey_for_each_borough_linked_from_its_ward_pages(client, sample_london):
    from priorities.models import WardPage

    out = StringIO()
    call_command("load_demo_surveys", stdout=out)
    call_command("load_demo_surveys", stdout=StringIO())  # again: still one each

    surveys = {survey.borough_id: survey for survey in Survey.objects.all()}
    assert set(surveys) == {"E09000028", "E09000033"}  # Southwark and Westminster; the City has its own police
    for survey in surveys.values():
        assert survey.audience == "open" and survey.is_open() and survey.questions.count() == 5
        assert "Demo content" in client.get(f"/surveys/{survey.pk}/").content.decode()
    for page in WardPage.objects.select_related("ward"):
        html = client.get(page.url).content.decode()
        assert f'href="/surveys/{surveys[page.ward.borough_id].pk}/"' in html
    assert f"/surveys/{surveys['E09000028'].pk}/" in out.getvalue()


def test_a_demo_survey_closes_at_the_end_of_a_day_not_at_the_minute_it_was_made(client, sample_london):
    from ward_panels.demo import demo_surveys_ensure

    made_at = datetime.datetime(2026, 12, 2, 0, 59, tzinfo=datetime.UTC)
    survey = demo_surveys_ensure(now=made_at)[0]

    assert timezone.localtime(survey.closes_at).replace(tzinfo=None) == datetime.datetime(2027, 3, 2, 23, 59)
    assert "It closes on 2 March 2027 at 11:59pm." in client.get(f"/surveys/{survey.pk}/").content.decode()


def open_surveys_around_rye_lane(make_survey) -> dict[str, Survey]:
    """Surveys Rye Lane's page lists (its own and Southwark's, open to anyone now) and some it must not."""
    later = NOW + datetime.timedelta(days=30)
    return {
        "ward": make_survey(Survey.Audience.OPEN, title="Rye Lane: parking", closes_at=later),
        "borough": make_survey(Survey.Audience.OPEN, ward=None, borough_id="E09000028", title="Southwark: safety"),
        "panel only": make_survey(title="For the panel, by invitation"),
        "closed": make_survey(
            Survey.Audience.OPEN, title="Last spring", opens_at=NOW - datetime.timedelta(days=90), closes_at=NOW
        ),
        "not yet open": make_survey(
            Survey.Audience.OPEN, title="Next month", opens_at=later, closes_at=later + datetime.timedelta(days=9)
        ),
        "next ward": make_survey(Survey.Audience.OPEN, ward="E05011110", title="Peckham: noise"),
        "other borough": make_survey(Survey.Audience.OPEN, ward=None, borough_id="E09000033", title="Westminster"),
    }


def test_a_ward_page_links_to_every_survey_open_to_its_residents_with_its_closing_date(
    client, sample_london, make_survey
):
    from priorities.models import WardPage

    surveys = open_surveys_around_rye_lane(make_survey)

    html = client.get(WardPage.objects.get(ward_id=RYE_LANE).url).content.decode()

    shown = re.findall(r'<a href="/surveys/(\d+)/">', html)
    assert shown == [str(surveys["borough"].pk), str(surveys["ward"].pk)]  # the sooner to close first
    assert "For everyone in Southwark." in html
    closes = timezone.localtime(surveys["ward"].closes_at)
    assert f'datetime="{closes.isoformat()}"' in html and f"{closes.day} {closes:%B %Y}" in html


def test_a_ward_page_costs_the_same_queries_however_many_surveys_it_lists(client, sample_london, make_survey):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from priorities.models import WardPage

    page = WardPage.objects.get(ward_id=RYE_LANE)
    client.get(page.url)
    with CaptureQueriesContext(connection) as none:
        client.get(page.url)
    open_surveys_around_rye_lane(make_survey)
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("admin", password="a-long-test-password")
    for n in range(4):
        closed = make_survey(
            title=f"Closed {n}",
            opens_at=NOW - datetime.timedelta(days=60),
            closes_at=NOW - datetime.timedelta(days=n + 1),
            summary="Most of you said speeding.",
            answered=5 + n,
            **({"ward": None, "borough_id": "E09000028"} if n % 2 else {}),  # on the borough's page too
        )
        survey_summary_publish(survey=closed, user=admin)
    with CaptureQueriesContext(connection) as many:
        html = client.get(page.url).content.decode()

    assert html.count('<a href="/surveys/') == 2 and html.count("Survey closed") == 3
    assert len(many) == len(none), "\n".join(q["sql"][:120] for q in many)


def test_open_surveys_for_other_sites_and_apps(client, sample_london, make_survey):
    surveys = open_surveys_around_rye_lane(make_survey)

    def listed(**filters):
        answer = client.get("/api/v1/surveys/", filters)
        assert answer.status_code == 200, answer.content
        return [survey["title"] for survey in answer.json()["results"]]

    assert listed(ward=RYE_LANE) == ["Southwark: safety", "Rye Lane: parking"]  # as its page lists them
    assert listed(borough="E09000028") == ["Southwark: safety", "Peckham: noise", "Rye Lane: parking"]
    assert listed() == ["Southwark: safety", "Peckham: noise", "Westminster", "Rye Lane: parking"]
    ward_survey = client.get("/api/v1/surveys/", {"ward": RYE_LANE}).json()["results"][1]
    assert ward_survey == {
        "id": surveys["ward"].pk,
        "title": "Rye Lane: parking",
        "ward": {"code": RYE_LANE, "name": "Rye Lane"},
        "borough": {"code": "E09000028", "name": "Southwark"},
        "neighbourhood": None,
        "opens_at": ward_survey["opens_at"],
        "closes_at": ward_survey["closes_at"],
        "url": f"http://testserver/surveys/{surveys['ward'].pk}/",
        "api_url": f"http://testserver/api/v1/surveys/{surveys['ward'].pk}/",
    }
    assert parse_datetime(ward_survey["closes_at"]) == surveys["ward"].closes_at
    assert parse_datetime(ward_survey["opens_at"]) == surveys["ward"].opens_at
    borough_survey = client.get("/api/v1/surveys/", {"ward": RYE_LANE}).json()["results"][0]
    assert borough_survey["ward"] is None and borough_survey["borough"]["code"] == "E09000028"
    questions = client.get(ward_survey["api_url"]).json()  # what an app needs to answer it
    assert len(questions["questions"]) == 5


def test_the_survey_list_comes_in_pages_and_refuses_bad_filters_by_name(client, sample_london, make_survey):
    open_surveys_around_rye_lane(make_survey)

    first = client.get("/api/v1/surveys/", {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    bad = client.get("/api/v1/surveys/", {"ward": "Rye Lane", "borough": "E0900002"})

    assert first["count"] == 4 and len(first["results"]) == 3 and len(second["results"]) == 1
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert set(bad.json()["errors"]) == {"ward", "borough"}


def test_the_survey_list_is_cached_until_a_survey_changes(
    client, sample_london, settings, django_capture_on_commit_callbacks, make_survey
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SN_API_CACHE_SECONDS = 300
    surveys = open_surveys_around_rye_lane(make_survey)
    first = client.get("/api/v1/surveys/", {"ward": RYE_LANE}).json()

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/surveys/", {"ward": RYE_LANE}).json() == first
    assert len(queries) == 0
    surveys["ward"].closes_at = NOW  # closed early by an officer
    with django_capture_on_commit_callbacks(execute=True):
        surveys["ward"].save()
    assert [s["title"] for s in client.get("/api/v1/surveys/", {"ward": RYE_LANE}).json()["results"]] == [
        "Southwark: safety"
    ]


def test_publishing_a_summary_refreshes_cached_ward_pages(
    client, sample_london, settings, django_capture_on_commit_callbacks, make_survey
):
    from django.contrib.auth.models import User

    from priorities.models import WardPage

    settings.SN_PAGE_CACHE_SECONDS = 300
    page = WardPage.objects.get(ward_id=RYE_LANE)
    survey = make_survey(
        opens_at=NOW - datetime.timedelta(days=30), closes_at=NOW - datetime.timedelta(days=2), answered=5
    )
    assert "You said" not in client.get(page.url).content.decode()  # now cached without it

    survey.summary = "Most of you said speeding."
    survey.save()
    with django_capture_on_commit_callbacks(execute=True):
        survey_summary_publish(survey=survey, user=User.objects.create_superuser("admin", password="a-long-pw-1"))

    assert "Most of you said speeding." in client.get(page.url).content.decode()


def test_the_web_page_and_the_api_share_one_answer_limit(client, sample_london, monkeypatch, good_answers, make_survey):
    survey = make_survey(audience=Survey.Audience.OPEN)
    monkeypatch.setattr(SurveyAnswerLimit, "rate", "1/hour", raising=False)
    body = {"email": "a@example.org", "answers": good_answers(survey)}

    assert client.post(f"/api/v1/surveys/{survey.pk}/responses/", body, "application/json").status_code == 201
    page = client.post(f"/surveys/{survey.pk}/", {"email": "b@example.org"})

    assert page.status_code == 429 and "Too many tries" in page.content.decode()


def test_answers_of_the_wrong_shape_are_refused_not_crashed_on(client, sample_london, good_answers, make_survey):
    """Found by the API fuzzer: lists where a choice was expected, and numbers JSON calls infinite."""
    survey = make_survey(audience=Survey.Audience.OPEN)
    rating = str(survey.questions.get(kind="rating").pk)
    answers = good_answers(survey)
    raw = '{"email": "a@example.org", "answers": {"%s": 1e999}}' % rating  # noqa: UP031
    infinite = client.post(f"/api/v1/surveys/{survey.pk}/responses/", raw, content_type="application/json")
    receipt = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/", {"email": "b@example.org", "answers": answers}, "application/json"
    ).json()["receipt"]
    shapes = client.post(
        f"/api/v1/surveys/{survey.pk}/equality/",
        {"receipt": receipt, "answers": {"religion": [], "sex": ["male"], "age_band": {"x": 1}}},
        "application/json",
    )
    elsewhere = make_survey(audience=Survey.Audience.OPEN)
    wrong_survey = client.post(
        f"/api/v1/surveys/{elsewhere.pk}/equality/", {"receipt": receipt, "answers": {}}, "application/json"
    )

    assert infinite.status_code == 400 and rating in infinite.json()["errors"]["answers"]
    assert shapes.status_code == 400 and set(shapes.json()["errors"]["equality"]) == {"religion", "sex", "age_band"}
    assert wrong_survey.status_code == 400 and "receipt" in wrong_survey.json()["errors"]


def test_answering_takes_only_the_writes_and_follows_changes_to_the_questions(
    client, sample_london, good_answers, make_survey
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey = make_survey(audience=Survey.Audience.OPEN)
    address = f"/api/v1/surveys/{survey.pk}/responses/"
    client.post(address, {"email": "first@example.org", "answers": good_answers(survey)}, "application/json")

    answers = good_answers(survey)
    with CaptureQueriesContext(connection) as queries:
        answered = client.post(address, {"email": "second@example.org", "answers": answers}, "application/json")
    assert answered.status_code == 201
    assert [q["sql"].split()[0] for q in queries] == ["SAVEPOINT", "INSERT", "INSERT", "RELEASE"], (
        queries.captured_queries
    )

    single = survey.questions.get(kind="single")
    single.choices = ["Yes", "No", "Sometimes"]
    single.save()  # an officer edits the survey while it is open
    answers = good_answers(survey) | {str(single.pk): "Sometimes"}
    assert (
        client.post(address, {"email": "third@example.org", "answers": answers}, "application/json").status_code == 201
    )


def test_a_whole_panel_answers_from_one_community_centres_wifi(client, sample_london, make_survey, good_answers):
    """The one-use link is each member's limit: no count by address for panel surveys."""
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    for n in range(12):
        PanelMember.objects.create(
            panel=panel, name=f"Member {n}", email=f"m{n}@example.org", confirmed_at=NOW, consent_given_at=NOW
        )
    survey = make_survey()
    invitations_send(survey=survey)
    tokens = [invitation_token(invitation.pk, invitation.nonce) for invitation in Invitation.objects.all()]

    statuses = [
        client.post(
            f"/api/v1/surveys/{survey.pk}/responses/",
            {"token": token, "answers": good_answers(survey)},
            "application/json",
            REMOTE_ADDR="10.0.0.9",
        ).status_code
        for token in tokens
    ]

    assert statuses == [201] * 12 and Response.objects.count() == 12


def test_the_open_survey_limit_counts_accepted_answers_and_says_when_to_try_again(
    client, sample_london, monkeypatch, make_survey, good_answers, survey_page_form
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    monkeypatch.setattr(SurveyAnswerLimit, "rate", "3/hour", raising=False)

    def send(email, answers):
        body = {"email": email, "answers": answers}
        return client.post(f"/api/v1/surveys/{survey.pk}/responses/", body, "application/json", REMOTE_ADDR="10.0.0.3")

    mistakes = [send(f"x{n}@example.org", {}).status_code for n in range(5)]  # each corrected and sent again
    accepted = [send(f"p{n}@example.org", good_answers(survey)).status_code for n in range(3)]
    refused = send("p3@example.org", good_answers(survey))
    page = client.post(
        f"/surveys/{survey.pk}/", survey_page_form(survey, "") | {"email": "p4@example.org"}, REMOTE_ADDR="10.0.0.3"
    )

    assert mistakes == [400] * 5 and accepted == [201] * 3
    assert refused.status_code == 429 and re.fullmatch(
        r"Too many requests\. Try again in \d+ seconds\.", refused.json()["message"]
    )
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert page.status_code == 429 and re.search(r"try again in \d+ minutes?", page.content.decode())
    assert Response.objects.count() == 3
