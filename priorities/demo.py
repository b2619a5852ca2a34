"""Demo content for every Met ward: a team with its contact details, priorities whose "you said" and
"we did" fit their kind, and meetings. Made up, labelled as demo on every page, and the same every
time for the same ward.

It is written in bulk (the pages' rows, one published revision each, the search and reference
indexes), not by publishing one page after another, which took minutes for London's 679 wards."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from wagtail.models import COMMENTS_RELATION_NAME, Page, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backends

from geography.models import Postcode
from geography.selectors import area_of
from sn_site.page_cache import page_cache_forget
from sn_site.progress import Progress, no_progress

from .models import (
    BoroughPage,
    EngagementMethod,
    Event,
    ForceProfile,
    NeighbourhoodEvent,
    NeighbourhoodPage,
    NeighbourhoodUpdate,
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
# Ofcom keeps 020 7946 0000 to 0999 for drama: numbers that look right and never ring anyone.
DEMO_PHONE = "020 7946 0{:03d}"
MEETING_PLACES = ["community centre", "library", "church hall", "tenants' hall", "youth centre"]


@dataclass(frozen=True)
class Story:
    """One kind of problem as a ward panel hears it ("you said") and as a team might tackle it
    ("we did"). {ward} is the ward's name."""

    titles: tuple[str, ...]
    you_said: tuple[str, ...]
    we_did: tuple[str, ...]


