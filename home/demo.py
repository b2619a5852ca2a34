"""Demo content for the site's own pages: the force's promises and the accessibility statement,
and, through the teams app, every ward page nobody has started on."""

import datetime

from django.utils import timezone

from priorities.demo import neighbourhood_demo_load, ward_demo_content_load
from sn_site.progress import Progress, no_progress

from .models import ContentPage, HomePage

CONTENT_PAGES = {
    "our-promises": (
        "Our promises to Londoners",
        "What you can expect from your Safer Neighbourhoods Team. (Demo content: a real force writes its own.)",
        "<h2>We will be there</h2><p>Every ward has its own team of officers and PCSOs who know the area, and "
        "they spend most of their time out on its streets.</p><h2>We will listen</h2><p>Your ward panel agrees up "
        "to three priorities with the team. Anyone can raise a problem: at a meeting, online, or by stopping an "
        "officer.</p><h2>We will tell you what we did</h2><p>For every priority the team publishes what it did and "
        "what came of it, on its ward page and in its newsletter.</p><h2>We will treat you fairly</h2><p>With "
        "courtesy and respect, whoever you are. If we fall short, tell us.</p>",
    ),
    # What the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility
    # Regulations 2018 ask a statement to say; {prepared} is the day the page was made.
    "accessibility": (
        "Accessibility statement",
        "How well this site works for disabled people, what does not work yet, and how to tell us or ask for "
        "something in another format.",
        "<p><strong>Demo content.</strong> The parts marked as demo are for the force to check and fill in "
        "before the site goes live.</p>"
        "<p>We want as many people as possible to be able to use this site. You should be able to:</p>"
        "<ul><li>change colours, contrast and fonts in your browser or device</li>"
        "<li>zoom in up to 400% without the text spilling off the screen</li>"
        "<li>use the whole site with a keyboard alone, or with speech recognition software</li>"
        "<li>use it with a screen reader</li>"
        "<li>use it without JavaScript, and on a small phone screen</li></ul>"
        '<p>We have written the text to be as simple as we can. <a href="https://mcmw.abilitynet.org.uk/">'
        "AbilityNet</a> has advice on making your device easier to use if you have a disability.</p>"
        "<h2>How accessible this site is</h2>"
        "<p>This site is partially compliant with the Web Content Accessibility Guidelines (WCAG) version 2.2 "
        "at level AA, because of the problems listed below.</p>"
        "<h2>What is not accessible, and why</h2>"
        "<ul><li>Maps are drawings. People who cannot see them are told which wards they show, which wards "
        "are next to each other and which places are marked, but not where the edges run. Ward outlines may "
        "be approximate. Every name, link, meeting place and figure on a map is also written out beside it."
        "</li>"
        "<li>Documents that teams upload, such as PDFs of meeting minutes, may not be accessible: they may "
        "have no headings or text for screen readers. Ask the team for the document in another format.</li>"
        "<li>The documentation of our open data API is made by a third party (Redoc). It needs JavaScript "
        "and is hard to use with a keyboard or screen reader. The same information is in the API's "
        "machine-readable description, and you can ask us for it in another format.</li>"
        "<li>Links to crime maps and to reporting crime online go to other police websites, which have "
        "accessibility statements of their own.</li>"
        "<li>The admin that officers use to keep their pages up to date is Wagtail's. It is not part of the "
        "public site, and has known problems of its own; officers can ask for help using it.</li></ul>"
        "<p>We plan to describe each ward's boundary in words (the streets it follows), and to ask teams to "
        "publish documents as web pages rather than PDFs. (Demo content: the force sets its own plan and "
        "dates.)</p>"
        "<h2>Reporting a problem, or asking for another format</h2>"
        "<p>If you need anything on this site in another format, such as large print, easy read, an audio "
        "recording or braille, or if you find a problem not listed here, email "
        '<a href="mailto:accessibility@example.org">accessibility@example.org</a> or call '
        '<a href="tel:101">101</a>. Deaf, hard of hearing or speech-impaired people can use Relay UK '
        "(18001 101). Tell us the page and what you were trying to do. We will reply within 5 working days. "
        "(Demo content: the force gives its own address and time to reply.)</p>"
        "<h2>Enforcement procedure</h2>"
        "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector "
        "Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not "
        "happy with how we respond to your complaint, contact the "
        '<a href="https://www.equalityadvisoryservice.com/">Equality Advisory and Support Service '
        "(EASS)</a>.</p>"
        "<h2>How we tested this site</h2>"
        "<p>Every change to the site is checked automatically in a real browser with the axe-core "
        "accessibility checker, against WCAG 2.2 level AA, on a 320 pixel wide phone screen and a desktop "
        "screen, with and without JavaScript. The checks cover the home page, finding your team, borough and "
        "ward pages, search, surveys and joining a ward panel. The site has not yet been tested by disabled "
        "people or audited by an accessibility specialist. (Demo content: the force arranges an audit and "
        "says here who did it and when.)</p>"
        "<h2>Preparation of this accessibility statement</h2>"
        "<p>This statement was prepared on {prepared}. It was last reviewed on {prepared}. (Demo content: the "
        "force reviews it at least once a year and after any big change to the site.)</p>",
    ),
}


def content_pages_ensure(*, today: datetime.date | None = None) -> int:
    """The site's plain content pages, under the home page, if missing. Returns how many were made."""
    home = HomePage.objects.first()
    if home is None:
        return 0
    prepared = f"{today or timezone.localdate():%-d %B %Y}"
    made = 0
    for slug, (title, introduction, body) in CONTENT_PAGES.items():
        if not ContentPage.objects.filter(slug=slug).exists():
            body = body.replace("{prepared}", prepared)
            home.add_child(instance=ContentPage(title=title, slug=slug, introduction=introduction, body=body))
            made += 1
    return made


def demo_content_load(*, today: datetime.date | None = None, progress: Progress = no_progress) -> int:
    """The content pages, then demo content on every ward page nobody has started on (published),
    then the demo natural neighbourhoods. Returns how many ward pages were filled."""
    content_pages_ensure(today=today)
    filled = ward_demo_content_load(today=today, progress=progress)
    neighbourhood_demo_load(today=today)
    return filled
