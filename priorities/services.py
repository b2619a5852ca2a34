"""Writes that matter for the team pages: building them below the home page, officers and their groups,
sergeant approval, photo collections, and revising a page (Update my ward, survey summaries)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.signal_handlers import disable_reference_index_auto_update

from geography.models import Borough, PoliceForce, Ward
from geography.selectors import Area, AreaNotUnderstood, area_of
from sn_site.cache import generation_forget
from sn_site.emails import email_message, email_render
from sn_site.links import site_url
from sn_site.progress import Progress, no_progress

from .models import (
    BoroughIndexPage,
    BoroughPage,
    Event,
    NeighbourhoodPage,
    NeighbourhoodPostcode,
    NeighbourhoodProposal,
    Priority,
    PriorityUpdate,
    WardPage,
    active_priorities_check,
    new_meeting_check,
)
from .selectors import LOOKUP_GENERATION, draft_priorities, page_draft, page_lock_reason


def lookup_cache_forget() -> None:
    """Start afresh after the geography or the ward pages change: every cached answer and ward
    table, in every process that shares the cache. (London's outline starts afresh with the
    geography's own generation, geography.selectors.GEOGRAPHY_GENERATION.)"""
    generation_forget(LOOKUP_GENERATION)


@dataclass
class PageTreeReport:
    borough_pages_created: int = 0
    ward_pages_created: int = 0
    officer_groups: int = 0


def team_pages_build(*, home: Page, progress: Progress = no_progress) -> PageTreeReport:
    """Make sure the borough index, a page for every Met borough and a page for every ward in them
    exist below the home page. Only missing pages are created: nothing editors wrote is changed.
    """
    report = PageTreeReport()
    # New pages refer to nothing Wagtail's reference index records, and indexing each as it is made
    # costs a fifth of building the tree.
    with transaction.atomic(), disable_reference_index_auto_update():
        if not BoroughIndexPage.objects.exists():
            home.add_child(
                instance=BoroughIndexPage(
                    title="All boroughs and wards",
                    slug="boroughs",
                    introduction="<p>Every London borough the Metropolitan Police covers, and its wards.</p>",
                )
            )
        boroughs = list(
            Borough.objects.filter(police_force=PoliceForce.METROPOLITAN, page__isnull=True).defer("outline")
        )
        for borough in boroughs:
            progress("borough pages", report.borough_pages_created, len(boroughs))
            home.add_child(instance=BoroughPage(title=borough.name, slug=borough.slug, borough=borough))
            report.borough_pages_created += 1
        progress("borough pages", len(boroughs), len(boroughs))
        borough_pages = {page.borough_id: page for page in BoroughPage.objects.all()}
        wards = [
            ward
            for ward in Ward.objects.filter(borough__police_force=PoliceForce.METROPOLITAN, page__isnull=True)
            .defer("outline")
            .order_by("borough_id", "name")
            if ward.borough_id in borough_pages  # else the borough page was removed on purpose: leave its wards
        ]
        for ward in wards:
            progress("ward pages", report.ward_pages_created, len(wards))
            borough_pages[ward.borough_id].add_child(instance=WardPage(title=ward.name, slug=ward.slug, ward=ward))
            report.ward_pages_created += 1
        progress("ward pages", len(wards), len(wards))
        for done, borough_page in enumerate(borough_pages.values()):
            progress("officers' groups and approval", done, len(borough_pages))
            borough_moderation_sync(page=borough_page)
        progress("officers' groups and approval", len(borough_pages), len(borough_pages))
        report.officer_groups = len(borough_pages)
        for borough_page in borough_pages.values():
            ward_photo_collections_ensure(borough_page=borough_page)
        default_groups_confine()
        transaction.on_commit(lookup_cache_forget)
    return report


# What SNT officers may do with the pages they look after: create, edit, lock and unlock, and
# publish, unless their borough has switched on sergeant approval. Never delete: a ward always has
# a team. Sergeants may always publish, and approve officers' changes.
OFFICER_PAGE_PERMISSIONS = ("add", "change", "publish", "lock", "unlock")

# What officers may do with the images in their area's collection (its wards' included): upload,
# choose (for a team member's photo) and edit or delete them. Nothing outside it.
OFFICER_IMAGE_PERMISSIONS = ("add", "choose", "change")

# Sent with `group` each time an officers' group is put right, so that other apps (ward panels)
# can give officers what they need there without this app knowing about them.
officer_group_ensured = Signal()


def officer_group_ensure(*, page: BoroughPage | WardPage, sergeants: bool = False) -> Group:
    """The group whose members may look after this borough page (and its wards) or this ward page,
    and nothing else: its officers, or with `sergeants` its sergeants. Made on first use; its
    permissions are put right on every call."""
    borough_page = page if isinstance(page, BoroughPage) else BoroughPage.objects.get(pk=page.get_parent().pk)
    if isinstance(page, BoroughPage):
        name = f"{page.borough.name} {'sergeants' if sergeants else 'officers'}"
    else:
        name = f"{page.ward.name} ward editors ({page.ward.borough.name})"
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    actions = [a for a in OFFICER_PAGE_PERMISSIONS if a != "publish" or sergeants or not borough_page.sergeant_approval]
    permissions = Permission.objects.filter(content_type__app_label="wagtailcore", codename__endswith="_page")
    for permission in permissions.filter(codename__in=[f"{action}_page" for action in actions]):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    GroupPagePermission.objects.filter(group=group, page=page).exclude(
        permission__codename__in=[f"{action}_page" for action in actions]
    ).delete()
    # Team photos: uploaded to, and chosen from, the area's own image collection only.
    collection = photo_collection_ensure(page=page)
    image_permissions = Permission.objects.filter(
        content_type__app_label="wagtailimages",
        codename__in=[f"{action}_image" for action in OFFICER_IMAGE_PERMISSIONS],
    )
    for permission in image_permissions:
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    GroupCollectionPermission.objects.filter(group=group).exclude(
        collection=collection, permission__in=image_permissions
    ).delete()
    officer_group_ensured.send(sender=Group, group=group)  # other apps add what officers may do there
    return group


def borough_moderation_sync(*, page: BoroughPage) -> None:
    """Switch sergeant approval on or off for a borough's pages, as its page says: the borough's
    workflow (one sergeants' approval step) and who may publish without it."""
    sergeants = officer_group_ensure(page=page, sergeants=True)
    task, _ = GroupApprovalTask.objects.get_or_create(name=f"{page.borough.name}: sergeant approval")
    task.groups.set([sergeants])
    workflow, created = Workflow.objects.get_or_create(name=f"{page.borough.name}: sergeant approval")
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    if page.sergeant_approval:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    else:
        WorkflowPage.objects.filter(page=page, workflow=workflow).delete()
    officer_group_ensure(page=page)
    ward_pages_with_editors = WardPage.objects.child_of(page).filter(group_permissions__isnull=False).distinct()
    for ward_page in ward_pages_with_editors:
        officer_group_ensure(page=ward_page)


# Team photos: an image collection for each borough, and inside it one for each ward's team -------


def photo_collection_ensure(*, page: BoroughPage | WardPage) -> Collection:
    """The image collection for the photos of a borough's teams, or of one ward's team (inside its
    borough's, so the borough's officers reach it too). Made on first use."""
    if isinstance(page, BoroughPage):
        # Wagtail's migrations make the root collection; an emptied database has none.
        parent = Collection.get_first_root_node() or Collection.add_root(instance=Collection(name="Root"))
        name = page.borough.name
    else:
        parent, name = photo_collection_ensure(page=BoroughPage.objects.get(pk=page.get_parent().pk)), page.ward.name
    found = parent.get_children().filter(name=name).first()
    return found or parent.add_child(instance=Collection(name=name))


def ward_photo_collections_ensure(*, borough_page: BoroughPage) -> None:
    """A photo collection for every ward team in a borough that has none yet."""
    borough = photo_collection_ensure(page=borough_page)
    taken = set(borough.get_children().values_list("name", flat=True))
    for name in WardPage.objects.child_of(borough_page).values_list("ward__name", flat=True).order_by("ward__name"):
        if name not in taken:
            borough.add_child(instance=Collection(name=name))
            taken.add(name)


# Wagtail's migrations make two groups, "Editors" and "Moderators", with rights over the root page
# and the root collection: all of London's pages and every borough's photos, first in the list of
# groups to tick. A priorities migration (wagtail_default_groups_confined) and every page tree build
# take those rights away (a right an administrator gives them over one part of the site is theirs
# to give, and stays).
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")


def default_groups_confine() -> None:
    """Wagtail's default groups hold no right over the whole site's pages (the root and the home
    page) or over the root collection (every area's images)."""
    GroupPagePermission.objects.filter(group__name__in=WAGTAIL_DEFAULT_GROUPS, page__depth__lte=2).delete()
    GroupCollectionPermission.objects.filter(group__name__in=WAGTAIL_DEFAULT_GROUPS, collection__depth__lte=1).delete()


# People: officers and sergeants, made by `manage.py add_officer` ----------------------------------


@dataclass
class OfficerAdded:
    user: object
    group: Group
    created: bool  # a new account
    link_sent_to: str = ""  # where the link to choose a password went, if one was sent


def officer_add(
    *, username: str, page: BoroughPage | WardPage, email: str = "", sergeant: bool = False
) -> OfficerAdded:
    """Put a person in the officers' group of a borough or a ward (or with `sergeant` the borough's
    sergeants), making their account first if there is none: `email` is needed then, and they are
    sent a link to choose their password. So is anyone who has not chosen one yet (the link lasts
    PASSWORD_RESET_TIMEOUT). Sent inside the transaction: if the email cannot go, nothing is made,
    and the command can simply be run again."""
    if sergeant and not isinstance(page, BoroughPage):
        raise ValueError("Sergeants look after a whole borough.")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            if not email:
                raise ValueError(f"There is no user '{username}': give their email address to make one.")
            user = User(username=username, email=email)
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
        group = officer_group_ensure(page=page, sergeants=sergeant)
        user.groups.add(group)
        added = OfficerAdded(user=user, group=group, created=created)
        if not user.has_usable_password() and user.email:
            _password_link_send(user=user, page=page)
            added.link_sent_to = user.email
    return added


def password_link(user) -> str:
    """A one-use link to choose a password (Django's password reset token, on Wagtail's page for it)."""
    path = reverse(
        "wagtailadmin_password_reset_confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )
    return site_url(path)


def _password_link_send(*, user, page: BoroughPage | WardPage) -> None:
    context = {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "page": page,
        "whole_borough": isinstance(page, BoroughPage),
        "username": user.get_username(),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "password_url": password_link(user),
        "admin_url": site_url("/admin/"),
    }
    email_message(email_render("priorities/officer_account", context), to=[user.email]).send()


class Revised(StrEnum):
    """Where a change made through team_page_revise (or sent by team_page_submit) stands, in the
    words officers are told."""

    LIVE = "Live on the ward page"
    SCHEDULED = "Scheduled: it goes live on the ward page at the page's publishing time"
    SAVED_FOR_APPROVAL = (
        "Saved, but not on the ward page yet: when you have made all your changes, send them to a sergeant"
    )
    SAVED = "Saved as a draft, not on the ward page: someone who may publish the page must publish it"
    AWAITING_APPROVAL = "Sent to a sergeant for approval"
    UNCHANGED = "Nothing to save: nothing was changed"


def _editable(page: BoroughPage | WardPage, user):
    permissions = page.permissions_for_user(user)
    if not permissions.can_edit():
        raise PermissionDenied
    locked = page_lock_reason(page, user)
    if locked:
        raise ValidationError(locked)
    return permissions


def team_page_revise(*, page: BoroughPage | WardPage, user, change: Callable[[Page], None]) -> Revised:
    """Make a change to a ward's (or borough's) page as the page editor would: on its latest
    revision, saved as a new revision in the page's history (and the admin's log), then published if
    the user may publish it: officers may not where their borough has sergeant approval, sergeants
    always may. Otherwise it is saved as a draft, as the editor's "Save draft" would, for the officer
    to send to the borough's sergeants with team_page_submit once they have made all their changes
    (a page sent for approval is locked to them until a sergeant acts). Every form that changes a
    team page outside the page editor goes through here, so moderation, history and scheduled
    publishing apply to them all.

    `change(draft)` changes the draft in memory (its priorities, updates and events included); it
    may raise ValidationError, and so may the three-priority rule, with nothing saved. If it returns
    False, it found nothing to change: no revision is saved, and the answer is Revised.UNCHANGED."""
    permissions = _editable(page, user)
    with transaction.atomic():
        # One change at a time to a page, each built on the revision the one before it saved: two
        # officers saving at once both keep their change (the page editor would keep the last).
        page = type(page).objects.select_for_update().get(pk=page.pk)
        draft = page_draft(page)
        if change(draft) is False:
            return Revised.UNCHANGED
        if isinstance(draft, WardPage):
            active_priorities_check(sum(1 for p in draft.priorities.all() if p.status == Priority.Status.ACTIVE))
        revision = draft.save_revision(user=user, log_action=True)
        if permissions.can_publish():
            revision.publish(user=user)
            return Revised.SCHEDULED if draft.go_live_at and draft.go_live_at > timezone.now() else Revised.LIVE
        return Revised.SAVED_FOR_APPROVAL if draft.get_workflow() else Revised.SAVED


def team_page_submit(*, page: BoroughPage | WardPage, user) -> Revised:
    """Send a team page's unpublished changes to its workflow, the borough's sergeant approval: a
    sergeant approves (publishing the latest revision) or asks for changes, as for a page submitted
    from the page editor. Sent again after a sergeant asked for changes, it goes back to them."""
    _editable(page, user)
    workflow = page.get_workflow()
    if workflow is None:
        raise ValidationError("This page needs no approval: publish it instead.")
    if not page.has_unpublished_changes:
        raise ValidationError("There are no changes to send: everything is already on the ward page.")
    with transaction.atomic():
        state = page.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user)
        else:
            workflow.start(page, user)
    return Revised.AWAITING_APPROVAL


# The officers' "Update my ward" (admin_views.ward_update): the whole after-meeting update, saved as
# one change to the ward page's latest revision through team_page_revise. Priorities are named by
# draft_priorities' keys.


@dataclass
class PriorityProgress:
    """One active priority after a meeting: its status (resolved or closed retires it, with its
    outcome), its review date, and the team's "we did" update, if any."""

    status: str
    outcome: str
    review_by: datetime.date | None
    update: PriorityUpdate | None = None


def ward_update_save(
    *,
    page: WardPage,
    user,
    progress: dict[str, PriorityProgress] | None = None,
    priority: Priority | None = None,
    event: Event | None = None,
) -> Revised:
    """After a meeting, all at once in one revision: each priority's progress (by key), a new
    priority agreed with the ward panel (after the ward's others) and a new meeting, which must not
    start in the past. A priority whose progress changes nothing is left alone; if nothing changes
    at all, no revision is saved (Revised.UNCHANGED).

    Mistakes come back together in one ValidationError, nothing saved, each named
    "<part>:<field>": the part is a priority's key, "new_priority" or "meeting", the field a
    model field's name or "__all__"."""
    progress = progress or {}
    found: dict[str, list[str]] = {}

    def check(part: str, validate: Callable[[], None]) -> None:
        try:
            validate()
        except ValidationError as error:
            for field_name, messages in error.update_error_dict({}).items():
                found.setdefault(f"{part}:{field_name}", []).extend(ValidationError(messages).messages)

    def clean(instance, exclude: list[str]) -> Callable[[], None]:
        return lambda: instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)

    def change(draft: WardPage) -> bool:
        changed = False
        priorities = draft_priorities(draft)
        for key, done in progress.items():
            existing = priorities.get(key)
            if existing is None:
                found.setdefault(f"{key}:__all__", []).append(
                    "That priority is no longer on the ward page. Reload the page and try again."
                )
                continue
            if done.update is None and (done.status, done.outcome, done.review_by) == (
                existing.status,
                existing.outcome,
                existing.review_by,
            ):
                continue
            existing.status, existing.outcome, existing.review_by = done.status, done.outcome, done.review_by
            check(key, clean(existing, ["ward_page", "category"]))
            if done.update is not None:
                check(key, clean(done.update, ["priority"]))
                existing.updates.add(done.update)
            changed = True
        if priority is not None:
            priority.sort_order = max((p.sort_order or 0 for p in draft.priorities.all()), default=0) + 1
            check("new_priority", clean(priority, ["ward_page"]))
            draft.priorities.add(priority)
            changed = True
        if event is not None:
            check("meeting", clean(event, ["ward_page"]))
            if event.starts_at:
                check("meeting", lambda: new_meeting_check(event.starts_at))
            draft.events.add(event)
            changed = True
        if found:
            raise ValidationError(found)
        return changed

    return team_page_revise(page=page, user=user, change=change)


