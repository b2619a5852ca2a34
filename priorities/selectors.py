"""Reads shared by pages, the API and tasks."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import Page, Site, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy

from figures.sections import crime_since
from figures.selectors import wards_crime
from geography.models import Borough, PoliceForce, Ward
from geography.selectors import PostcodeWards, nearest_postcode, postcode_not_found, postcode_query, postcode_wards
from sn_site.cache import HeldInProcess, kept

from .models import (
    BoroughPage,
    Event,
    NeighbourhoodPage,
    NeighbourhoodPostcode,
    NeighbourhoodProposal,
    Priority,
    PriorityUpdate,
    TeamLink,
    TeamMember,
    WardPage,
    pages_public,
)


@dataclass(frozen=True)
class WardSummary:
    """What a lookup needs to say about a ward: plain values, cheap to cache."""

    code: str
    name: str
    borough_code: str
    borough_name: str
    police_force: str
    page_path: str | None  # the team page's address on this site, if it has a published one

    @property
    def is_policed_by_met(self) -> bool:
        return self.police_force == PoliceForce.METROPOLITAN


@dataclass(frozen=True)
class NeighbourhoodSummary:
    """A natural neighbourhood as a lookup names it: plain values, cheap to cache."""

    slug: str
    name: str
    page_path: str | None
    officers: tuple[tuple[str, str], ...]  # (an officer's name, their ward team's name)

    @property
    def looked_after_by(self) -> str:
        """ "PC Ola Adeyemi of the Rye Lane team and PCSO Ben Jones of the Peckham team"."""
        teams: dict[str, list[str]] = {}
        for name, team in self.officers:
            teams.setdefault(team, []).append(name)
        return _and(f"{_and(names)} of the {team} team" for team, names in teams.items())


def _and(parts) -> str:
    parts = list(parts)
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: the wards for a postcode, part of one, or a position; for a postcode or
    a position, the natural neighbourhoods it is in too."""

    kind: str  # "full", "sector", "outward" or "position"
    query: str | None  # the postcode, sector or district as understood, formatted
    postcode: str | None
    latitude: float | None
    longitude: float | None
    wards: tuple[WardSummary, ...]
    neighbourhoods: tuple[NeighbourhoodSummary, ...] = ()


# The generation of every cached lookup answer and ward table: it starts afresh
# (priorities.services.lookup_cache_forget) when the geography is imported or a ward page's
# address or privacy changes. (London's outline is geography's: geography.selectors.)
LOOKUP_GENERATION = "lookup"

# Held by each process (sn_site.cache.HeldInProcess): every ward's summary (704 small rows, read by
# every lookup, so that a lookup needs only the postcode table), and the natural neighbourhoods of
# each postcode that is in one (a few hundred postcodes each). Reloaded when the lookup
# generation starts afresh or SN_LOOKUP_CACHE_SECONDS have passed.
_held = HeldInProcess()


def _ward_summaries(needed: Iterable[str] = ()) -> dict[str, WardSummary]:
    needed = list(needed)
    return _held.get(
        "wards",
        _ward_table,
        generations_of=[LOOKUP_GENERATION],
        seconds=settings.SN_LOOKUP_CACHE_SECONDS,
        still_good=lambda wards: all(code in wards for code in needed),  # else imported by another process
    )


def _ward_table() -> dict[str, WardSummary]:
    rows = Ward.objects.values_list(
        "code", "name", "borough_id", "borough__name", "borough__police_force", "page__url_path", "page__live"
    )
    roots = Site.get_site_root_paths()
    private = set(WardPage.objects.live().not_public().values_list("ward_id", flat=True))
    return {
        code: WardSummary(
            code,
            name,
            borough,
            borough_name,
            force,
            _public_path(path, roots) if live and code not in private else None,
        )
        for code, name, borough, borough_name, force, path, live in rows
    }


def _public_path(url_path: str, roots) -> str | None:
    """A page's address from its tree path, the way Wagtail's page.url does for a single site."""
    for root in roots:
        if url_path.startswith(root.root_path):
            return url_path[len(root.root_path) - 1 :]
    return None


def ward_lookup_by_postcode(text: str) -> Lookup:
    """Wards for a full postcode (one), a sector or a district (each ward it touches, with those of
    its lettered sub-districts: SW1 is SW1A to SW1Y).

    At most one indexed query, and none for a postcode outside London's postcode areas. Answers are
    cached for SN_LOOKUP_CACHE_SECONDS, because a postcode's ward changes only when the geography
    is imported again.
    """
    query = postcode_query(text)
    found = kept(
        f"lookup:{query.kind}:{query.value.replace(' ', '_')}",
        lambda: _lookup(query.kind, query.value, postcode_wards(query)),
        generations_of=[LOOKUP_GENERATION],
        timeout=settings.SN_LOOKUP_CACHE_SECONDS,
    )
    if not found.wards:
        raise postcode_not_found(query)
    return found


