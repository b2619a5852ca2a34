"""Officers choose a priority's category from one searchable list, not ten at a time."""

import json
import re

from priorities.models import PriorityCategory

CHOOSER = "/admin/snippets/choose/priorities/prioritycategory/"


def category_names(response) -> list[str]:
    assert response.status_code == 200
    html = (
        json.loads(response.content)["html"]
        if response["Content-Type"] == "application/json"
        else response.content.decode()
    )
    return [name.strip() for name in re.findall(r"data-chooser-modal-choice[^>]*>([^<]+)<", html)]


def test_the_category_chooser_lists_every_category_and_searching_a_name_narrows_it(client, officers):
    client.force_login(officers[0])
    every = list(PriorityCategory.objects.values_list("name", flat=True))
    assert len(every) > 10

    opened = client.get(CHOOSER)
    searched = client.get(f"{CHOOSER}results/", {"q": "drug"})
    nothing = client.get(f"{CHOOSER}results/", {"q": "zebra crossings"})

    assert 'name="q"' in json.loads(opened.content)["html"]
    assert category_names(opened) == every  # one page, with the search box above
    assert category_names(searched) == ["Drug dealing and drug use"]
    assert category_names(nothing) == []


def test_administrators_search_the_category_list_too(admin_client):
    page = admin_client.get("/admin/snippets/priorities/prioritycategory/", {"q": "speed"}).content.decode()

    assert "Speeding" in page and "Shoplifting" not in page