# Natural neighbourhoods ---------------------------------------------------------------------------


def neighbourhood_area_refresh(*, page: NeighbourhoodPage) -> Area:
    """Work out a published natural neighbourhood's area as its page now gives it (the postcodes
    listed and those inside its drawing): its postcodes (what the lookup reads), the wards they are
    in and its outline. Postcodes London no longer has are left out. The lookups start afresh."""
    area = area_of(listed=page.area_postcodes, drawing=page.area_drawing)
    with transaction.atomic():
        held = set(NeighbourhoodPostcode.objects.filter(page=page).values_list("postcode_id", flat=True))
        wanted = set(area.postcodes)
        NeighbourhoodPostcode.objects.filter(page=page, postcode_id__in=held - wanted).delete()
        NeighbourhoodPostcode.objects.bulk_create(
            [NeighbourhoodPostcode(page=page, postcode_id=postcode) for postcode in sorted(wanted - held)],
            batch_size=1000,
            ignore_conflicts=True,  # a publish racing another writes the same rows once
        )
        NeighbourhoodPage.objects.filter(pk=page.pk).update(outline=area.outline)
        page.outline = area.outline
        page.wards.set(area.ward_codes)
        transaction.on_commit(lookup_cache_forget)
    return area


def neighbourhood_area_import(*, page: NeighbourhoodPage, drawing, publish: bool = False) -> tuple[Area, Area]:
    """Give a natural neighbourhood's latest draft a drawn area (GeoJSON, from a file), as a new
    revision, published if asked. Returns the postcodes the drawing takes and the whole area with
    those the page lists; AreaNotUnderstood where the drawing cannot be read or holds no postcode."""
    draft = page_draft(page)
    drawn = area_of(drawing=drawing, outline=False)
    if not drawn.postcodes:
        raise AreaNotUnderstood(
            "the drawing holds no postcode London has. Check it covers the neighbourhood (GeoJSON gives "
            "longitude first, then latitude)."
        )
    whole = area_of(listed=draft.area_postcodes, drawing=drawing, outline=False)
    with transaction.atomic():
        draft.area_drawing = drawing
        revision = draft.save_revision(log_action=True)
        if publish:
            revision.publish()
    return drawn, whole