def ward_lookup(*, postcode: str | None = None, latitude=None, longitude=None) -> Lookup:
    """Wards for a postcode (or part of one) if given, otherwise for a position."""
    if postcode is not None:
        return ward_lookup_by_postcode(postcode)
    return ward_lookup_by_position(latitude, longitude)


def ward_lookup_by_position(latitude, longitude) -> Lookup:
    """The ward of the postcode nearest a point; a point outside London is not found."""
    return _lookup("position", None, nearest_postcode(latitude, longitude))


def _lookup(kind: str, query: str | None, found: PostcodeWards) -> Lookup:
    """What geography found, with each ward's summary (by name, for a sector or a district) and,
    for one postcode, the natural neighbourhoods it is in."""
    wards = _ward_summaries(found.ward_codes) if found.ward_codes else {}
    touching = sorted((wards[code] for code in found.ward_codes), key=lambda ward: ward.name)
    neighbourhoods = neighbourhoods_at(found.postcode) if found.postcode else ()
    return Lookup(kind, query, found.postcode, found.latitude, found.longitude, tuple(touching), neighbourhoods)


def neighbourhoods_at(postcode: str) -> tuple[NeighbourhoodSummary, ...]:
    """The public natural neighbourhoods a postcode is in, by name, with their officers: no query,
    from the table each process holds (_neighbourhood_table)."""
    return _held.get(
        "neighbourhoods",
        _neighbourhood_table,
        generations_of=[LOOKUP_GENERATION],
        seconds=settings.SN_LOOKUP_CACHE_SECONDS,
    ).get(postcode, ())


def _neighbourhood_table() -> dict[str, tuple[NeighbourhoodSummary, ...]]:
    """{postcode: the natural neighbourhoods it is in}, for every postcode in a public one, in three
    queries. Postcodes share their neighbourhoods' summaries, so a process holds each name once."""
    pages = list(
        pages_public(NeighbourhoodPage.objects.all()).order_by("title").values_list("pk", "slug", "title", "url_path")
    )
    if not pages:
        return {}
    officers: dict[int, list[tuple[str, str]]] = {pk: [] for pk, *_ in pages}
    for page, name, team in (
        TeamMember.objects.filter(neighbourhoods__in=list(officers))
        .order_by("ward_page__title", "sort_order", "pk")
        .values_list("neighbourhoods", "name", "ward_page__title")
    ):
        officers[page].append((name, team))
    roots = Site.get_site_root_paths()
    summaries = {
        pk: NeighbourhoodSummary(slug, title, _public_path(path, roots), tuple(officers[pk]))
        for pk, slug, title, path in pages
    }
    table: dict[str, tuple[NeighbourhoodSummary, ...]] = {}
    for postcode, page in (
        NeighbourhoodPostcode.objects.filter(page__in=list(summaries))
        .order_by("page__title")
        .values_list("postcode", "page")
    ):
        table[postcode] = (*table.get(postcode, ()), summaries[page])
    return table


@dataclass(frozen=True)
class RememberedArea:
    ward_page: WardPage
    latest_update: PriorityUpdate | None


def remembered_area_for(ward_code: str | None) -> RememberedArea | None:
    """The team of the ward a visitor asked the site to remember (priorities.my_area), with its
    latest "we did" update."""
    if not ward_code:
        return None
    ward_page = ward_pages_public().filter(ward_id=ward_code).first()
    if ward_page is None:
        return None
    latest = (
        PriorityUpdate.objects.filter(priority__ward_page=ward_page, priority__status=Priority.Status.ACTIVE)
        .select_related("priority")
        .order_by("-date", "-pk")
        .first()
    )
    return RememberedArea(ward_page, latest)


def borough_names_of_wards(codes: Iterable[str]) -> dict[str, str]:
    """{ward code: its borough's name}, in one query (none for no wards), for lists that must tell
    wards of the same name apart: there is an Abbey in Merton and another in Barking and Dagenham."""
    codes = set(codes)
    if not codes:
        return {}
    return dict(Ward.objects.filter(code__in=codes).values_list("code", "borough__name"))


