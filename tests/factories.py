"""factory-boy factories: what a test builds, with the defaults a real ward would have. The builder
fixtures in tests/conftest.py (add_priority, add_member, make_survey, ...) hand them to tests. And
the Wagtail admin's forms as the browser posts them, for tests that save pages as officers do."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from newsletters.models import Subscriber, Subscription
from priorities.models import Event, Priority, PriorityCategory, PriorityUpdate, TeamMember
from ward_panels.models import Question, Response, Survey

PRIORITY_AGREED = datetime.date(2026, 9, 1)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = PriorityCategory
        django_get_or_create = ("name",)  # the migrations seed most; a test that commits empties them

    name = "Speeding"


class PriorityFactory(DjangoModelFactory):
    """A priority on a ward page (`ward_page=`), agreed on 1 September 2026, as the admin saves it;
    `updates=[(day in October 2026, "we did"), ...]`."""

    class Meta:
        model = Priority
        skip_postgeneration_save = True

    title = "Speeding on Rye Lane"
    category = factory.SubFactory(CategoryFactory)
    you_said = "Cars race down Rye Lane after school."
    agreed_on = PRIORITY_AGREED
    review_by = factory.LazyAttribute(lambda p: p.agreed_on + datetime.timedelta(days=120))
    status = Priority.Status.ACTIVE
    outcome = factory.LazyAttribute(lambda p: "" if p.status == Priority.Status.ACTIVE else "Speed humps went in.")

    @factory.post_generation
    def updates(priority, create, given, **kwargs):
        for day, text in given or ():
            PriorityUpdate.objects.create(priority=priority, date=datetime.date(2026, 10, day), we_did=text)


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = Image

    title = factory.Sequence(lambda n: f"Photo {n}")
    file = factory.LazyFunction(get_test_image_file)


class TeamMemberFactory(DjangoModelFactory):
    """PC Officer n in a ward's team (`ward_page=`, `n=`), with a described photo unless photo=None."""

    class Meta:
        model = TeamMember
        exclude = ("n",)

    n = factory.Sequence(int)
    name = factory.LazyAttribute(lambda m: f"PC Officer {m.n}")
    role = "pc"
    photo = factory.SubFactory(ImageFactory, title=factory.LazyAttribute(lambda i: f"Officer {i.factory_parent.n}"))
    photo_alt = factory.LazyAttribute(lambda m: f"Officer {m.n} smiling" if m.photo else "")


class EventFactory(DjangoModelFactory):
    """An hour-long meeting of a ward's team (`ward_page=`), `days_from_now` days from now."""

    class Meta:
        model = Event
        exclude = ("days_from_now",)

    days_from_now = 7
    kind = Event.Kind.CONTACT_POINT
    title = "Meet the team"
    starts_at = factory.LazyAttribute(lambda e: timezone.now() + datetime.timedelta(days=e.days_from_now))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + datetime.timedelta(hours=1))
    place = "Peckham Library, SE15 5JR"
    accessibility = "Step-free access and a hearing loop."


class SurveyFactory(DjangoModelFactory):
    """An open survey of five questions, one of each kind, open since yesterday for two weeks, for
    Rye Lane's panel; `answered=n`: that many people have responded (with no answers to count)."""

    class Meta:
        model = Survey
        skip_postgeneration_save = True

    title = "What should we work on?"
    introduction = "Five questions, about three minutes."
    ward_id = "E05011113"
    audience = Survey.Audience.PANEL
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=13))

    @factory.post_generation
    def questions(survey, create, given, **kwargs):
        for name in ("Speeding", "Burglary", "Drug dealing"):
            CategoryFactory(name=name)
        Question.objects.create(
            survey=survey, sort_order=1, kind="single", text="Do you feel safe?", choices=["Yes", "No"]
        )
        Question.objects.create(survey=survey, sort_order=2, kind="rating", text="How visible is your team?")
        Question.objects.create(survey=survey, sort_order=3, kind="local_issues", text="Which issues matter most?")
        Question.objects.create(
            survey=survey, sort_order=4, kind="ranking", text="Put these in order", choices=["Day", "Evening", "Night"]
        )
        Question.objects.create(
            survey=survey, sort_order=5, kind="text", text="Anything else?", required=False, max_length=50
        )

    @factory.post_generation
    def answered(survey, create, given, **kwargs):
        Response.objects.bulk_create(Response(survey=survey) for _ in range(given or 0))


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"s{n}@example.org")
    confirmed_at = factory.LazyFunction(timezone.now)


class SubscriptionFactory(DjangoModelFactory):
    """A confirmed subscription to one newsletter: give `ward_id=` or `borough_id=`."""

    class Meta:
        model = Subscription

    subscriber = factory.SubFactory(SubscriberFactory)
    confirmed_at = factory.SelfAttribute("subscriber.confirmed_at")


def ward_page_form(
    page, *, priorities=(), existing=0, team_members=(), events=(), existing_events=0, action="publish"
) -> dict:
    """A ward page's edit form, to publish (or `action`): each section a list of its rows as dicts
    (a priority's "updates" too), the sections not given sent empty; the first `existing`
    priorities are ones the page has, each with its "id" (and so the first `existing_events` events)."""
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "introduction": rich_text(""),
            "priorities": inline_formset(
                [{**row, "updates": inline_formset(list(row.get("updates", [])))} for row in priorities],
                initial=existing,
            ),
            "team_members": inline_formset(list(team_members)),
            "team_links": inline_formset([]),
            "events": inline_formset(list(events), initial=existing_events),
            "survey_summaries": inline_formset([]),
            "comments": inline_formset([]),
            f"action-{action}": action,
        }
    )
