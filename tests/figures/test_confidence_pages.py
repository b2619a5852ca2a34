"""The borough page's section on what residents told the Public Attitude Survey."""

import re
from html.parser import HTMLParser

import pytest

from figures.services import confidence_import
from priorities.models import WardPage
from tests.figures.confidence_sample import write_confidence_csv


class Tables(HTMLParser):
    """Each <table>'s caption and rows of cell text, as a screen reader would read them out."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td", "caption"):
            self._text = []
        elif tag == "br" and self._text is not None:
            self._text.append(" ")

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._text is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "caption" and self._text is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._text).split())
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def tables_in(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def with_figures(sample_london, tmp_path):
    confidence_import(source=write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))


def section(html: str) -> str:
    found = re.search(r'<section id="confidence".*?</section>', html, re.S)
    assert found, "no confidence section"
    return found.group(0)


def test_the_borough_page_says_what_residents_told_the_survey(client, with_figures):
    html = section(client.get("/southwark/").content.decode())
    summary, good_job, trust = tables_in(html)

    assert "What residents say about policing in Southwark" in html
    assert summary["caption"] == (
        "Residents who agreed in the 12 months to 31 December 2023, and the change in Southwark on a year before, "
        "in percentage points"
    )
    assert summary["rows"] == [
        ["Residents who…", "Southwark", "London"],
        ['Think the police do a good job in their local area ("Good Job" local)', "56% up 4", "55%"],
        ["Trust the Met, London's police (Trust MPS)", "60% down 6", "63%"],
    ]
    assert good_job["caption"] == (
        "Residents who think the police do a good job in their local area, Southwark and all London, newest first"
    )
    assert good_job["rows"] == [
        ["12 months to", "Southwark", "All London"],
        ["31 Dec 2023", "56%", "55%"],
        ["30 Sep 2023", "55%", "54%"],
        ["30 Jun 2023", "55%", "53%"],
        ["31 Mar 2023", "54%", "52%"],
        ["31 Dec 2022", "52%", "51%"],
    ]
    assert trust["rows"][1] == ["31 Dec 2023", "60%", "63%"]


def test_each_measure_has_a_chart_with_a_key_that_is_not_colour_alone(client, with_figures):
    html = section(client.get("/southwark/").content.decode())

    charts = re.findall(r'<svg class="chart"[^>]*role="img" aria-label="([^"]*)"', html)
    assert charts[0] == (
        "Line chart: residents who think the police do a good job in their local area, Southwark (solid line) and "
        "all London (dashed line), in the 12 months to each quarter from December 2022 to December 2023. "
        "The figures are in the table below the chart."
    )
    assert len(charts) == 2
    assert html.count('class="chart__line"') == 2 and html.count('class="chart__line chart__line--dashed"') == 2
    assert html.count("Southwark (solid line)</li>") == 2 and html.count("All London (dashed line)</li>") == 2
    assert html.count("<details>") == 2  # each chart's table


def test_the_section_says_what_the_figures_can_and_cannot_tell(client, with_figures):
    html = section(client.get("/westminster/").content.decode())

    assert "What residents say about policing in Westminster" in html
    assert "in the 12 months up to the date shown" in html
    assert "for the whole borough only, not for each ward" in html
    assert "a sample of residents" in html and "a few percentage points higher or lower" in html
    assert (
        'The latest figures here are for the 12 months to <time datetime="2023-12-31">31 December 2023</time>' in html
    )
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in html
    assert (
        "In the 12 months to 31 December 2023: 58% in Westminster, against 55% across London. "
        "Down 3 percentage points from 61% a year before."
    ) in html


def test_a_measure_without_a_year_before_says_so(client, with_figures):
    html = section(client.get("/westminster/").content.decode())
    trust = tables_in(html)[0]["rows"][2]

    assert trust[1:] == ["73%", "63%"]
    assert "73% in Westminster, against 63% across London. No figure for a year before." in html


def test_a_borough_without_figures_shows_no_section(client, sample_london):
    response = client.get("/southwark/")

    assert response.status_code == 200
    assert 'id="confidence"' not in response.content.decode()


def test_the_figures_cost_the_borough_page_no_query_once_kept(client, with_figures, django_assert_max_num_queries):
    # As measured: the figures, the crime months held, the wards' map and links, the natural
    # neighbourhoods, and what every page keeps.
    with django_assert_max_num_queries(22):
        client.get("/southwark/")
    with django_assert_max_num_queries(13):  # as without figures (tests/priorities/test_borough_page.py)
        response = client.get("/southwark/")

    assert 'id="confidence"' in response.content.decode()


def test_ward_pages_link_to_what_their_boroughs_residents_say(
    client, sample_london, tmp_path, django_capture_on_commit_callbacks
):
    rye_lane = WardPage.objects.get(ward_id="E05011113")
    assert "What residents say about policing" not in client.get(rye_lane.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confidence_import(source=write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))
    html = client.get(rye_lane.url).content.decode()
    assert '<a href="/southwark/#confidence">What residents say about policing in Southwark</a>' in html
    assert 'id="confidence"' in client.get("/southwark/").content.decode()
