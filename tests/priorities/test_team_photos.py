"""Team photos: each borough's photos, and each ward team's inside them, are an image collection of
their own; officers upload and choose only within their own, and every image has a description
(its alt text)."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from priorities.models import TeamMember, WardPage
from sn_site.image_forms import DESCRIPTION_REQUIRED
from tests.factories import ward_page_form

RYE_LANE = "E05011113"


def collection(*names: str) -> Collection:
    """The collection at this path of names below the root collection."""
    found = Collection.get_first_root_node()
    for name in names:
        found = found.get_children().get(name=name)
    return found


def photo_file(name="pc.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, get_test_image_file().file.getvalue(), content_type="image/png")


def image_in(where: Collection, title: str, description: str = "An officer, smiling") -> Image:
    return Image.objects.create(title=title, file=get_test_image_file(), collection=where, description=description)


def chooser_upload(client, where: Collection, title: str, description: str = "PC Khan in uniform, smiling"):
    return client.post(
        "/admin/images/chooser/create/",
        {
            "image-chooser-upload-title": title,
            "image-chooser-upload-file": photo_file(),
            "image-chooser-upload-description": description,
            "image-chooser-upload-collection": where.pk,
            "image-chooser-upload-tags": "",
        },
    )


def test_every_borough_and_ward_team_has_a_photo_collection(sample_london):
    southwark = collection("Southwark")

    assert sorted(southwark.get_children().values_list("name", flat=True)) == ["Peckham", "Rye Lane"]
    assert collection("Westminster").get_children().count() == 3
    assert not Collection.objects.filter(name="City of London").exists()


def test_the_team_members_photo_chooser_offers_an_upload_into_the_officers_own_collections(client, officers):
    client.force_login(officers[0])

    chooser = json.loads(client.get("/admin/images/chooser/").content)["html"]

    assert 'name="image-chooser-upload-file"' in chooser  # the chooser's Upload tab
    assert f'<option value="{collection("Southwark", "Rye Lane").pk}"' in chooser
    assert f'<option value="{collection("Westminster").pk}"' not in chooser
    uploaded = json.loads(chooser_upload(client, collection("Southwark", "Rye Lane"), "PC Khan").content)
    assert uploaded["step"] == "chosen"
    image = Image.objects.get(title="PC Khan")
    assert (image.collection, image.description) == (collection("Southwark", "Rye Lane"), "PC Khan in uniform, smiling")


def test_an_officer_cannot_upload_into_another_boroughs_collection(client, officers):
    client.force_login(officers[0])

    refused = json.loads(chooser_upload(client, collection("Westminster"), "Elsewhere").content)

    assert refused["step"] == "reshow_creation_form"
    assert not Image.objects.filter(title="Elsewhere").exists()


def test_an_officer_neither_sees_nor_chooses_another_boroughs_images(client, officers):
    own = image_in(collection("Southwark", "Peckham"), "Peckham team photo")
    other = image_in(collection("Westminster"), "Westminster team photo")
    client.force_login(officers[0])

    listing = client.get("/admin/images/").content.decode()
    chooser = client.get("/admin/images/chooser/?q=team").content.decode()

    assert "Peckham team photo" in listing and "Peckham team photo" in chooser
    assert "Westminster team photo" not in listing and "Westminster team photo" not in chooser
    assert client.get(f"/admin/images/chooser/chosen/{own.pk}/").status_code == 200
    assert client.get(f"/admin/images/chooser/chosen/{other.pk}/").status_code in (302, 403)
    assert client.get(f"/admin/images/{other.pk}/").status_code in (302, 403)


def ward_page_with_member(page: WardPage, photo: Image | None, photo_alt: str = "") -> dict:
    member = {"name": "PC Amira Khan", "role": "pc", "photo": photo.pk if photo else "", "photo_alt": photo_alt}
    return ward_page_form(page, team_members=[member])


def test_a_team_member_cannot_be_given_another_boroughs_image(client, officers):
    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)
    other = image_in(collection("Westminster"), "Westminster team photo")
    client.force_login(officers[0])

    refused = client.post(f"/admin/pages/{rye_lane.pk}/edit/", ward_page_with_member(rye_lane, other))

    assert refused.status_code == 200
    assert not TeamMember.objects.exists()


def test_a_team_members_photo_is_described_by_its_own_description(client, officers):
    """Uploaded with a description, a photo needs no second one on the team member."""
    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)
    own = image_in(collection("Southwark", "Rye Lane"), "PC Khan", description="PC Khan at the team base")
    client.force_login(officers[0])

    saved = client.post(f"/admin/pages/{rye_lane.pk}/edit/", ward_page_with_member(rye_lane, own))

    assert saved.status_code == 302, saved.content.decode()[:3000]
    page = client.get(rye_lane.url).content.decode()
    assert 'alt="PC Khan at the team base"' in page
    api = client.get(f"/api/v1/wards/{RYE_LANE}/").json()
    assert [member["photo"]["alt"] for member in api["team"]] == ["PC Khan at the team base"]


def test_a_team_members_own_photo_description_comes_first(client, sample_london, add_member):
    member = add_member(WardPage.objects.get(ward_id=RYE_LANE), 1)
    Image.objects.filter(pk=member.photo_id).update(description="A photo")

    assert 'alt="Officer 1 smiling"' in client.get(member.ward_page.url).content.decode()


def test_a_photo_with_no_description_anywhere_is_refused(sample_london):
    image = Image.objects.create(title="Old upload", file=get_test_image_file())  # before descriptions were asked for
    member = TeamMember(ward_page=WardPage.objects.get(ward_id=RYE_LANE), name="PC Khan", role="pc", photo=image)

    with pytest.raises(ValidationError, match="Describe the photo"):
        member.clean()


@pytest.mark.parametrize("where", ["add", "chooser"])
def test_the_image_form_refuses_an_image_without_alt_text(client, sample_london, where):
    client.force_login(User.objects.create_superuser("admin", password="a-long-test-password"))
    root = Collection.get_first_root_node()

    if where == "add":
        response = client.post(
            "/admin/images/add/", {"title": "No words", "file": photo_file(), "collection": root.pk, "tags": ""}
        )
        page = response.content.decode()
    else:
        response = chooser_upload(client, root, "No words", description="")
        page = json.loads(response.content)["htmlFragment"]

    assert response.status_code == 200
    assert DESCRIPTION_REQUIRED in page
    assert not Image.objects.filter(title="No words").exists()
