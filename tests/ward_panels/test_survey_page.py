"""The survey as a web page, as a resident meets it: every mistake named at once, a used link that
says so before the form, an email address that must be one, and a thank-you page that only follows
an answer."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import timezone

from ward_panels.models import EqualityPending, Invitation, PanelMember, Question, Response, Survey, WardPanel
from ward_panels.tokens import invitation_token

RYE_LANE = "E05011113"


def text_of(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def summary_links(response) -> list[tuple[str, str]]:
    """(where the link goes, what it says) for each link in the error summary, in order."""
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group()
    return [(href, html.unescape(text)) for href, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)]


@pytest.fixture
def invited(sample_london, make_survey):
    """A panel survey and two members' invitation links: (survey, [token, token])."""
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    survey = make_survey()
    tokens = []
    for name in ("Ada", "Bola"):
        member = PanelMember.objects.create(
            panel=panel, name=name, email=f"{name}@example.org", confirmed_at=timezone.now()
        )
        invitation = Invitation.objects.create(survey=survey, member=member)
        tokens.append(invitation_token(invitation.pk, invitation.nonce))
    return survey, tokens


def questions(survey) -> dict[int, object]:
    return {question.sort_order: question for question in survey.questions.all()}


def test_every_mistake_is_named_at_once_each_by_its_question_and_linked(client, sample_london, make_survey):
    survey = make_survey(audience=Survey.Audience.OPEN)
    q = questions(survey)

    page = client.post(f"/surveys/{survey.pk}/", {f"q{q[3].pk}": ["Speeding"], f"q{q[5].pk}": "x" * 60})

    assert page.status_code == 400
    assert summary_links(page) == [
        (f"q{q[1].pk}-0", "Answer 'Do you feel safe?'"),
        (f"q{q[2].pk}-0", "Answer 'How visible is your team?'"),
        (f"q{q[4].pk}-0", "Answer 'Put these in order'"),
        (f"q{q[5].pk}-input", "Keep your answer to 'Anything else?' to 50 characters (it has 60)"),
        ("email", "Enter your email address"),
    ]
    for target, message in summary_links(page):
        assert f'id="{target}"' in page.content.decode()  # each link lands on its question's first box
        assert text_of(page).count(message) == 2  # in the summary, and again by its question
    assert not Response.objects.exists()


