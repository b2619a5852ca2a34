import datetime
import re
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex, Revision

from geography.models import Postcode
from home.demo import demo_content_load
from priorities.demo import STORIES
from priorities.models import Event, ForceProfile, Priority, PriorityCategory, TeamMember, WardPage

TODAY = datetime.date(2026, 11, 27)
RYE_LANE = "E05011113"


def test_every_ward_page_gets_a_labelled_demo_team_priorities_and_meetings(client, sample_london):
    assert demo_content_load(today=TODAY) == 5

    page = WardPage.objects.get(ward__code=RYE_LANE)
    assert page.team_members.count() == 3
    assert page.priorities.filter(status=Priority.Status.ACTIVE).count() == 3
    assert page.events.count() == 2
    assert not page.has_unpublished_changes  # published, so the editor sees what residents see
    assert all(u.date <= TODAY for p in page.priorities.all() for u in p.updates.all())
    html = client.get(page.url).content.decode()
    assert "Demo content." in html and "They are not real." in html


def test_teams_have_a_made_up_phone_number_and_a_base_in_their_ward(client, sample_london):
    demo_content_load(today=TODAY)

    for page in WardPage.objects.select_related("ward"):
        # Ofcom's numbers for drama: well formed, and never anyone's real line.
        assert re.fullmatch(r"020 7946 0\d\d\d", page.phone), page.phone
        postcode = page.base_address.split()[-2] + " " + page.base_address.split()[-1]
        assert Postcode.objects.get(postcode=postcode).ward_id == page.ward_id  # a real postcode in the ward
        for event in page.events.all():  # each meeting at a real postcode in the ward too (its map marks it)
            assert Postcode.objects.get(postcode=" ".join(event.place.split()[-2:])).ward_id == page.ward_id
    page = WardPage.objects.get(ward__code=RYE_LANE)
    html = client.get(page.url).content.decode()
    assert f'href="tel:{page.phone.replace(" ", "")}"' in html
    assert "Rye Lane Safer Neighbourhoods base (not open to the public)" in html
    contact = client.get(f"/api/v1/wards/{RYE_LANE}/").json()["contact"]
    assert contact["telephone"] == page.phone and contact["base_address"] == page.base_address


def test_every_category_a_new_site_starts_with_has_its_own_story(db):
    seeded = set(PriorityCategory.objects.values_list("name", flat=True))  # as the migrations left them

    assert len(seeded) == 20 and seeded == set(STORIES)
    lines = [line for story in STORIES.values() for line in story.titles + story.you_said + story.we_did]
    assert len(lines) == len(set(lines))  # no line told for two kinds of problem


def test_what_residents_said_and_what_the_team_did_fit_the_kind_of_priority(sample_london):
    demo_content_load(today=TODAY)

    priorities = Priority.objects.select_related("category", "ward_page__ward").prefetch_related("updates")
    for priority in priorities:
        story = STORIES[priority.category.name]
        ward = priority.ward_page.ward.name
        assert priority.title in [title.format(ward=ward) for title in story.titles]
        assert priority.you_said in [line.format(ward=ward) for line in story.you_said], priority.category.name
        for update in priority.updates.all():
            assert update.we_did in [line.format(ward=ward) for line in story.we_did], priority.category.name
    assert len({p.category_id for p in priorities}) >= 5  # varied across the wards
    assert len({p.you_said for p in priorities}) >= 8


def test_demo_content_is_the_same_every_time(sample_london):
    demo_content_load(today=TODAY)
    first = list(
        WardPage.objects.order_by("path").values_list("phone", "base_address", "priorities__you_said", "events__place")
    )
    names = list(TeamMember.objects.order_by("ward_page_id", "role").values_list("name", flat=True))
    for model in (Priority, TeamMember, Event, Revision):  # every page back as the page tree made it
        model.objects.all().delete()
    WardPage.objects.update(latest_revision=None, live_revision=None)

    demo_content_load(today=TODAY)

    assert list(TeamMember.objects.order_by("ward_page_id", "role").values_list("name", flat=True)) == names
    assert (
        list(
            WardPage.objects.order_by("path").values_list(
                "phone", "base_address", "priorities__you_said", "events__place"
            )
        )
        == first
    )