# A story for each category the migrations seed. Categories an administrator adds get no demo
# priorities: nobody has written what fits them.
STORIES = {
    "Anti-social behaviour": Story(
        titles=("Anti-social behaviour on the estates", "Anti-social behaviour around the shops"),
        you_said=(
            "People living on the estates in {ward} told us groups gather in the stairwells late at night, "
            "shouting and leaving a mess behind.",
            "Shopkeepers on the parade said they are worn down by the same few people being abusive to staff "
            "and customers.",
            "Residents at the ward panel said they no longer use the communal gardens in the evening because of "
            "rowdy gatherings.",
        ),
        we_did=(
            "Patrolled the stairwells and entrances on five evenings with the housing officer; two people were "
            "given community protection warnings.",
            "Met the housing association, which has repaired the broken door entry system on two blocks.",
            "Held a drop-in at the estate office; 18 residents came and told us where and when it happens.",
            "Worked with the council's anti-social behaviour team to apply for an injunction against one "
            "persistent offender.",
        ),
    ),
    "Anti-social behaviour by young people": Story(
        titles=("Young people gathering in the park at night", "Anti-social behaviour after school"),
        you_said=(
            "Parents and older residents said groups of teenagers gather in the park after dark, and some people "
            "feel intimidated walking past.",
            "Bus drivers and passengers told us young people throw things at buses on the main road after school.",
            "Residents near the youth club said things get rowdy when it closes, with fireworks let off in the street.",
        ),
        we_did=(
            "Visited the secondary schools in {ward} to talk to pupils about the effect on neighbours; staff now "
            "watch the bus stops at home time.",
            "Referred six young people to the council's youth service, which has started a Friday night football "
            "session.",
            "Wrote to the parents of four young people we spoke to in the park.",
            "Patrolled the park on weekend evenings with the park wardens; reports fell over the month.",
        ),
    ),
    "Begging": Story(
        titles=("Begging outside the station and shops", "Aggressive begging at the cash machines"),
        you_said=(
            "Shoppers told us they are often approached for money at the cash machines on the high street, and "
            "some felt pressured.",
            "Commuters said people begging at the station entrance follow them and ask again and again.",
            "Traders said people begging outside their shops put customers off, and they worry about the people "
            "themselves.",
        ),
        we_did=(
            "Went out with the council's outreach workers to offer the people begging help with housing and "
            "health; two accepted.",
            "Spoke to everyone we found begging at the cash machines, explained the effect on others and told "
            "them where to get support.",
            "Worked with the station staff to move people begging away from the ticket barriers and check they "
            "were safe.",
            "Gave a community protection warning to one man who kept begging aggressively after he was offered "
            "support.",
        ),
    ),
    "Dangerous driving": Story(
        titles=("Dangerous driving on the main road", "Car cruising in the retail park"),
        you_said=(
            "Residents told us about cars racing each other along the main road at weekends, with near misses at "
            "the crossing.",
            "People near the retail park said cars gather in the car park at night to do stunts.",
            "Cyclists said drivers on the main road cut them up and use their phones at the wheel.",
        ),
        we_did=(
            "Ran an operation with the roads policing team on two Friday nights; seven cars were seized for having "
            "no insurance.",
            "Asked the retail park to close its car park at night; the barriers now go down at 11pm.",
            "Stopped 12 drivers using their phones at the wheel; each was given a fixed penalty and six points.",
            "Passed residents' dashcam footage to the roads policing unit; two drivers have been reported for "
            "prosecution.",
        ),
    ),
    "Drug dealing and drug use": Story(
        titles=("Drug dealing near the park", "Drug use in stairwells and bin stores"),
        you_said=(
            "Residents told us people deal drugs from cars parked by the park, at the same times most days.",
            "Caretakers said they keep finding needles and drug litter in the stairwells and bin stores.",
            "Parents said the smell of cannabis is strong on the way to the primary school.",
        ),
        we_did=(
            "Searched a flat residents had told us about, with a warrant; two people were arrested and cannabis "
            "and cash seized.",
            "Stopped and searched people in the cars residents described; one man has been charged with "
            "possession with intent to supply.",
            "Asked the council to fit needle bins and lock the bin stores; caretakers now report drug litter to us "
            "each week.",
            "Referred two people we found using drugs to the local drug and alcohol service.",
        ),
    ),
    "Fly-tipping": Story(
        titles=("Fly-tipping in the alleys", "Fly-tipping behind the shops"),
        you_said=(
            "People in {ward} said mattresses and builders' rubble are dumped in the alley behind their homes "
            "almost every week.",
            "Residents near the shops told us commercial waste is left on the pavement overnight.",
            "At the ward panel, people said the dumped rubbish brings rats and makes the street feel neglected.",
        ),
        we_did=(
            "Searched the dumped waste for names and addresses with the council's enforcement officers; three "
            "people have been fined.",
            "Asked the council to put a camera in the worst alley; it has caught two vans dumping waste so far.",
            "Checked that the shops on the parade have trade waste contracts; four did not and have been given "
            "notices.",
            "Put up signs saying the alley is watched and fly-tippers will be fined.",
        ),
    ),
    "Graffiti and criminal damage": Story(
        titles=("Graffiti on the high street", "Damage to cars and bus shelters"),
        you_said=(
            "Shopkeepers said their shutters are tagged again within days of being cleaned.",
            "Residents told us bus shelters and cars on their street have had windows smashed several times this year.",
            "People said the graffiti on the railway bridge is offensive and makes {ward} feel uncared for.",
        ),
        we_did=(
            "Matched the tags that keep appearing to one group; two young people have been interviewed.",
            "Agreed with the council that graffiti will be removed within 48 hours of being reported, and showed "
            "residents how to report it online.",
            "Patrolled the street where car windows were smashed at the times it happened; one man was arrested "
            "and charged.",
            "Ran a clean-up of the railway bridge with volunteers and the council; 30 people took part.",
        ),
    ),
    "Knife crime": Story(
        titles=("Knife crime among young people", "Keeping young people safe from knives"),
        you_said=(
            "Parents told us they worry their children carry knives because they feel unsafe on the way to school.",
            "Residents were shaken by a stabbing near the shops and want to see officers there in the evenings.",
            "Youth workers said some young people in {ward} feel they need a knife for protection.",
        ),
        we_did=(
            "Searched the parks and open spaces for hidden weapons with volunteers; two knives were found and "
            "safely destroyed.",
            "Talked to pupils at the secondary schools about the dangers of carrying a knife, with a youth worker "
            "and the mother of a young victim.",
            "Patrolled around the shops every evening for six weeks after the stabbing.",
            "Put a knife amnesty bin in the community centre; 11 knives have been handed in.",
        ),
    ),
    "Noise nuisance": Story(
        titles=("Noise from parties late at night", "Noise at closing time from the bars"),
        you_said=(
            "Residents said loud music from a flat above the shops keeps them awake several nights a week.",
            "People living near the bars told us customers leave noisily at closing time, shouting and slamming "
            "car doors.",
            "Neighbours said parties at a short-let flat go on until dawn most weekends.",
        ),
        we_did=(
            "Visited the flat with the council's noise team; the tenant has been served a noise abatement notice.",
            "Met the bar owners, who have agreed to put door staff outside at closing time to see customers off "
            "quietly.",
            "Told the owner of the short-let flat about the complaints; the letting website has removed it.",
            "Explained to residents how to call the council's night-time noise service, so its officers can hear "
            "the noise for themselves.",
        ),
    ),
    "Nuisance motorcycles and mopeds": Story(
        titles=("Mopeds on pavements and in the park", "Off-road bikes on residential streets"),
        you_said=(
            "Residents told us mopeds are ridden on the pavement and through the park, sometimes fast.",
            "People said off-road bikes with no number plates are ridden up and down their street in the evenings.",
            "Several people in {ward} said riders on mopeds snatched their phones.",
        ),
        we_did=(
            "Seized three off-road bikes ridden without insurance; they will be crushed unless their owners "
            "claim them.",
            "Worked with the council to put barriers at the park gates that stop motorbikes but let buggies and "
            "wheelchairs through.",
            "Held a free moped security event; 40 riders had their mopeds marked and were given locks.",
            "Found where the off-road bikes are kept, thanks to residents; two riders have been reported.",
        ),
    ),
    "Parking problems": Story(
        titles=("Dangerous parking outside the schools", "Parking on pavements and across driveways"),
        you_said=(
            "Parents said drivers park on the zigzags outside the primary school at drop-off, so children cannot "
            "cross safely.",
            "Residents who use wheelchairs or push buggies told us cars parked on the pavement force them into "
            "the road.",
            "People said cars and vans block their driveways several times a week.",
        ),
        we_did=(
            "Stood outside the primary schools at drop-off for two weeks; 23 drivers were spoken to and five "
            "given tickets.",
            "Asked the council's parking wardens to patrol the streets where pavement parking is worst.",
            "Left notes on 40 cars parked across dropped kerbs, explaining who it stops getting by.",
            "Supported the school's request for a School Street, which closes the road to cars at drop-off and "
            "pick-up.",
        ),
    ),
    "Residential burglary": Story(
        titles=("Burglaries from homes", "Break-ins to sheds and garages"),
        you_said=(
            "Residents told us several homes on neighbouring streets in {ward} were broken into over a few weeks, "
            "mostly through back doors.",
            "Older residents said they no longer feel safe at home since a neighbour was burgled.",
            "People said sheds and garages have been broken into and bikes and tools stolen.",
        ),
        we_did=(
            "Visited 120 homes on the streets affected with crime prevention advice and free timer switches.",
            "Linked four burglaries to one man through forensic evidence; he has been charged and remanded in custody.",
            "Set up a Neighbourhood Watch covering four streets; 35 households have joined.",
            "Held a property marking day at the library; 60 people marked their bikes, tools and valuables.",
        ),
    ),
    "Robbery": Story(
        titles=("Phone snatches near the station", "Robberies on the way home from school"),
        you_said=(
            "Commuters told us phones are snatched near the station, often by people on bikes.",
            "Parents said their children were threatened and had their phones taken on the walk home from school.",
            "Residents said people are afraid to use the cash machines on the high street after dark.",
        ),
        we_did=(
            "Patrolled the station approach in plain clothes in the evening rush hour; two people were arrested "
            "for robbery.",
            "Worked with the schools to put staff on the main routes home; no robberies have been reported since.",
            "Gave advice on keeping phones safe to more than 300 commuters at the station.",
            "Asked the council to brighten the lighting and cut back the trees by the cash machines.",
        ),
    ),
    "Rubbish and litter": Story(
        titles=("Litter and overflowing bins", "Takeaway rubbish thrown from cars"),
        you_said=(
            "People said the bins on the high street overflow by the weekend and litter blows into their front "
            "gardens.",
            "Residents told us takeaway rubbish is thrown from cars in the lay-by every night.",
            "At the ward panel, people said the litter makes {ward} look as though nobody cares.",
        ),
        we_did=(
            "Passed residents' reports to the council, which now empties the high street bins on Saturdays too.",
            "Patrolled the lay-by with the council's enforcement officers; nine people were fined for dropping litter.",
            "Helped residents organise a litter pick with the council; 25 bags were filled in one morning.",
            "Asked the takeaways on the parade to put out bins and sweep outside; five have agreed.",
        ),
    ),
    "Shoplifting": Story(
        titles=("Shoplifting on the high street", "Shoplifting and abuse of shop staff"),
        you_said=(
            "Shop staff told us the same people steal from them several times a week and are abusive when challenged.",
            "The small supermarket said it has had to lock up everyday items because so much is stolen.",
            "Traders said they have stopped reporting shoplifting because they feel nothing happens.",
        ),
        we_did=(
            "Set up a radio link so shop staff can warn each other; 12 shops are on it.",
            "Identified the people behind most of the thefts from CCTV; three have been charged and one given a "
            "criminal behaviour order.",
            "Showed shop staff how to report shoplifting online with their CCTV, and promised a reply within a week.",
            "Visited every shop on the parade on one morning to hear what is happening and give advice.",
        ),
    ),
    "Speeding": Story(
        titles=("Speeding on the main road", "Speeding in residential streets"),
        you_said=(
            "Cars race along the main road through {ward} late at night, and parents say they are afraid to "
            "cross there with their children.",
            "People living on the side streets told us drivers use them as a rat run at rush hour, far over the "
            "20 mph limit.",
            "At the ward panel, several older residents said they have stopped crossing the main road because "
            "traffic is so fast.",
        ),
        we_did=(
            "Ran speed checks with the Community Roadwatch volunteers on three mornings; 41 drivers over the limit "
            "were sent warning letters.",
            "Used a speed gun on the main road at school times; nine drivers were given fixed penalties.",
            "Shared our speed check results with the council, which has agreed to look at traffic calming.",
            "Trained eight residents to run speed checks on their own streets.",
        ),
    ),
    "Street drinking": Story(
        titles=("Street drinking outside the off-licence", "Drinking by the children's playground"),
        you_said=(
            "Residents said groups drink outside the off-licence all day, and some people feel uncomfortable "
            "walking past.",
            "Parents told us people drink on the benches next to the children's playground.",
            "People said cans and bottles are left in the street, and some drinkers urinate in doorways.",
        ),
        we_did=(
            "Used the area's public spaces protection order to take alcohol from 14 people drinking in the street.",
            "Met the off-licence owners, who have agreed to stop selling single cans of strong beer.",
            "Worked with the council to move the benches away from the playground.",
            "Went out with outreach workers to offer help with alcohol and housing; three people have taken it up.",
        ),
    ),
    "Theft from motor vehicles": Story(
        titles=("Thefts from vans and cars", "Catalytic converters stolen from cars"),
        you_said=(
            "Tradespeople told us their vans have been broken into overnight and their tools taken, costing them work.",
            "Residents said car windows are smashed for whatever is left on the seats.",
            "People said catalytic converters have been cut from several cars on their street.",
        ),
        we_did=(
            "Gave advice to van owners and handed out stickers saying no tools are left inside overnight.",
            "Marked catalytic converters for free at the community centre; 50 cars were done.",
            "Patrolled the streets where most thefts happened in the early hours; one man was arrested with tools "
            "and stolen goods.",
            "Checked second-hand shops and online listings for stolen tools, and returned several to their owners.",
        ),
    ),
    "Vehicle crime": Story(
        titles=("Cars stolen from driveways", "Number plate thefts"),
        you_said=(
            "Residents told us several cars were stolen from driveways in {ward} overnight, without a sound.",
            "People said number plates have been stolen from cars on their street.",
            "At the ward panel, people said they worry their cars will be stolen and asked for advice.",
        ),
        we_did=(
            "Handed out signal-blocking pouches for keyless car keys to 80 households on the worst-hit streets.",
            "Fitted theft-resistant number plate screws for free at a Saturday event; 70 cars had them.",
            "Worked with the vehicle crime unit on a series of thefts; two men were arrested and three cars recovered.",
            "Shared advice on steering locks and parking in well-lit places in the ward newsletter.",
        ),
    ),
    "Violence against women and girls": Story(
        titles=("Women and girls feeling safe at night", "Harassment of women and girls near the station"),
        you_said=(
            "Women told us they feel unsafe walking home from the station at night, especially on the unlit path "
            "by the park.",
            "Girls at the secondary school said men harass them on the bus and at the bus stops.",
            "Women said they are catcalled and followed outside the late-night takeaways on the high street.",
        ),
        we_did=(
            "Walked the route home from the station at night with a group of women to find where it feels unsafe; "
            "the council is lighting the path.",
            "Patrolled the bus stops and buses after school, and talked to the girls about how to report harassment.",
            "Trained staff at the takeaways and bars to spot harassment and step in, through the Ask for Angela "
            "scheme.",
            "Arrested a man for following and harassing women near the station after several reports.",
        ),
    ),
}


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