def neighbourhood_areas_refresh() -> int:
    """Every published natural neighbourhood's area again, after the geography was imported (its
    drawings may hold new postcodes). Returns how many."""
    pages = list(NeighbourhoodPage.objects.live())
    for page in pages:
        neighbourhood_area_refresh(page=page)
    return len(pages)


# Residents' proposals of natural neighbourhoods --------------------------------------------------


def neighbourhood_proposal_submit(
    *, borough_page: BoroughPage, name: str, covers: str, why: str, postcode: str, email: str, submission: str
) -> tuple[NeighbourhoodProposal, bool]:
    """Keep a resident's proposal for its borough's officers. The same form sent twice (its
    `submission` token) is one proposal: the second answer is the first, and False."""
    return NeighbourhoodProposal.objects.get_or_create(
        submission=submission,
        defaults={
            "borough_page": borough_page,
            "name": name,
            "covers": covers,
            "why": why,
            "postcode": postcode,
            "email": email,
        },
    )


def _proposal_waiting(proposal: NeighbourhoodProposal, user) -> NeighbourhoodProposal:
    """The proposal again, locked for deciding, if it is still waiting and the user may add pages
    under its borough's page; PermissionDenied or ValidationError otherwise."""
    if not proposal.borough_page.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    proposal = NeighbourhoodProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != NeighbourhoodProposal.Status.WAITING:
        raise ValidationError(f"“{proposal.name}” was already {proposal.get_status_display().lower()}.")
    return proposal