@dataclass(frozen=True)
class OfficerDashboard:
    overdue_priorities: list[Priority]
    wards_without_meetings: list[WardPage]
    awaiting_approval: list[WardPage]
    # Active priorities that recorded crime measures, each with .crime (figures.sections.CrimeSince),
    # and how many more there are than are listed.
    priorities_with_crime: list[Priority]
    priorities_with_crime_more: int
    # Residents' proposals of natural neighbourhoods waiting in their boroughs, oldest first.
    neighbourhood_proposals: list[NeighbourhoodProposal]


DASHBOARD_LIMIT = 20


def officer_dashboard(user) -> OfficerDashboard:
    """What needs an officer's attention among the ward pages they look after: priorities past
    their review date, wards with no meeting coming up, changes waiting for a sergeant; and in the
    boroughs they look after, residents' proposals of natural neighbourhoods."""
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    wards = WardPage.objects.filter(pk__in=editable.values("pk"))
    overdue = list(
        Priority.objects.filter(ward_page__in=wards, status=Priority.Status.ACTIVE, review_by__lt=timezone.localdate())
        .select_related("ward_page")
        .order_by("review_by")[:DASHBOARD_LIMIT]
    )
    no_meetings = list(
        wards.exclude(events__ends_at__gte=timezone.now()).order_by("title").only("title", "url_path")[:DASHBOARD_LIMIT]
    )
    in_moderation = (
        WorkflowState.objects.active()
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    awaiting = list(wards.filter(pk__in=[int(pk) for pk in in_moderation]).order_by("title")[:DASHBOARD_LIMIT])
    proposals = list(
        neighbourhood_proposals_waiting(BoroughPage.objects.filter(pk__in=editable.values("pk")))[:DASHBOARD_LIMIT]
    )
    return OfficerDashboard(overdue, no_meetings, awaiting, *_priorities_with_crime(wards), proposals)


def neighbourhood_proposals_waiting(borough_pages):
    """Residents' proposals of natural neighbourhoods that no officer has decided on yet, in some
    boroughs, oldest first, with their borough's page."""
    return (
        NeighbourhoodProposal.objects.filter(
            borough_page__in=borough_pages, status=NeighbourhoodProposal.Status.WAITING
        )
        .select_related("borough_page")
        .order_by("received_at", "pk")
    )


def neighbourhood_proposals_of(borough_page: BoroughPage):
    """A borough's proposals: those waiting first, oldest first; then those decided, latest first."""
    waiting = NeighbourhoodProposal.Status.WAITING
    proposals = NeighbourhoodProposal.objects.filter(borough_page=borough_page).select_related("page", "decided_by")
    return list(proposals.filter(status=waiting).order_by("received_at", "pk")), list(
        proposals.exclude(status=waiting).order_by("-decided_at", "-pk")
    )


def neighbourhood_proposals_export(*, email: str) -> dict:
    """The proposals of natural neighbourhoods sent with an email address, for its owner's copy."""
    proposals = (
        NeighbourhoodProposal.objects.filter(email__iexact=email.strip())
        .select_related("borough_page")
        .order_by("received_at", "pk")
    )
    return {
        "neighbourhood_proposals": [
            {
                "borough": proposal.borough_page.title,
                "name": proposal.name,
                "covers": proposal.covers,
                "why": proposal.why,
                "postcode": proposal.postcode,
                "email": proposal.email,
                "status": proposal.get_status_display(),
                "received_at": proposal.received_at,
                "decided_at": proposal.decided_at,
            }
            for proposal in proposals
        ]
    }


def _priorities_with_crime(wards) -> tuple[list[Priority], int]:
    """The active priorities in these wards whose kind recorded crime measures, with that crime
    since each was agreed (as the ward page shows it beside them), and how many more there are, in
    three queries."""
    measured = Priority.objects.filter(ward_page__in=wards, status=Priority.Status.ACTIVE).exclude(
        category__crime_categories=""
    )
    priorities = list(
        measured.select_related("category", "ward_page").order_by("ward_page__title", "sort_order")[:DASHBOARD_LIMIT]
    )
    series = wards_crime({priority.ward_page.ward_id for priority in priorities})
    shown = []
    for priority in priorities:
        if priority.ward_page.ward_id in series:
            priority.crime = crime_since(
                series[priority.ward_page.ward_id], priority.category.crime_names(), priority.agreed_on
            )
            shown.append(priority)
    more = measured.count() - len(priorities) if len(priorities) == DASHBOARD_LIMIT and shown else 0
    return shown, more


# Open data: what the ward and borough pages show, for the APIs. Only published pages count.


def ward_pages_public():
    return pages_public(WardPage.objects.all())


def ward_page_published(code: str) -> WardPage | None:
    """A ward's published team page, with its ward and borough."""
    return ward_pages_public().select_related("ward__borough").filter(ward_id=code).first()


@dataclass(frozen=True)
class WardTeam:
    """Everything a ward's team page shows, for the APIs."""

    ward: Ward
    page: WardPage | None  # None where no team page is published (the City of London's wards)
    members: list[TeamMember]
    links: list[TeamLink]
    priorities: list[Priority]  # active
    events: list[Event]  # upcoming


def ward_team(code: str) -> WardTeam | None:
    """A ward and, if its team page is published, what the page shows; None for no such ward."""
    page = ward_page_published(code)
    if page is None:
        ward = Ward.objects.select_related("borough").filter(pk=code).first()
        return None if ward is None else WardTeam(ward, None, [], [], [], [])
    return WardTeam(
        page.ward,
        page,
        page.team(),
        list(page.team_links.all()),
        page.priorities_active(),
        page.events_upcoming(),
    )


def priorities_published(*, ward=None, borough=None, category=None, status=None, updated_since=None):
    """Priorities on every published ward page, filtered, with what the API shows of each."""
    found = Priority.objects.filter(ward_page__in=ward_pages_public().values("pk"))
    if ward:
        found = found.filter(ward_page__ward_id=ward)
    if borough:
        found = found.filter(ward_page__ward__borough_id=borough)
    if category:
        found = found.filter(category_id=category)
    if status:
        found = found.filter(status=status)
    if updated_since:
        found = found.filter(ward_page__last_published_at__gte=updated_since)
    return (
        found.select_related("category", "ward_page__ward")
        .prefetch_related("updates")
        .order_by("ward_page__ward__name", "sort_order", "pk")
    )


def page_draft(page):
    """A page as its latest revision has it (the live page where it has none), held wholly in
    memory, its child objects too (priorities with their updates, events), so that a change made to
    them is the change saved as the next revision."""
    latest = page.get_latest_revision_as_object()
    return latest.with_content_json(latest.serializable_data())


def page_lock_reason(page, user) -> str | None:
    """Why this user may not change the page just now, if they may not: it waits for a sergeant
    (Wagtail locks a page in moderation to all but its reviewers), or someone else locked it."""
    if not page.permissions_for_user(user).page_locked():
        return None
    if page.workflow_in_progress:
        return (
            "Changes to this page are waiting for a sergeant's approval. You can make more once a sergeant "
            "approves them, or asks for changes."
        )
    return f"{page.title} is locked by someone else who is editing it. Try again later."


def draft_priorities(draft: WardPage) -> dict[str, Priority]:
    """A ward page's priorities as of a revision (page.get_latest_revision_as_object()), by a key
    that names each in a form: its id, or for one added in a revision not yet published, which has
    no id yet, its place among them."""
    return {str(p.pk) if p.pk else f"new{place}": p for place, p in enumerate(draft.priorities.all())}


def wards_to_update(user):
    """The ward pages an officer may edit, by title, for the admin home's "Update my ward"."""
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return (
        WardPage.objects.filter(pk__in=pages.values("pk"))
        .select_related("ward__borough")
        .order_by("ward__borough__name", "title")
    )


def officer_wards(user):
    """The wards whose team pages an officer may edit (through their borough's page or their own)."""
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return Ward.objects.filter(page__in=WardPage.objects.filter(pk__in=pages.values("pk")))


def officer_boroughs(user):
    """The boroughs whose own pages an officer may edit."""
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return Borough.objects.filter(page__in=BoroughPage.objects.filter(pk__in=pages.values("pk")))


# Any permission an officers' group holds on its area's pages (add_officer grants them).
PAGE_ACTIONS = {"add", "change", "publish", "lock", "unlock", "bulk_delete"}


def pages_in_area(pages, user):
    """The part of a page queryset an officer looks after: the pages their groups hold a permission
    on, with their descendants. All of it for an administrator."""
    if user.is_superuser:
        return pages
    theirs = PagePermissionPolicy().instances_user_has_any_permission_for(user, PAGE_ACTIONS)
    return pages.filter(pk__in=theirs.values("pk"))


def pages_explorable(pages, user):
    """As pages_in_area, with the ancestors an officer passes through to reach their area (the
    home page, the boroughs' index, their ward's borough page), as Wagtail's explorer shows them."""
    if user.is_superuser:
        return pages
    return pages.filter(pk__in=PagePermissionPolicy().explorable_instances(user).values("pk"))