def test_a_malformed_email_address_gets_a_field_error_and_nothing_is_stored(
    client, sample_london, make_survey, survey_page_form
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    form = survey_page_form(survey, token="") | {"email": "ann at example dot org"}

    page = client.post(f"/surveys/{survey.pk}/", form)

    assert page.status_code == 400
    assert summary_links(page) == [("email", "Enter an email address like name@example.com")]
    assert 'value="ann at example dot org"' in page.content.decode()  # kept, to correct
    assert not Response.objects.exists()


def test_the_same_email_address_twice_is_told_so_on_its_field(client, sample_london, make_survey, survey_page_form):
    survey = make_survey(audience=Survey.Audience.OPEN)
    form = survey_page_form(survey, token="") | {"email": "ann@example.org"}
    client.post(f"/surveys/{survey.pk}/", form)

    again = client.post(f"/surveys/{survey.pk}/", form | {"email": "Ann@Example.org"})

    assert again.status_code == 400
    assert summary_links(again) == [
        ("email", "This email address has already answered this survey: thank you, there is no need to answer again")
    ]
    assert Response.objects.count() == 1


def test_a_used_invitation_says_so_before_the_form(client, invited, survey_page_form):
    survey, (token, other) = invited
    client.post(f"/surveys/{survey.pk}/", survey_page_form(survey, token))

    page = client.get(f"/surveys/{survey.pk}/", {"token": token})
    sent_again = client.post(f"/surveys/{survey.pk}/", survey_page_form(survey, token))

    assert page.status_code == 200
    words = text_of(page)
    assert "You have already answered this survey, thank you" in words
    assert "What happens next" in words and "Do you feel safe?" not in words  # no form to fill in for nothing
    assert sent_again.status_code == 200 and "You have already answered this survey" in text_of(sent_again)
    assert Response.objects.count() == 1
    unused = client.get(f"/surveys/{survey.pk}/", {"token": other})
    assert "Do you feel safe?" in text_of(unused)  # the other member's link still shows the form


def test_the_thank_you_page_thanks_only_someone_who_has_just_answered(
    client, sample_london, make_survey, survey_page_form, equality_written
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    other = make_survey(audience=Survey.Audience.OPEN)
    address = f"/surveys/{survey.pk}/thank-you/"

    direct = client.get(address)
    assert direct.status_code == 200 and "There are no answers to thank you for" in text_of(direct)
    assert f'href="/surveys/{survey.pk}/"' in direct.content.decode()  # the way to answer

    answered = client.post(f"/surveys/{survey.pk}/", survey_page_form(survey, "") | {"email": "a@example.org"})
    assert answered["Location"] == address
    assert "Thank you: your answers are saved" in text_of(client.get(address))
    assert "There are no answers to thank you for" in text_of(client.get(f"/surveys/{other.pk}/thank-you/"))

    assert settings.SESSION_COOKIE_NAME in client.cookies  # holding the answer's receipt for the next step
    done = client.post(address, {"age_band": "25_34"})
    assert "Thank you for answering the questions about you, too" in text_of(done)
    gone = done.cookies[settings.SESSION_COOKIE_NAME]  # as the privacy notice says: removed once answered
    assert gone.value == "" and gone["max-age"] == 0
    after = client.get(address)  # again, after finishing: the answers are no longer this browser's to recall
    assert "There are no answers to thank you for" in text_of(after)
    late = client.post(address, {"age_band": "65_74"})
    assert late.status_code == 400 and equality_written(survey, "age_band") == [{"age_band": "25_34"}]


def test_equality_mistakes_name_their_question_and_keep_the_other_answers(
    client, sample_london, make_survey, survey_page_form
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    client.post(f"/surveys/{survey.pk}/", survey_page_form(survey, "") | {"email": "a@example.org"})

    page = client.post(f"/surveys/{survey.pk}/thank-you/", {"age_band": "25_34", "sex": "unknown"})

    assert page.status_code == 400
    assert summary_links(page) == [("sex-0", "Choose one of the options for 'What is your sex?'")]
    assert re.search(r'value="25_34"\s+checked', page.content.decode())
    assert not EqualityPending.objects.exists()


def test_a_rating_question_explains_its_scale_once(client, sample_london, make_survey):
    """The officer's own words for the scale, or else the survey's; never both, one after the other."""
    survey = make_survey(audience=Survey.Audience.OPEN)
    plain = survey.questions.get(kind="rating")
    explained = Question.objects.create(
        survey=survey,
        sort_order=6,
        kind="rating",
        text="How well does the team listen?",
        help_text="1 is poorly, 5 very well.",
    )

    page = client.get(f"/surveys/{survey.pk}/").content.decode()

    def hint(question):
        found = re.search(rf'<p class="hint" id="q{question.pk}-hint">(.*?)</p>', page, re.S).group(1)
        return " ".join(html.unescape(found).split())

    assert hint(explained) == "1 is poorly, 5 very well."
    assert hint(plain) == "1 is the lowest, 5 the highest."


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"email": "bola@example.org", "consent": "on"}, [("id_name", "Enter your name")]),
        (
            {},
            [
                ("id_name", "Enter your name"),
                ("id_email", "Enter your email address"),
                ("id_consent", "Tick the box to say the team may contact you: it is how the panel works"),
            ],
        ),
        (
            {"name": "B" * 101, "email": "bola@", "phone": "0" * 31, "consent": "on"},
            [
                ("id_name", "Your name must be 100 characters or fewer"),
                ("id_email", "Enter an email address like name@example.com"),
                ("id_phone", "Your phone number must be 30 characters or fewer"),
            ],
        ),
    ],
)
def test_each_mistake_joining_a_panel_names_its_field(client, sample_london, form, errors):
    page = client.post("/ward-panels/E05011113/join/", form)

    assert page.status_code == 400
    assert summary_links(page) == errors


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = {}

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attrs = dict(attrs)
            self.found.setdefault(attrs.get("name"), attrs)