def ward_demo_content_load(*, today: datetime.date | None = None, progress: Progress = no_progress) -> int:
    """Give every ward page nobody has started on its demo content, published. A page counts as
    started on once it has a revision (a draft, or anything published from the admin) or a team,
    a priority or an event. Returns how many pages were filled."""
    today = today or timezone.localdate()
    force_profile_ensure()
    categories = [category for category in PriorityCategory.objects.order_by("name") if category.name in STORIES]
    if len(categories) < 3:
        raise ValueError("Demo priorities need at least 3 of the priority categories the migrations seed.")
    pages = list(
        WardPage.objects.live()
        .filter(latest_revision__isnull=True)
        .exclude(Exists(TeamMember.objects.filter(ward_page=OuterRef("pk"))))
        .exclude(Exists(Priority.objects.filter(ward_page=OuterRef("pk"))))
        .exclude(Exists(Event.objects.filter(ward_page=OuterRef("pk"))))
        .select_related("ward")
        .defer("ward__outline")
        .order_by("path")
    )
    if not pages:
        return 0
    postcodes = defaultdict(list)
    for ward, postcode in (
        Postcode.objects.filter(ward__page__in=pages).order_by("postcode").values_list("ward_id", "postcode")
    ):
        postcodes[ward].append(postcode)
    with transaction.atomic():
        for done, page in enumerate(pages):
            progress("preparing", done, len(pages))
            _fill(page, random.Random(page.ward_id), categories, today, postcodes[page.ward_id])
        progress("preparing", len(pages), len(pages))
        _save_published(pages, progress)
        transaction.on_commit(page_cache_forget)
    return len(pages)