def test_pages_editors_have_started_on_are_left_alone(sample_london):
    started = WardPage.objects.get(ward__code=RYE_LANE)
    TeamMember.objects.create(ward_page=started, name="PC Real Person", role="pc")
    drafted = WardPage.objects.get(ward__code="E05011110")
    drafted.introduction = "<p>Peckham's team, in our own words: not ready yet.</p>"
    drafted.save_revision()  # a draft: nothing published yet, and no team in the database

    out = StringIO()
    call_command("load_demo_content", stdout=out)

    assert "Demo content added to 3 ward pages." in out.getvalue()
    assert list(started.team_members.values_list("name", flat=True)) == ["PC Real Person"]
    assert not started.priorities.exists()
    drafted = WardPage.objects.get(pk=drafted.pk)
    assert (
        drafted.get_latest_revision_as_object().introduction
        == "<p>Peckham's team, in our own words: not ready yet.</p>"
    )
    assert not drafted.team_members.exists() and drafted.has_unpublished_changes
    assert demo_content_load(today=TODAY) == 0


def test_a_second_run_duplicates_nothing(sample_london):
    demo_content_load(today=TODAY)
    counts = [model.objects.count() for model in (TeamMember, Priority, Event, Revision, ReferenceIndex)]

    assert demo_content_load(today=TODAY) == 0
    assert [model.objects.count() for model in (TeamMember, Priority, Event, Revision, ReferenceIndex)] == counts


def test_editors_take_over_demo_pages_as_if_they_had_published_them(client, sample_london):
    demo_content_load(today=TODAY)
    page = WardPage.objects.get(ward__code=RYE_LANE)
    team = list(page.team_members.values_list("name", flat=True))
    priorities = list(page.priorities.values_list("title", flat=True))

    draft = page.get_latest_revision_as_object()
    assert [m.name for m in draft.team_members.all()] == team
    assert [p.title for p in draft.priorities.all()] == priorities
    admin = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    client.force_login(admin)
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200 and team[0] in edit.content.decode()

    draft.phone = "020 7946 0999"
    draft.save_revision().publish()  # an officer's first edit: the demo team is kept, not doubled

    page = WardPage.objects.get(pk=page.pk)
    assert page.phone == "020 7946 0999"
    assert list(page.team_members.values_list("name", flat=True)) == team
    assert page.priorities.count() == 3


def test_site_search_and_the_admins_usage_count_see_demo_content(client, sample_london):
    demo_content_load(today=TODAY)
    priority = Priority.objects.select_related("category", "ward_page").filter(ward_page__ward=RYE_LANE).first()

    words = " ".join(priority.you_said.split()[2:5])
    html = client.get("/search/", {"q": words}).content.decode()
    assert priority.ward_page.url in html
    used_by = ReferenceIndex.get_references_to(priority.category).values_list("object_id", flat=True)
    assert str(priority.ward_page_id) in used_by


def test_filling_a_page_costs_a_few_queries_not_a_publish_each(sample_london):
    demo_content_load(today=TODAY)  # the content pages and force profile, made once
    for model in (Priority, TeamMember, Event, Revision):
        model.objects.all().delete()
    WardPage.objects.update(latest_revision=None, live_revision=None)

    with CaptureQueriesContext(connection) as queries:
        assert demo_content_load(today=TODAY) == 5

    # Publishing page by page cost about 200 queries a page (5 minutes for London's 679 wards).
    assert len(queries) < 15 * 5, "\n".join(q["sql"][:100] for q in queries)


def test_the_force_gets_a_labelled_demo_profile_unless_an_administrator_wrote_one(client, sample_london):
    demo_content_load(today=TODAY)
    force = client.get("/api/police-uk/forces/metropolitan").json()
    assert "Demo content" in force["description"]
    assert [method["url"] for method in force["engagement_methods"]] == ["https://www.met.police.uk/"]

    profile = ForceProfile.load()
    profile.description = "<p>Written by the force.</p>"
    profile.save()
    profile.engagement_methods.all().delete()
    demo_content_load(today=TODAY)
    assert ForceProfile.load().description == "<p>Written by the force.</p>"


def test_categories_an_administrator_added_get_no_demo_priorities(sample_london):
    PriorityCategory.objects.exclude(name__in=["Begging", "Robbery", "Speeding"]).delete()
    PriorityCategory.objects.create(name="Aardvark sightings")  # nobody wrote what residents say about it

    assert demo_content_load(today=TODAY) == 5

    assert set(Priority.objects.values_list("category__name", flat=True)) == {"Begging", "Robbery", "Speeding"}
