"""Building a survey in the admin: options typed one per line, only the settings that fit each kind
of question, questions put in order, and a preview that is the survey's own page."""

import datetime
import re

import pytest
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from ward_panels.models import Question, Response, Survey

RYE_LANE = "E05011113"
ADD = "/admin/snippets/ward_panels/survey/add/"
# A question's settings as the admin's form posts them when nobody touched them.
UNTOUCHED = {"max_length": 1000, "scale_min": 1, "scale_max": 5, "max_choices": 3, "required": "on"}


@pytest.fixture
def southwark_officer(officers, client):
    client.force_login(officers[0])
    return officers[0]


def question(kind, text="Do you feel safe?", **fields) -> dict:
    return UNTOUCHED | {"kind": kind, "text": text, "choices": ""} | fields


def add_survey(client, survey_admin_form, *questions, title="Evenings"):
    return client.post(ADD, survey_admin_form(title=title, questions=inline_formset(list(questions))))


def question_errors(response, index=0) -> dict:
    return response.context["form"].formsets["questions"].forms[index].errors


def test_options_are_typed_one_per_line_and_stored_as_a_list(client, southwark_officer, survey_admin_form):
    typed = "  Yes, always \n\nMost of the time\n   \nNo\n"

    saved = add_survey(client, survey_admin_form, question("single", choices=typed))

    assert saved.status_code == 302, question_errors(saved)
    survey = Survey.objects.get(title="Evenings")
    assert survey.questions.get().choices == ["Yes, always", "Most of the time", "No"]
    edit = client.get(f"/admin/snippets/ward_panels/survey/edit/{survey.pk}/").content.decode()
    box = re.search(r'<textarea name="questions-0-choices"[^>]*>(.*?)</textarea>', edit, re.S).group(1)
    assert box.strip().splitlines() == ["Yes, always", "Most of the time", "No"]
    assert "valid JSON" not in edit


def test_surveys_saved_before_keep_their_options_when_edited(client, southwark_officer, make_survey):
    survey = make_survey(ward=RYE_LANE)
    edit = client.get(f"/admin/snippets/ward_panels/survey/edit/{survey.pk}/").content.decode()
    boxes = re.findall(r'<textarea name="questions-\d-choices"[^>]*>(.*?)</textarea>', edit, re.S)

    assert [box.strip().splitlines() for box in boxes] == [["Yes", "No"], [], [], ["Day", "Evening", "Night"], []]


@pytest.mark.parametrize(
    "typed, error",
    [
        ("Yes\nyes", "Each option must be different: “yes” is there twice."),
        ("Yes", "Give at least two options, one per line: this has 1."),
        ("\n \n", "Give at least two options, one per line: this has 0."),
        (
            "\n".join(f"Option {n}" for n in range(21)),
            "Give at most 20 options: this has 21. Split it into two questions.",
        ),
        ("Yes\n" + "x" * 201, f"Keep each option to 200 characters: “{'x' * 40}…” is longer."),
    ],
    ids=["repeated", "one", "blank", "too-many", "too-long"],
)
def test_options_that_will_not_do_are_a_clear_error_by_the_box(
    client, southwark_officer, survey_admin_form, typed, error
):
    refused = add_survey(client, survey_admin_form, question("multiple", choices=typed))

    assert refused.status_code == 200  # the form again, not a 500
    assert question_errors(refused)["choices"] == [error]
    assert typed.strip() in refused.content.decode()  # what they typed is kept, to put right
    assert not Survey.objects.filter(title="Evenings").exists()


def test_options_typed_for_a_kind_without_options_are_refused(client, southwark_officer, survey_admin_form):
    refused = add_survey(client, survey_admin_form, question("rating", choices="Good\nBad"))

    assert question_errors(refused)["choices"] == [
        "Options are only for single choice, multiple choice and ranking questions: "
        "clear this box, or choose one of those kinds."
    ]
    assert not Survey.objects.filter(title="Evenings").exists()


def test_settings_that_do_not_fit_the_kind_are_ignored(client, southwark_officer, survey_admin_form):
    """Without JavaScript every setting shows: what is typed into those that do not fit the kind is
    ignored (even nonsense), and their defaults kept. With it, those are disabled and not sent."""
    nonsense = {"max_length": "0", "scale_min": "9", "scale_max": "abc", "max_choices": ""}
    left_out = {"kind": "text", "text": "Anything else?", "required": "", "max_length": 200}

    saved = add_survey(
        client,
        survey_admin_form,
        question("single", choices="Yes\nNo", **nonsense),
        question("rating", text="How visible is your team?", scale_min=0, scale_max=10, **{"max_length": "-5"}),
        left_out,  # as the admin's script sends it: no options, no scale, no choices
    )

    assert saved.status_code == 302, [question_errors(saved, n) for n in range(3)]
    single, rating, text = Survey.objects.get(title="Evenings").questions.all()
    assert (single.max_length, single.scale_min, single.scale_max, single.max_choices) == (1000, 1, 5, 3)
    assert (rating.scale_min, rating.scale_max, rating.max_length) == (0, 10, 1000)
    assert (text.max_length, text.choices, text.required) == (200, [], False)


def test_a_setting_that_fits_the_kind_is_still_checked(client, southwark_officer, survey_admin_form):
    refused = add_survey(
        client,
        survey_admin_form,
        question("local_issues", text="Which issues?", max_choices=""),
        question("rating", text="How visible?", scale_min=1, scale_max=20),
        question("text", text="Anything else?", max_length=9000),
    )

    assert refused.status_code == 200
    assert question_errors(refused, 0)["max_choices"] == ["Enter the most a person may choose, as a whole number."]
    assert question_errors(refused, 1)["scale_max"] == [
        "A scale can have at most 11 points (such as 0 to 10): 1 to 20 has 20."
    ]
    assert "max_length" in question_errors(refused, 2)