def _fill(page: WardPage, rng: random.Random, categories: list, today: datetime.date, postcodes: list[str]) -> None:
    """The page's demo content, in memory: its fields, and its team, priorities and events held by
    the page (as an editor's unsaved changes are) until _save_published writes them all at once."""
    ward = page.ward.name
    postcode = rng.choice(postcodes) if postcodes else ""
    page.introduction = DEMO_NOTE
    page.email = f"{page.slug}.snt@example.org"
    page.phone = DEMO_PHONE.format(rng.randrange(1000))
    page.base_address = f"{ward} Safer Neighbourhoods base (not open to the public)\nLondon {postcode}".strip()
    page.ward_panel_how_to_join = (
        f"Anyone who lives or works in {ward} can join the ward panel. Email the team to find out more."
    )
    # Nobody has started on the page, so it has no links or comments: saying so saves asking.
    page.team_links = []
    setattr(page, COMMENTS_RELATION_NAME, [])
    page.team_members = [
        TeamMember(name=f"{title} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", role=role, sort_order=order)
        for order, (role, title) in enumerate(
            [(TeamMember.Role.SERGEANT, "Sergeant"), (TeamMember.Role.PC, "PC"), (TeamMember.Role.PCSO, "PCSO")]
        )
    ]
    priorities = []
    for order, category in enumerate(rng.sample(categories, 3)):
        story = STORIES[category.name]
        agreed = today - datetime.timedelta(days=rng.randint(20, 80))
        priority = Priority(
            title=rng.choice(story.titles).format(ward=ward),
            category=category,
            you_said=rng.choice(story.you_said).format(ward=ward),
            agreed_on=agreed,
            review_by=agreed + datetime.timedelta(days=92),
            status=Priority.Status.ACTIVE,
            sort_order=order,
        )
        priority.updates = [
            PriorityUpdate(
                date=min(agreed + datetime.timedelta(days=7 + 9 * n), today),  # never in the future
                we_did=we_did.format(ward=ward),
                sort_order=n,
            )
            for n, we_did in enumerate(rng.sample(story.we_did, rng.randint(1, 3)))
        ]
        priorities.append(priority)
    page.priorities = priorities
    # Meetings at other places in the ward than the base, so that its map marks each of them (their
    # own generator, so that everything else the demo picks stays as it was).
    venues = random.Random(page.ward_id).sample(postcodes, min(2, len(postcodes))) if postcodes else []
    venue, shops = (venues + [postcode, postcode])[:2]
    where, where_shops = (f", {venue}", f", {shops}") if postcode else ("", "")
    page.events = [
        _meeting(
            today + datetime.timedelta(days=rng.randint(5, 25)),
            kind=Event.Kind.WARD_PANEL,
            title=f"{ward} ward panel meeting",
            place=f"{ward} {rng.choice(MEETING_PLACES)}{where}",
            sort_order=0,
        ),
        _meeting(
            today + datetime.timedelta(days=rng.randint(2, 12)),
            kind=Event.Kind.STREET_BRIEFING,
            title=f"Street briefing in {ward}",
            place=f"By the shops{where_shops}",
            sort_order=1,
        ),
    ]


