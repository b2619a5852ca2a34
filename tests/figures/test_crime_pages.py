"""What residents read of recorded crime: the ward page's "Crime in <ward>", the ward and borough
crime pages, the evidence beside a priority, and the open data; every figure recomputed from the
release files themselves."""

import datetime
import re
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from figures.selectors import PLAIN_NAMES
from figures.services import crime_import
from priorities.models import PriorityCategory, WardPage
from tests.figures.crime_sample import WARDS, all_months, expected_from_files, write_both, write_release

RYE_LANE = "E05011113"


@pytest.fixture
def releases(sample_london, tmp_path, django_capture_on_commit_callbacks):
    paths = write_both(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):  # what was built from no figures starts afresh
        crime_import(sources=paths)
    return paths


def monthly_totals(paths, ward) -> list[int]:
    figures = expected_from_files(paths)[ward]
    return [sum(figures.get(month, {}).values()) for month in all_months(paths)]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def thousands(number) -> str:
    return f"{number:,}"


def test_the_ward_page_tells_residents_the_crime_picture(client, releases):
    totals = monthly_totals(releases, RYE_LANE)
    last_12, before = sum(totals[-12:]), sum(totals[-24:-12])
    met_wards = list(WARDS)
    ward_last_12 = {code: sum(monthly_totals(releases, code)[-12:]) for code in met_wards}
    southwark = [ward_last_12["E05011110"], ward_last_12[RYE_LANE]]

    response = client.get(WardPage.objects.get(ward_id=RYE_LANE).url)
    text = text_of(response)

    assert "Crime in Rye Lane" in text
    assert (
        f"{thousands(last_12)} crimes recorded in Rye Lane in the 12 months from November 2024 to October 2025" in text
    )
    change = round(100 * (last_12 - before) / before)
    assert (f"{abs(change)}% {'more' if change > 0 else 'fewer'} than" if change else "the same as") in text
    half_up = lambda number: int(number + 0.5)  # noqa: E731  as the page rounds
    assert f"the average ward in Southwark recorded {half_up(sum(southwark) / 2)} crimes" in text
    assert f"the average London ward {half_up(sum(ward_last_12.values()) / len(met_wards))}" in text
    assert "town centre" in text  # the caveat
    html = response.content.decode()
    assert (
        '<svg class="chart"' in html
        and 'role="img"' in html
        and len(re.findall(r'<rect class="chart__bar"', html)) == 28
    )
    for month, total in zip(["July 2023", "October 2025"], [totals[0], totals[-1]], strict=True):
        assert f"{month} {thousands(total)}" in text  # the chart's table
    assert "Contains Metropolitan Police Service data" in text and "July 2023 to October 2025" in text
    for link in (
        "/rye-lane/crime/",
        "/southwark/crime/",
        "met.police.uk/ro/report/",
        "victimsupport.org.uk",
        "crimestoppers-uk.org",
    ):
        assert link in html


def test_without_figures_the_ward_page_points_to_police_uk(client, sample_london):
    response = client.get(WardPage.objects.get(ward_id=RYE_LANE).url)
    assert "police.uk" in response.content.decode()
    assert "ward by ward" not in client.get("/southwark/").content.decode()
    assert client.get("/southwark/crime/").status_code == 404
    assert client.get(WardPage.objects.get(ward_id=RYE_LANE).url + "crime/").status_code == 404


def test_the_ward_crime_page_has_every_kind_with_its_trend(client, releases):
    figures = expected_from_files(releases)[RYE_LANE]
    months = all_months(releases)
    kinds = defaultdict(lambda: [0] * len(months))  # as residents read them: renamed categories together
    for n, month in enumerate(months):
        for (major, minor), count in figures.get(month, {}).items():
            kinds[(PLAIN_NAMES[major], PLAIN_NAMES[minor])][n] += count
    assert kinds

    response = client.get(WardPage.objects.get(ward_id=RYE_LANE).url + "crime/")

    assert response.status_code == 200
    html, text = response.content.decode(), text_of(response)
    for (group, name), counts in kinds.items():
        assert f'<th scope="colgroup" colspan="4" class="figures__group">{group}</th>' in html
        cells = rf'<th scope="row">{re.escape(name)}</th>\s*<td class="number">{sum(counts[-12:])}</td>\s*'
        assert re.search(cells + rf'<td class="number">{sum(counts[-24:-12])}</td>', html), name
        assert f"{name} {' '.join(str(c) for c in counts)}" in text  # month by month, in order


