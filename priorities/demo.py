"""Demo content for every Met ward: a team, priorities with "we did" updates, meetings. Made up,
labelled as demo on every page, and the same every time for the same ward."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from sn_site.models import ContentPage, HomePage

from .models import (
    EngagementMethod,
    Event,
    ForceProfile,
    Priority,
    PriorityCategory,
    PriorityUpdate,
    TeamMember,
    WardPage,
)

DEMO_NOTE = (
    "<p><strong>Demo content.</strong> The team, priorities and meetings on this page are made up to "
    "show how the site works. They are not real.</p>"
)
FIRST_NAMES = ["Amira", "Ben", "Chidi", "Dana", "Eilidh", "Farid", "Grace", "Hari", "Ines", "Jonah", "Kemi", "Luca"]
LAST_NAMES = ["Adeyemi", "Barker", "Costa", "Dhillon", "Evans", "Fischer", "Goldberg", "Hussain", "Ivanova", "Jones"]
YOU_SAID = [
    "Residents near {place} told us this happens most evenings and makes them feel unsafe walking home.",
    "At the last ward panel, people living around {place} said this had got worse since the summer.",
    "Our online survey found this was the top concern for people who live near {place}.",
]
WE_DID = [
    "Patrolled {place} on four evenings at the times residents told us about.",
    "Worked with the council to improve lighting and clear the area around {place}.",
    "Held a street briefing at {place} and gave crime prevention advice to 30 residents.",
    "Identified the people involved and gave them warnings; we will keep checking.",
]


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
        "<ul><li>Ward maps are a drawing of the ward's outline. People who cannot see the drawing are told "
        "which ward it shows, but not where its edges run. The outline is also approximate. The ward's name, "
        "its team and its meeting places are always written out on the page.</li>"
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


def force_profile_ensure() -> None:
    """A demo description of the force for the open data, unless an administrator has written one."""
    profile = ForceProfile.load()
    if profile.description or profile.engagement_methods.exists():
        return
    profile.description = (
        "<p>The Metropolitan Police Service polices Greater London, except the City of London. Every ward has "
        "its own Safer Neighbourhoods Team. (Demo content: a real force writes its own.)</p>"
    )
    profile.engagement_methods.add(
        EngagementMethod(kind="website", title="Metropolitan Police", url="https://www.met.police.uk/")
    )
    profile.save()


def demo_content_load(*, today: datetime.date | None = None) -> int:
    """Give every ward page that has neither a team nor priorities its demo content, published.
    Pages editors have started on are left alone. Returns how many pages were filled."""
    today = today or timezone.localdate()
    content_pages_ensure()
    force_profile_ensure()
    categories = list(PriorityCategory.objects.order_by("name"))
    if len(categories) < 3:
        raise ValueError("Demo priorities need at least 3 priority categories; the migrations seed 20.")
    filled = 0
    pages = WardPage.objects.filter(team_members__isnull=True, priorities__isnull=True).select_related("ward")
    for page in pages.distinct():
        with transaction.atomic():
            _fill(page, random.Random(page.ward_id), categories, today)
            page.save_revision(log_action=False).publish(log_action=False)
        filled += 1
    return filled


def _fill(page: WardPage, rng: random.Random, categories: list, today: datetime.date) -> None:
    place = f"{page.ward.name} high street"
    page.introduction = DEMO_NOTE
    page.email = f"{page.slug}.snt@example.org"
    page.ward_panel_how_to_join = (
        f"Anyone who lives or works in {page.ward.name} can join the ward panel. Email the team to find out more."
    )
    for role in (TeamMember.Role.SERGEANT, TeamMember.Role.PC, TeamMember.Role.PCSO):
        title = {"sergeant": "Sergeant", "pc": "PC", "pcso": "PCSO"}[role]
        name = f"{title} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        page.team_members.add(TeamMember(name=name, role=role))
    for category in rng.sample(categories, 3):
        agreed = today - datetime.timedelta(days=rng.randint(20, 80))
        priority = Priority(
            title=f"{category.name} around {place}",
            category=category,
            you_said=rng.choice(YOU_SAID).format(place=place),
            agreed_on=agreed,
            review_by=agreed + datetime.timedelta(days=92),
            status=Priority.Status.ACTIVE,
        )
        for n in range(rng.randint(1, 3)):
            priority.updates.add(
                PriorityUpdate(
                    date=min(agreed + datetime.timedelta(days=7 + 9 * n), today),  # never in the future
                    we_did=WE_DID[(n + rng.randint(0, 3)) % 4].format(place=place),
                )
            )
        page.priorities.add(priority)
    for days, kind, title in (
        (rng.randint(5, 25), Event.Kind.WARD_PANEL, f"{page.ward.name} ward panel meeting"),
        (rng.randint(2, 12), Event.Kind.STREET_BRIEFING, f"Street briefing on {place}"),
    ):
        starts = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(18, 30))
        )
        page.events.add(
            Event(
                kind=kind,
                title=title,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1, minutes=30),
                place=f"Community centre, {place}",
                accessibility="Step-free access and a hearing loop. Ask the team for a BSL interpreter.",
            )
        )
