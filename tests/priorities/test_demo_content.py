import datetime
from io import StringIO

from django.core.management import call_command

from priorities.demo import demo_content_load
from priorities.models import ForceProfile, Priority, TeamMember, WardPage

TODAY = datetime.date(2026, 11, 27)


def test_every_ward_page_gets_a_labelled_demo_team_priorities_and_meetings(client, sample_london):
    assert demo_content_load(today=TODAY) == 5

    page = WardPage.objects.get(ward__code="E05011113")
    assert page.team_members.count() == 3
    assert page.priorities.filter(status=Priority.Status.ACTIVE).count() == 3
    assert page.events.count() == 2
    assert not page.has_unpublished_changes  # published, so the editor sees what residents see
    assert all(u.date <= TODAY for p in page.priorities.all() for u in p.updates.all())
    html = client.get(page.url).content.decode()
    assert "Demo content." in html and "They are not real." in html


def test_demo_content_is_the_same_every_time(sample_london):
    demo_content_load(today=TODAY)
    first = list(TeamMember.objects.order_by("ward_page_id", "role").values_list("name", flat=True))
    WardPage.objects.get(ward__code="E05011113").team_members.all().delete()
    Priority.objects.all().delete()
    TeamMember.objects.all().delete()

    demo_content_load(today=TODAY)

    assert list(TeamMember.objects.order_by("ward_page_id", "role").values_list("name", flat=True)) == first


def test_pages_editors_have_started_on_are_left_alone(sample_london):
    started = WardPage.objects.get(ward__code="E05011113")
    TeamMember.objects.create(ward_page=started, name="PC Real Person", role="pc")

    out = StringIO()
    call_command("load_demo_content", stdout=out)

    assert "Demo content added to 4 ward pages." in out.getvalue()
    assert list(started.team_members.values_list("name", flat=True)) == ["PC Real Person"]
    assert not started.priorities.exists()
    assert demo_content_load(today=TODAY) == 0


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