def test_the_borough_crime_page_ranks_its_wards(client, releases):
    peckham, rye_lane = (sum(monthly_totals(releases, code)[-12:]) for code in ("E05011110", RYE_LANE))
    assert (
        '<a href="/southwark/crime/">Crime in Southwark, ward by ward</a>' in client.get("/southwark/").content.decode()
    )
    response = client.get("/southwark/crime/")
    assert response.status_code == 200
    text = text_of(response)
    first, second = sorted([("Peckham", peckham), ("Rye Lane", rye_lane)], key=lambda w: -w[1])
    assert f"1 {first[0]} {first[1]} 2 {second[0]} {second[1]}" in text
    assert "not how safe it is to live there" in text


def test_a_priority_shows_recorded_crime_of_its_kind_since_it_was_agreed(client, releases, add_priority):
    page = WardPage.objects.get(ward_id=RYE_LANE)
    burglary = PriorityCategory.objects.get(name="Residential burglary")
    add_priority(page, title="Burglaries on Bellenden Road", category=burglary, agreed_on=datetime.date(2025, 3, 14))
    add_priority(page, title="Speeding on Rye Lane")  # recorded crime does not measure speeding
    figures = expected_from_files(releases)[RYE_LANE]
    since = [f"2025-{m:02}" for m in range(4, 11)]  # whole months after it was agreed
    a_year_before = [f"2024-{m:02}" for m in range(4, 11)]
    counted = lambda months: sum(figures.get(m, {}).get(("BURGLARY", "RES BURGLARY OF A HOME"), 0) for m in months)  # noqa: E731

    text = text_of(client.get(page.url))

    assert (
        f"Since this priority was agreed, from April 2025 to October 2025, the police recorded {counted(since)} such "
        f"crime{'s' if counted(since) != 1 else ''} in Rye Lane, against {counted(a_year_before)} in the same months "
        "a year before"
    ) in text
    assert "Counted: burglary of a home" in text and "does not show on its own what the team's work has done" in text
    assert text.count("Recorded crime of this kind") == 1  # not beside speeding


def test_a_priority_agreed_after_the_latest_figures_shows_the_latest_months_and_says_so(client, releases, add_priority):
    page = WardPage.objects.get(ward_id=RYE_LANE)
    add_priority(page, title="Shoplifting", category=PriorityCategory.objects.get(name="Shoplifting"))  # agreed 2026
    text = text_of(client.get(page.url))
    assert (
        "The latest figures this site holds end in October 2025, before this priority was agreed. "
        "In August 2025 to October 2025, the police recorded"
    ) in text
    assert "The Met publishes newer figures every month" in text  # the site's are over a year old


def test_the_ward_page_with_figures_costs_no_query_more_once_kept(
    client, sample_london, tmp_path, add_priority, django_capture_on_commit_callbacks
):
    page = WardPage.objects.get(ward_id=RYE_LANE)
    add_priority(page, title="Burglaries", category=PriorityCategory.objects.get(name="Residential burglary"))
    client.get(page.url)
    with CaptureQueriesContext(connection) as without:
        client.get(page.url)
    with django_capture_on_commit_callbacks(execute=True):
        crime_import(sources=write_both(tmp_path))
    client.get(page.url)
    with CaptureQueriesContext(connection) as with_figures:
        response = client.get(page.url)
    assert "Crime in Rye Lane" in response.content.decode()
    # The ward and its crime section are kept until the next import or publish (WardPage.ward_sections).
    assert len(with_figures) == len(without), "\n".join(q["sql"][:100] for q in with_figures)


def test_a_priority_category_names_only_real_crime_categories(db):
    category = PriorityCategory(name="Bikes", crime_categories="BICYCLE THEFT\nBIKE CRIME")
    with pytest.raises(ValidationError, match="Not a Met crime category: BIKE CRIME"):
        category.full_clean()
    category.crime_categories = "BICYCLE THEFT\nTHEFT"
    category.full_clean()


# Open data