def _meeting(day: datetime.date, model=Event, **fields) -> Event:
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 30)))
    return model(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1, minutes=30),
        accessibility="Step-free access and a hearing loop. Ask the team for a BSL interpreter.",
        **fields,
    )


# What demo content and publishing it change on a ward page.
PUBLISHED_FIELDS = [
    "introduction",
    "email",
    "phone",
    "base_address",
    "ward_panel_how_to_join",
    "latest_revision",
    "live_revision",
    "latest_revision_created_at",
    "first_published_at",
    "last_published_at",
    "draft_title",
    "has_unpublished_changes",
]


def _save_published(pages: list[WardPage], progress: Progress) -> None:
    """Write the pages' demo content and publish it, as publishing each page would leave it: the
    rows, a revision that holds them (what editors start from), the page live at that revision,
    and the search and reference indexes.

    A shortcut only for demo content on pages nobody has started on, taking seconds for all of
    London where publishing each page takes minutes: it runs no form validation (the content is
    made here to the rules: three active priorities at most) and sends no page_published signal,
    so what its receivers do is done here instead (the search index; the page cache starts afresh
    when demo_content_load commits; no address changes, so lookups stay true). Editors' changes
    always go through Wagtail."""
    now = timezone.now()
    progress("saving", 0, len(pages))
    for model, rows in (
        (TeamMember, [m for page in pages for m in page.team_members.all()]),
        (Priority, [p for page in pages for p in page.priorities.all()]),
        (PriorityUpdate, [u for page in pages for p in page.priorities.all() for u in p.updates.all()]),
        (Event, [e for page in pages for e in page.events.all()]),
    ):
        model.objects.bulk_create(rows, batch_size=500)
    ward_page_type = ContentType.objects.get_for_model(WardPage)
    page_type = ContentType.objects.get_for_model(Page)
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=ward_page_type,
                base_content_type=page_type,
                object_id=str(page.pk),
                created_at=now,
                content=page.serializable_data(),
                object_str=str(page),
            )
            for page in pages
        ],
        batch_size=500,
    )
    # A page at a time: Django's bulk_update builds a CASE per field and row, which is slower here.
    for done, (page, revision) in enumerate(zip(pages, revisions, strict=True)):
        progress("saving", done, len(pages))
        page.latest_revision = page.live_revision = revision
        page.latest_revision_created_at = page.last_published_at = now
        page.first_published_at = page.first_published_at or now
        page.draft_title = page.title
        page.has_unpublished_changes = False
        WardPage.objects.filter(pk=page.pk).update(**{name: getattr(page, name) for name in PUBLISHED_FIELDS})
    progress("saving", len(pages), len(pages))
    for done, page in enumerate(pages):
        progress("indexing", done, len(pages))
        ReferenceIndex.create_or_update_for_object(page)
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(WardPage, pages)
    progress("indexing", len(pages), len(pages))


