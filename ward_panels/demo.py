"""A demo survey, so a new site shows what answering one is like. Labelled as demo."""

import datetime

from django.utils import timezone

from priorities.models import WardPage

from .models import Question, Survey

DEMO_TITLE = "Demo: what should your team work on?"


def demo_survey_ensure(*, now=None) -> Survey | None:
    """An open survey for the first ward with a team page, open for 90 days, unless there is one."""
    now = now or timezone.now()
    existing = Survey.objects.filter(title=DEMO_TITLE).first()
    if existing is not None:
        return existing
    page = WardPage.objects.live().select_related("ward").order_by("path").first()
    if page is None:
        return None
    survey = Survey.objects.create(
        title=DEMO_TITLE,
        introduction=(
            "Demo content: this survey shows how a virtual ward panel works, and its answers are not read. "
            f"Tell the {page.ward.name} team what matters to you. Five questions, about three minutes."
        ),
        ward=page.ward,
        audience=Survey.Audience.OPEN,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=90),
    )
    questions = [
        {"kind": "local_issues", "text": "Which local issues matter most to you?"},
        {"kind": "single", "text": "How safe do you feel walking here after dark?", "choices": ["Safe", "Unsafe"]},
        {
            "kind": "rating",
            "text": "How well does the team keep you informed?",
            "help_text": "1 is poorly, 5 very well.",
        },
        {
            "kind": "ranking",
            "text": "When would you most like to see the team?",
            "choices": ["Mornings", "Afternoons", "Evenings"],
        },
        {
            "kind": "text",
            "text": "Is there anything else you want the team to know?",
            "required": False,
            "max_length": 1000,
        },
    ]
    for order, fields in enumerate(questions):
        Question.objects.create(survey=survey, sort_order=order, **fields)
    return survey