def boxes(response) -> dict[str, tuple[str, str]]:
    """(type, autocomplete) of each input, by its name: what a browser knows it is for (WCAG 1.3.5)."""
    parser = _Inputs()
    parser.feed(response.content.decode())
    return {name: (attrs.get("type"), attrs.get("autocomplete")) for name, attrs in parser.found.items()}


def test_joining_a_panel_lets_the_browser_fill_in_a_residents_name_email_and_phone(client, sample_london):
    found = boxes(client.get("/ward-panels/E05011113/join/"))

    assert found["name"] == ("text", "name")
    assert found["email"] == ("email", "email")
    assert found["phone"] == ("tel", "tel")  # a phone's keypad, too
    assert found["postcode"] == ("text", "postal-code")


@pytest.mark.parametrize(("typed", "kept"), [("se155db", "SE15 5DB"), (" SE15  5RP ", "SE15 5RP"), ("", "")])
def test_joining_a_panel_a_postcode_is_optional_and_kept_formatted(client, sample_london, typed, kept):
    form = {"name": "Bola", "email": "bola@example.org", "postcode": typed, "consent": "on"}

    assert client.post("/ward-panels/E05011113/join/", form).status_code == 200

    assert PanelMember.objects.get(email="bola@example.org").postcode == kept


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("banana", "Enter a full postcode, such as SE15 5DB, or leave it empty"),
        ("SE15", "Enter your full postcode, not only SE15, or leave it empty"),
        ("SE15 5", "Enter your full postcode, not only SE15 5, or leave it empty"),
        ("SE15 9ZZ", "We could not find SE15 9ZZ in London. Check your postcode, or leave it empty"),
        ("M1 1AE", "Enter a London postcode, or leave it empty"),
        ("S" * 70, "Enter a full postcode, such as SE15 5DB, or leave it empty"),
    ],
)
def test_a_postcode_that_is_not_a_london_one_we_hold_is_refused_by_name(client, sample_london, typed, error):
    form = {"name": "Bola", "email": "bola@example.org", "postcode": typed, "consent": "on"}

    page = client.post("/ward-panels/E05011113/join/", form)

    assert page.status_code == 400
    assert summary_links(page) == [("id_postcode", error)]
    assert not PanelMember.objects.exists()


def test_the_join_form_says_why_it_asks_for_a_postcode(client, sample_london):
    page = html.unescape(client.get("/ward-panels/E05011113/join/").content.decode())

    assert "Your postcode (optional)" in page
    assert "invite you to surveys about the natural neighbourhood you live in" in page