def _free_slug(parent: Page, name: str) -> str:
    """An address for a new natural neighbourhood under `parent`: its name's, unless a page beside
    it or another natural neighbourhood has that, then with -2, -3..."""
    base = slugify(name)[:70] or "neighbourhood"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= set(NeighbourhoodPage.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def neighbourhood_proposal_accept(*, proposal: NeighbourhoodProposal, user) -> NeighbourhoodPage:
    """Make a waiting proposal a draft natural neighbourhood under its borough's page, for the
    officer to refine and publish (or send to a sergeant): its name, what it covers and why as its
    introduction, and the proposer's postcode sector as the start of its area."""
    with transaction.atomic():
        proposal = _proposal_waiting(proposal, user)
        introduction = "".join(
            f"<p>{escape(line)}</p>" for text in (proposal.covers, proposal.why) for line in text.splitlines() if line
        )
        page = NeighbourhoodPage(
            title=proposal.name,
            slug=_free_slug(proposal.borough_page, proposal.name),
            introduction=introduction,
            area_postcodes=proposal.postcode[:-2] if proposal.postcode else "",  # "SE15 5DB" -> "SE15 5"
            live=False,
            owner=user,
        )
        proposal.borough_page.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        proposal.status = NeighbourhoodProposal.Status.ACCEPTED
        proposal.page, proposal.decided_at, proposal.decided_by = page, timezone.now(), user
        proposal.save(update_fields=["status", "page", "decided_at", "decided_by"])
    return page


def neighbourhood_proposal_decline(*, proposal: NeighbourhoodProposal, user) -> None:
    with transaction.atomic():
        proposal = _proposal_waiting(proposal, user)
        proposal.status = NeighbourhoodProposal.Status.DECLINED
        proposal.decided_at, proposal.decided_by = timezone.now(), user
        proposal.save(update_fields=["status", "decided_at", "decided_by"])


def neighbourhood_proposals_purge(*, now=None) -> int:
    """Proposals decided more than SN_PROPOSAL_RETENTION_DAYS ago are deleted, with the proposer's
    email address and postcode: an accepted one's page stays. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.SN_PROPOSAL_RETENTION_DAYS)
    return NeighbourhoodProposal.objects.filter(decided_at__lt=cutoff).delete()[0]


def neighbourhood_proposals_erase(*, email: str) -> int:
    """On its owner's request: every proposal sent with this email address. Returns how many."""
    return NeighbourhoodProposal.objects.filter(email__iexact=email.strip()).delete()[0]
