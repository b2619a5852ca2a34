import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from home.models import HomePage
from home.services import page_tree_build
from priorities.models import BoroughPage, WardPage


def edit_url(ward_code: str) -> str:
    return f"/admin/pages/{WardPage.objects.get(ward__code=ward_code).pk}/edit/"


@pytest.fixture
def officer(sample_london):
    """A Southwark SNT officer."""
    user = User.objects.create_user("pc.southwark", password="a-long-test-password")
    call_command("add_officer", "pc.southwark", "--borough", "E09000028", stdout=StringIO())
    return user


def test_every_met_borough_gets_an_officers_group(sample_london):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Westminster officers", "Southwark officers"}
    assert not Group.objects.filter(name__startswith="City of London").exists()


def test_rebuilding_the_tree_does_not_duplicate_groups_or_permissions(sample_london):
    before = (Group.objects.count(), GroupPagePermission.objects.count())

    page_tree_build()

    assert (Group.objects.count(), GroupPagePermission.objects.count()) == before


def test_an_officer_can_edit_their_own_boroughs_ward_pages(client, officer):
    client.force_login(officer)

    assert client.get("/admin/").status_code == 200
    assert client.get(edit_url("E05011113")).status_code == 200  # Rye Lane, Southwark


def test_an_officer_cannot_edit_another_boroughs_ward_page(client, officer):
    client.force_login(officer)
    st_james = WardPage.objects.get(ward__code="E05013806")

    assert client.get(edit_url("E05013806")).status_code != 200
    response = client.post(edit_url("E05013806"), {"title": "Taken over", "slug": "st-jamess", "action-publish": "1"})

    assert response.status_code != 200
    st_james.refresh_from_db()
    assert st_james.title == "St. James's" and not st_james.has_unpublished_changes


def test_an_officer_cannot_delete_a_ward_page(client, officer):
    client.force_login(officer)
    page = WardPage.objects.get(ward__code="E05011113")

    client.post(f"/admin/pages/{page.pk}/delete/")

    assert WardPage.objects.filter(pk=page.pk).exists()


def test_a_ward_editor_looks_after_their_ward_only(client, sample_london):
    user = User.objects.create_user("pcso.ryelane", password="a-long-test-password")
    call_command("add_officer", "pcso.ryelane", "--ward", "E05011113", stdout=StringIO())
    client.force_login(user)

    assert client.get(edit_url("E05011113")).status_code == 200  # Rye Lane
    assert client.get(edit_url("E05011110")).status_code != 200  # Peckham, next door


@pytest.mark.parametrize(
    ("area", "says"),
    [
        (["--borough", "E09999999"], "There is no page for E09999999: no borough has that code"),
        (["--borough", "E05011113"], "E05011113 is a ward's code: use --ward E05011113"),
        (["--ward", "E09000028"], "E09000028 is a borough's code: use --borough E09000028"),
        (["--borough", "Southwark"], "'SOUTHWARK' is not an ONS code: a borough's looks like E09000022"),
        (["--borough", "E09000001"], "City of London is policed by the City of London Police"),
        (["--ward", "E05011113", "--sergeant"], "--sergeant goes with --borough"),
    ],
)
def test_adding_an_officer_to_a_wrong_area_says_what_is_wrong(sample_london, area, says):
    User.objects.create_user("someone")

    with pytest.raises(CommandError, match=re.escape(says)):
        call_command("add_officer", "someone", *area, stdout=StringIO())

    assert not User.objects.get(username="someone").groups.exists()


def add_officer(*args) -> str:
    out = StringIO()
    call_command("add_officer", *args, stdout=out)
    return out.getvalue()


def test_add_officer_makes_a_new_officers_account_and_emails_a_link_to_choose_a_password(
    client, sample_london, settings, mailoutbox
):
    settings.WAGTAILADMIN_BASE_URL = "https://sn.example.org"

    said = add_officer("pc.smith", "--borough", "E09000028", "--email", "pc.smith@police.example")

    user = User.objects.get(username="pc.smith")
    assert list(user.groups.values_list("name", flat=True)) == ["Southwark officers"]
    assert not user.has_usable_password()
    assert "Sent a link to choose a password to pc.smith@police.example" in said
    [email] = mailoutbox
    assert email.to == ["pc.smith@police.example"] and "pc.smith" in email.body
    link = re.search(r"https://sn\.example\.org(/admin/password_reset/confirm/\S+/)", email.body).group(1)
    set_password = client.get(link, follow=True)
    assert set_password.status_code == 200 and 'name="new_password1"' in set_password.content.decode()
    client.post(
        set_password.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password", "new_password2": "a-new-long-password"},
    )
    signed_in = client.post("/admin/login/", {"username": "pc.smith", "password": "a-new-long-password"})
    assert signed_in.status_code == 302
    assert client.get(edit_url("E05011113")).status_code == 200
    assert client.get(link, follow=True).context["validlink"] is False  # used once only