def ward_page_to_try(**kwargs) -> tuple[str, str] | None:
    """A ward page with a team, the first in London's order, for the welcome `make run` prints."""
    page = WardPage.objects.live().filter(Exists(TeamMember.objects.filter(ward_page=OuterRef("pk")))).first()
    return ("A ward page", page.url) if page else None


# Natural neighbourhoods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoNeighbourhood:
    """A real place, as its residents might name and describe it; its officers (from the demo ward
    teams), updates and meetings are made up."""

    name: str
    slug: str
    borough: str  # the borough page it sits under, by name
    description: str
    hear_by: tuple[str, ...]
    updates: tuple[tuple[str, str], ...]  # (you said, we did)
    listed: str = ""  # postcodes and sectors
    drawn: tuple[tuple[float, float], ...] = ()  # corners, (longitude, latitude)


DEMO_NEIGHBOURHOOD_NOTE = (
    "<p><strong>Demo content.</strong> The place is real; its officers, updates and meetings are made up "
    "to show how the site works.</p>"
)
DEMO_NEIGHBOURHOODS = (
    DemoNeighbourhood(
        name="Bellenden",
        slug="bellenden",
        borough="Southwark",
        description=(
            "The streets between Rye Lane and Bellenden Road: the little shops on Choumert Road, the "
            "Bellenden Road parade, the school gates on Choumert Grove and the alleys people cut through "
            "to the station."
        ),
        hear_by=("newsletter", "street_meeting", "social_media"),
        updates=(
            ("Bikes taken from outside the flats on Choumert Grove.", "Marked 40 bikes at a stall by the shops."),
            ("Cars racing down Bellenden Road at night.", "Two evenings of speed checks: nine drivers warned."),
        ),
        drawn=((-0.0735, 51.4640), (-0.0655, 51.4640), (-0.0655, 51.4712), (-0.0735, 51.4712)),
    ),
    DemoNeighbourhood(
        name="Crystal Palace Triangle",
        slug="crystal-palace-triangle",
        borough="Croydon",
        description=(
            "The triangle of Westow Street, Westow Hill and Church Road, where four boroughs meet: the "
            "cafes, the Saturday food market and the bus station at the top of the park."
        ),
        hear_by=("noticeboard", "street_meeting", "newsletter"),
        updates=(
            ("Phones snatched outside the bars on Westow Hill.", "Patrols on Friday and Saturday nights with Lambeth."),
            ("Nobody knows which police team to call here.", "One contact for the triangle, whichever borough."),
        ),
        drawn=((-0.0790, 51.4175), (-0.0715, 51.4175), (-0.0715, 51.4222), (-0.0790, 51.4222)),
    ),
    DemoNeighbourhood(
        name="Broadwater Farm",
        slug="broadwater-farm",
        borough="Haringey",
        description=(
            "The estate by Lordship Recreation Ground, its community centre, the health centre and the "
            "walk to Lordship Lane's shops."
        ),
        hear_by=("panel", "noticeboard", "street_meeting"),
        updates=(
            ("Young people have nowhere to go in the evenings.", "Football on the rec with the youth club, Tuesdays."),
        ),
        listed="N17 6",
    ),
)