def test_a_question_without_a_kind_is_asked_for_one_and_nothing_else(client, southwark_officer, survey_admin_form):
    refused = add_survey(client, survey_admin_form, question("", max_length="", scale_min="", max_choices=""))

    assert refused.status_code == 200
    assert question_errors(refused) == {"kind": ["This field is required."]}


def test_each_setting_says_which_kinds_it_is_for(client, southwark_officer):
    page = client.get(ADD).content.decode()

    for words in [
        "For single choice, multiple choice and ranking questions only. One option per line",
        "For multiple choice and local issues questions only.",
        "For rating scale questions only. Usually 1 (or 0).",
        "For free text questions only. In characters",
    ]:
        assert words in page
    assert 'data-shown-for="single multiple ranking"' in page and 'data-shown-by="kind"' in page
    assert "/static/js/shown_for.js" in page


def survey_edit_form(survey: Survey, order: list[Question]) -> dict:
    """The survey's edit form as the admin posts it, with its questions in the order given."""
    now = timezone.localtime()
    place = {q.pk: n for n, q in enumerate(order)}
    questions = [
        {
            "id": q.pk,
            "kind": q.kind,
            "text": q.text,
            "help_text": q.help_text,
            "required": "on" if q.required else "",
            "choices": "\n".join(q.choices),
            "max_length": q.max_length,
            "scale_min": q.scale_min,
            "scale_max": q.scale_max,
            "max_choices": q.max_choices,
            "ORDER": place[q.pk] + 1,
        }
        for q in survey.questions.all()
    ]
    return nested_form_data(
        {
            "title": survey.title,
            "introduction": survey.introduction,
            "ward": survey.ward_id,
            "borough": "",
            "audience": survey.audience,
            "opens_at": f"{now - datetime.timedelta(hours=1):%Y-%m-%d %H:%M}",
            "closes_at": f"{now + datetime.timedelta(days=14):%Y-%m-%d %H:%M}",
            "reminder_after_days": 7,
            "questions": inline_formset(questions, initial=len(questions)),
            "summary": "",
            "informed_priority": "",
        }
    )


def test_reordering_questions_changes_the_order_on_the_page_and_in_the_api(client, southwark_officer, make_survey):
    survey = make_survey(ward=RYE_LANE, audience=Survey.Audience.OPEN)
    single, rating, issues, ranking, text = survey.questions.all()
    order = [text, single, ranking, rating, issues]

    saved = client.post(f"/admin/snippets/ward_panels/survey/edit/{survey.pk}/", survey_edit_form(survey, order))

    assert saved.status_code == 302, saved.context["form"].errors
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    legends = [
        re.sub(r"\s+", " ", legend).strip()
        for legend in re.findall(r'<legend class="question">(.*?)</legend>', page, re.S)
    ]
    assert legends == [
        "Anything else? (optional)",
        "Do you feel safe?",
        "Put these in order",
        "How visible is your team?",
        "Which issues matter most?",
    ]
    api = client.get(f"/api/v1/surveys/{survey.pk}/").json()
    assert [q["id"] for q in api["questions"]] == [q.pk for q in order]


def test_the_preview_is_the_survey_page_marked_and_sending_nothing(client, southwark_officer, make_survey):
    survey = make_survey(ward=RYE_LANE, audience=Survey.Audience.OPEN)

    preview = client.get(f"/admin/ward-panels/surveys/{survey.pk}/preview/")

    html = preview.content.decode()
    assert "ward_panels/survey.html" in [template.name for template in preview.templates]  # the public page's own
    assert "Preview — answers are not saved." in html
    form = re.search(r"<form[^>]*>", html.split('<main id="main"')[1]).group()
    assert "method" not in form and "action" not in form  # a button pressed anyway goes nowhere
    assert re.search(r'<button class="button" type="submit" disabled>', html)
    assert "csrfmiddlewaretoken" not in html
    assert client.post(f"/admin/ward-panels/surveys/{survey.pk}/preview/").status_code == 405
    assert not Response.objects.filter(survey=survey).exists()
    public = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Preview" not in public and 'method="post"' in public


def test_the_editors_preview_shows_unsaved_questions_as_the_page_will(client, southwark_officer, survey_admin_form):
    form = survey_admin_form(
        title="Not saved yet",
        questions=inline_formset(
            [
                question("ranking", text="Put these in order", choices="Mornings\nEvenings"),
                question("text", text="Why?"),
            ]
        ),
    )

    checked = client.post("/admin/snippets/ward_panels/survey/preview/", form).json()
    preview = client.get("/admin/snippets/ward_panels/survey/preview/")

    assert checked == {"is_valid": True, "is_available": True}
    html = preview.content.decode()
    assert "Preview — answers are not saved." in html and "Not saved yet" in html
    assert html.index("Put these in order") < html.index("Mornings") < html.index("Evenings") < html.index("Why?")
    assert 'name="new1-0"' in html and 'id="new2-input"' in html  # each unsaved question named by its place
    assert not Survey.objects.filter(title="Not saved yet").exists()


def test_an_officer_cannot_preview_another_boroughs_survey_with_their_edits(
    client, southwark_officer, make_survey, survey_admin_form
):
    theirs = make_survey(ward="E05013806")  # St. James's, in Westminster

    response = client.post(f"/admin/snippets/ward_panels/survey/preview/{theirs.pk}/", survey_admin_form())

    assert response.status_code in (302, 403) and b"is_valid" not in response.content