def test_the_ward_crime_api_gives_every_month_and_category_as_the_mps_names_them(client, releases):
    figures = expected_from_files(releases)[RYE_LANE]
    months = all_months(releases)
    body = client.get(f"/api/v1/wards/{RYE_LANE}/crime/").json()
    assert body["ward"] == RYE_LANE and body["months"] == months
    assert body["totals"] == monthly_totals(releases, RYE_LANE)
    categories = sorted({c for counts in figures.values() for c in counts})
    assert [(c["major"], c["minor"]) for c in body["categories"]] == categories
    for category in body["categories"]:
        key = (category["major"], category["minor"])
        assert category["counts"] == [figures.get(month, {}).get(key, 0) for month in months]
    assert "Metropolitan Police Service" in body["source"]


def test_the_borough_crime_api_adds_up_its_wards_and_ranks_them(client, releases):
    southwark = ["E05011110", RYE_LANE]
    body = client.get("/api/v1/boroughs/E09000028/crime/").json()
    expected = [sum(parts) for parts in zip(*(monthly_totals(releases, w) for w in southwark), strict=True)]
    assert body["borough"] == "E09000028" and body["totals"] == expected
    assert [w["last_12_months"] for w in body["wards"]] == sorted(
        (sum(monthly_totals(releases, w)[-12:]) for w in southwark), reverse=True
    )
    assert {w["code"] for w in body["wards"]} == set(southwark)


def test_the_crime_api_answers_for_a_real_ward_without_figures_and_refuses_the_city(client, sample_london):
    assert client.get(f"/api/v1/wards/{RYE_LANE}/crime/").json()["months"] == []
    assert client.get("/api/v1/wards/E05009290/crime/").status_code == 404  # the City of London Police's
    assert client.get("/api/v1/wards/E05000000/crime/").status_code == 404
    assert client.get("/api/v1/boroughs/E09000001/crime/").status_code == 404


def test_the_crime_api_is_documented(client, db):
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/wards/{code}/crime/" in schema and "/api/v1/boroughs/{code}/crime/" in schema


def test_with_only_a_few_months_held_the_page_says_how_many_and_compares_with_nothing(
    client, sample_london, tmp_path, add_priority, django_capture_on_commit_callbacks
):
    release = write_release(
        tmp_path / "short.csv",
        (datetime.date(2025, 6, 1), 5),
        rows=[("BURGLARY", "RES BURGLARY OF A HOME", RYE_LANE, [1, 2, 3, 4, 5])],
    )
    with django_capture_on_commit_callbacks(execute=True):
        crime_import(sources=[release])
    page = WardPage.objects.get(ward_id=RYE_LANE)
    burglary = PriorityCategory.objects.get(name="Residential burglary")
    add_priority(page, title="Burglary", category=burglary, agreed_on=datetime.date(2025, 7, 1))

    text = text_of(client.get(page.url))

    assert "15 crimes recorded in Rye Lane in the 5 months from June 2025 to October 2025." in text
    assert "more than in the 12 months before" not in text and "fewer than" not in text
    # Since 1 July (a whole month from the day it was agreed): 2 + 3 + 4 + 5, and no year before held.
    assert "the police recorded 14 such crimes in Rye Lane." in text


def test_the_borough_crime_page_costs_the_same_queries_however_many_wards(client, releases):
    client.get("/southwark/crime/")
    client.get("/westminster/crime/")
    with CaptureQueriesContext(connection) as two_wards:
        assert client.get("/southwark/crime/").status_code == 200
    with CaptureQueriesContext(connection) as three_wards:
        text = text_of(client.get("/westminster/crime/"))
    assert "Pimlico North" in text and "Vincent Square" in text and "St. James" in text
    assert len(three_wards) == len(two_wards)


def test_after_a_gap_in_the_months_held_only_the_latest_unbroken_run_is_shown(
    client, sample_london, tmp_path, django_capture_on_commit_callbacks
):
    old = write_release(tmp_path / "old.csv", (datetime.date(2023, 7, 1), 24), seed=1)  # to June 2025
    new = write_release(tmp_path / "new.csv", (datetime.date(2026, 1, 1), 24), seed=2)  # a refresh missed in between
    with django_capture_on_commit_callbacks(execute=True):
        crime_import(sources=[old, new])
    body = client.get(f"/api/v1/wards/{RYE_LANE}/crime/").json()
    assert body["months"][0] == "2026-01" and len(body["months"]) == 24
    text = text_of(client.get(WardPage.objects.get(ward_id=RYE_LANE).url))
    assert "in the 12 months from January 2027 to December 2027" in text