def neighbourhood_demo_load(*, today: datetime.date | None = None) -> int:
    """Publish the demo natural neighbourhoods whose borough has a page, whose address is free and
    whose area holds postcodes,
    each through Wagtail as an officer's would be (its area worked out on publishing). Returns how
    many were made."""
    today = today or timezone.localdate()
    made = 0
    for demo in DEMO_NEIGHBOURHOODS:
        borough_page = BoroughPage.objects.filter(borough__name=demo.borough).first()
        if borough_page is None or NeighbourhoodPage.objects.filter(slug=demo.slug).exists():
            continue
        drawing = (
            {"type": "Polygon", "coordinates": [[*map(list, demo.drawn), list(demo.drawn[0])]]} if demo.drawn else None
        )
        area = area_of(listed=demo.listed, drawing=drawing, outline=False)
        if not area.postcodes:  # a geography without the place (a sample of London)
            continue
        officers = [
            member
            for ward in area.ward_codes[:3]
            for member in TeamMember.objects.filter(ward_page__ward=ward, role=TeamMember.Role.PC)[:1]
        ]
        rng = random.Random(demo.slug)
        page = NeighbourhoodPage(
            title=demo.name,
            slug=demo.slug,
            introduction=f"{DEMO_NEIGHBOURHOOD_NOTE}<p>{demo.description}</p>",
            hear_by=list(demo.hear_by),
            area_postcodes=demo.listed,
            area_drawing=drawing,
            email=f"{demo.slug}.snt@example.org",
        )
        page.officers = officers
        page.updates = [
            NeighbourhoodUpdate(
                date=today - datetime.timedelta(days=7 + 12 * n), you_said=you_said, we_did=we_did, sort_order=n
            )
            for n, (you_said, we_did) in enumerate(demo.updates)
        ]
        page.events = [
            _meeting(
                today + datetime.timedelta(days=rng.randint(4, 20)),
                kind=NeighbourhoodEvent.Kind.STREET_BRIEFING,
                title=f"Street meeting in {demo.name}",
                place=f"{demo.name}, {area.postcodes[len(area.postcodes) // 2]}" if area.postcodes else demo.name,
                sort_order=0,
                model=NeighbourhoodEvent,
            )
        ]
        borough_page.add_child(instance=page)
        page.save_revision().publish()
        made += 1
    return made