def test_the_surveys_and_the_newsletters_email_boxes_say_they_want_the_residents_own(
    client, sample_london, make_survey
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    sign_up_again = client.post("/newsletters/subscribe/", {"email": "nope", "ward": RYE_LANE, "area": RYE_LANE})

    assert boxes(client.get(f"/surveys/{survey.pk}/"))["email"] == ("email", "email")
    assert boxes(client.get("/southwark/rye-lane/"))["email"] == ("email", "email")
    assert boxes(sign_up_again)["email"] == ("email", "email")


SECRET = "Night-time noise on the Bellenden estate"


@pytest.mark.parametrize("token", ["", "made-up", "another survey's"])
def test_a_panel_survey_is_a_plain_404_without_its_own_invitation(
    client, invited, make_survey, token, good_answers, survey_page_form
):
    """A guessed id, a wrong token, or a member's token for another survey: the answer is the one a
    survey that does not exist gets, and the title is nowhere in it."""
    survey, (real, _other) = invited
    Survey.objects.filter(pk=survey.pk).update(title=SECRET)
    if token == "another survey's":
        elsewhere = make_survey(title="Another survey")
        member = PanelMember.objects.get(email="Ada@example.org")
        invitation = Invitation.objects.create(survey=elsewhere, member=member)
        token = invitation_token(invitation.pk, invitation.nonce)
    missing = 10**6

    for pk in (survey.pk, missing):
        answers = {"token": token, "answers": good_answers(survey)}
        replies = [
            client.get(f"/surveys/{pk}/", {"token": token}),
            client.post(f"/surveys/{pk}/", survey_page_form(survey, token)),
            client.get(f"/surveys/{pk}/thank-you/"),
            client.get(f"/api/v1/surveys/{pk}/", {"token": token}),
            client.post(f"/api/v1/surveys/{pk}/responses/", answers, "application/json"),
            client.post(f"/api/v1/surveys/{pk}/equality/", {"receipt": "x", "answers": {}}, "application/json"),
        ]
        assert [reply.status_code for reply in replies] == [404] * 6, pk
        assert not any(SECRET in reply.content.decode() for reply in replies)
        if pk == survey.pk:
            bodies = [reply.content for reply in replies[3:]]
        else:
            assert bodies == [reply.content for reply in replies[3:]]  # the API's words are the same, too
    assert not Response.objects.exists()
    assert "Do you feel safe?" in text_of(client.get(f"/surveys/{survey.pk}/", {"token": real}))


def test_a_survey_not_yet_open_is_a_404_except_to_a_member_with_their_link(client, invited, make_survey, good_answers):
    survey, (token, _other) = invited
    later = timezone.now() + timezone.timedelta(days=2)
    Survey.objects.filter(pk=survey.pk).update(
        title=SECRET, opens_at=later, closes_at=later + timezone.timedelta(days=9)
    )
    public = make_survey(audience=Survey.Audience.OPEN, title=SECRET, opens_at=later)

    member = client.get(f"/surveys/{survey.pk}/", {"token": token})
    assert member.status_code == 200 and "This survey opens on" in text_of(member)
    refused = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/", {"token": token, "answers": good_answers(survey)}, "application/json"
    )
    assert refused.status_code == 400 and refused.json()["errors"]["survey"] == ["Not open yet."]

    # An open survey is listed once it opens, not before: until then it is not there, to anyone.
    replies = [
        client.get(f"/surveys/{survey.pk}/"),
        client.get(f"/surveys/{public.pk}/"),
        client.get(f"/surveys/{public.pk}/thank-you/"),
        client.get(f"/api/v1/surveys/{public.pk}/"),
        client.post(
            f"/api/v1/surveys/{public.pk}/responses/",
            {"email": "a@example.org", "answers": good_answers(public)},
            "application/json",
        ),
    ]
    assert [reply.status_code for reply in replies] == [404] * 5
    assert not any(SECRET in reply.content.decode() for reply in replies)


def test_the_same_number_given_twice_in_a_ranking_says_to_use_each_number_once(
    client, sample_london, make_survey, survey_page_form
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    ranking = survey.questions.get(kind="ranking").pk
    form = survey_page_form(survey, "") | {"email": "a@example.org", f"q{ranking}-0": "1", f"q{ranking}-1": "1"}

    page = client.post(f"/surveys/{survey.pk}/", form)

    assert page.status_code == 400
    assert (
        f"q{ranking}-0",
        "Put every option for 'Put these in order' in order, giving each a different number from 1 to 3",
    ) in summary_links(page)


@pytest.mark.parametrize("with_errors", [False, True])
def test_every_description_a_question_points_to_is_there_and_says_something(
    client, sample_london, make_survey, with_errors
):
    survey = make_survey(audience=Survey.Audience.OPEN)  # "Do you feel safe?" is a choice with no hint
    page = client.post(f"/surveys/{survey.pk}/", {}) if with_errors else client.get(f"/surveys/{survey.pk}/")
    html = page.content.decode()

    described = [name for names in re.findall(r'aria-describedby="([^"]*)"', html) for name in names.split()]
    assert described
    for name in described:
        found = re.search(rf'id="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
        assert found and found.group(1).strip(), name