def test_add_officer_asks_for_an_email_address_to_make_an_account(sample_london, mailoutbox):
    with pytest.raises(CommandError, match=re.escape("There is no user 'pc.smith': give their email address")):
        add_officer("pc.smith", "--borough", "E09000028")

    with pytest.raises(CommandError, match="Enter a valid email address"):
        add_officer("pc.smith", "--borough", "E09000028", "--email", "not-an-address")

    assert not User.objects.filter(username="pc.smith").exists() and not mailoutbox


def test_add_officer_sends_no_link_to_someone_who_has_a_password(sample_london, mailoutbox):
    User.objects.create_user("pc.jones", "pc.jones@police.example", "a-long-test-password")

    said = add_officer("pc.jones", "--ward", "E05011113", "--email", "other@police.example")

    assert not mailoutbox
    assert "already has an account, with pc.jones@police.example: --email was not used" in said
    assert User.objects.get(username="pc.jones").email == "pc.jones@police.example"


def test_add_officer_makes_a_sergeant(client, sample_london):
    sergeant = User.objects.create_user("ps.khan", password="a-long-test-password")

    add_officer("ps.khan", "--borough", "E09000028", "--sergeant")

    assert list(sergeant.groups.values_list("name", flat=True)) == ["Southwark sergeants"]
    client.force_login(sergeant)
    assert client.get(edit_url("E05011113")).status_code == 200
    assert client.get(edit_url("E05013806")).status_code != 200  # St James's, Westminster


DEFAULT_GROUPS = ("Editors", "Moderators")


def test_wagtails_default_groups_hold_no_rights_over_londons_pages_or_photos(sample_london):
    groups = Group.objects.filter(name__in=DEFAULT_GROUPS)

    assert groups.count() == 2  # made by Wagtail's migrations, emptied by ours
    assert not GroupPagePermission.objects.filter(group__in=groups).exists()
    assert not GroupCollectionPermission.objects.filter(group__in=groups).exists()


def test_building_the_page_tree_takes_back_rights_given_to_the_default_groups_over_all_of_london(sample_london):
    editors = Group.objects.get(name="Editors")
    change_page = Permission.objects.get(codename="change_page")
    GroupPagePermission.objects.create(group=editors, page=Page.get_first_root_node(), permission=change_page)
    GroupPagePermission.objects.create(group=editors, page=HomePage.objects.get(), permission=change_page)
    GroupCollectionPermission.objects.create(
        group=editors,
        collection=Collection.get_first_root_node(),
        permission=Permission.objects.get(codename="add_image"),
    )
    one_ward = WardPage.objects.get(ward_id="E05011113")  # given by an administrator on purpose: theirs to give
    GroupPagePermission.objects.create(group=editors, page=one_ward, permission=change_page)

    page_tree_build()

    assert list(GroupPagePermission.objects.filter(group=editors).values_list("page", flat=True)) == [one_ward.pk]
    assert not GroupCollectionPermission.objects.filter(group=editors).exists()


def borough_of_page(page: Page) -> str | None:
    borough = BoroughPage.objects.filter(path__in=[page.path[:n] for n in range(4, len(page.path) + 1, 4)]).first()
    return borough.borough.name if borough else None


def borough_of_collection(collection: Collection) -> str | None:
    return collection.get_ancestors(inclusive=True).filter(depth=2).values_list("name", flat=True).first()


def test_no_group_but_administrators_reaches_beyond_its_own_borough(sample_london):
    """As a site is set up: the page tree, demo content and surveys, officers of boroughs and wards,
    sergeants. Every group's pages and photos are in one borough; only superusers reach further."""
    call_command("load_demo_content", stdout=StringIO())
    call_command("load_demo_surveys", stdout=StringIO())
    for username, *area in [
        ("pc.southwark", "--borough", "E09000028"),
        ("pcso.ryelane", "--ward", "E05011113"),
        ("ps.westminster", "--borough", "E09000033", "--sergeant"),
        ("pcso.stjames", "--ward", "E05013806"),
    ]:
        User.objects.create_user(username)
        add_officer(username, *area)
    page_tree_build()

    reach = {}
    for group in Group.objects.all():
        pages = {
            borough_of_page(p.page) for p in GroupPagePermission.objects.filter(group=group).select_related("page")
        }
        collections = {
            borough_of_collection(p.collection)
            for p in GroupCollectionPermission.objects.filter(group=group).select_related("collection")
        }
        reach[group.name] = pages | collections
        assert None not in reach[group.name], f"{group.name} reaches beyond every borough"
        assert len(reach[group.name]) <= 1, f"{group.name} reaches {sorted(reach[group.name])}"
    assert reach["Southwark officers"] == reach["Rye Lane ward editors (Southwark)"] == {"Southwark"}
    assert reach["Westminster sergeants"] == reach["St. James's ward editors (Westminster)"] == {"Westminster"}
    assert reach["Editors"] == reach["Moderators"] == set()


def test_an_administrator_can_still_delete_a_ward_page(client, sample_london):
    client.force_login(User.objects.create_superuser("admin", password="a-long-test-password"))
    page = WardPage.objects.get(ward__code="E05011113")

    client.post(f"/admin/pages/{page.pk}/delete/")

    assert not WardPage.objects.filter(pk=page.pk).exists()
