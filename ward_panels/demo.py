"""Demo surveys, so a new site shows what answering one is like: one open to anyone in each
borough, which every ward page of the borough links to. Labelled as demo."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from geography.models import Borough

from .models import Question, Survey
from .selectors import surveys_open

DEMO_TITLE = "Demo: what should your team work on?"
QUESTIONS = [
    {"kind": "local_issues", "text": "Which local issues matter most to you?"},
    {"kind": "single", "text": "How safe do you feel walking here after dark?", "choices": ["Safe", "Unsafe"]},
    {"kind": "rating", "text": "How well does the team keep you informed?", "help_text": "1 is poorly, 5 very well."},
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


def demo_surveys_ensure(*, now: datetime.datetime | None = None) -> list[Survey]:
    """An open demo survey for every borough with a published page that has none open, open until
    the end of the day 90 days on (11:59pm, London time). Returns every borough's open demo survey, by borough name."""
    now = now or timezone.now()
    last_day = timezone.localdate(now) + datetime.timedelta(days=90)
    closes_at = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(23, 59)))
    open_demos = Survey.objects.filter(
        title=DEMO_TITLE, audience=Survey.Audience.OPEN, borough__isnull=False, closes_at__gt=now
    )
    boroughs = (
        Borough.objects.filter(page__live=True)
        .exclude(code__in=open_demos.values("borough_id"))
        .defer("outline")
        .order_by("name")
    )
    with transaction.atomic():
        for borough in boroughs:
            survey = Survey.objects.create(
                title=DEMO_TITLE,
                introduction=(
                    "Demo content: this survey shows how a virtual ward panel works "
                    "(on a real site, the team reads every answer). "
                    f"Tell the teams in {borough.name} what matters to you. Five questions, about three minutes."
                ),
                borough=borough,
                audience=Survey.Audience.OPEN,
                opens_at=now - datetime.timedelta(hours=1),
                closes_at=closes_at,
            )
            Question.objects.bulk_create(
                Question(survey=survey, sort_order=order, **fields) for order, fields in enumerate(QUESTIONS)
            )
    return list(open_demos.select_related("borough").defer("borough__outline").order_by("borough__name", "pk"))


def demo_survey_to_try(**kwargs) -> tuple[str, str] | None:
    """The first borough's demo survey, for the welcome `make run` prints."""
    survey = surveys_open().filter(title=DEMO_TITLE, borough__isnull=False).order_by("borough__name").first()
    return ("A demo survey", reverse("ward_panels:survey", args=[survey.pk])) if survey else None
