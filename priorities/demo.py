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
    "accessibility": (
        "Accessibility statement",
        "How we make this site work for everyone, and how to tell us when it does not.",
        "<p>This site is built to meet the Web Content Accessibility Guidelines 2.2 at level AA. It works "
        "without JavaScript, on small screens and when zoomed to 400%, and with screen readers and keyboard "
        "alone.</p><h2>Tell us about a problem</h2><p>If something on this site does not work for you, "
        "contact your local team and say what you were trying to do. Deaf or speech-impaired people can use "
        "Relay UK (18001 101).</p>",
    ),
}


def content_pages_ensure() -> int:
    """The site's plain content pages, under the home page, if missing. Returns how many were made."""
    home = HomePage.objects.first()
    if home is None:
        return 0
    made = 0
    for slug, (title, introduction, body) in CONTENT_PAGES.items():
        if not ContentPage.objects.filter(slug=slug).exists():
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
