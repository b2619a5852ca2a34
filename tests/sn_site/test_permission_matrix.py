"""Issue 7: a test matrix of permissions. Anonymous, resident, panel member, ward editor, borough
editor and admin, against every admin view and every write (API and public forms): nobody reaches
what is not theirs.

The world is built once for the module (inside one transaction that is rolled back at the end; each
test runs in a savepoint of it, as pytest-django's `db` does): ward A (Rye Lane) and ward A2
(Peckham) in borough A (Southwark), ward B (St James's) in borough B (Westminster); each ward with a
priority, a panel with members and a survey with invitations and an answer; each borough with a
borough-wide survey; a newsletter with a send under ward A, borough A, ward B and borough B; and
subscribers everywhere; a natural neighbourhood under each borough (A's a postcode of ward A2).

- ward editor: in ward A's editors' group (add_officer --ward), as officers are made: no natural
  neighbourhood is theirs (each belongs to a borough).
- borough editor: in borough A's officers' group (add_officer --borough): natural neighbourhood A too.
- panel member: a member of ward A's panel holding their invitation token to ward A's survey, and
  also signed in with a plain account (no groups, no permissions), like a resident.
- default groups: a member of Wagtail's own "Editors" and "Moderators" groups (its migrations make
  them, first in the admin's list of groups to tick), who may open the admin and reach no area.

Each area has its team photos too: an image in its own collection (a ward's inside its borough's).

The admin URLs are found by walking the URL resolver; the project's own views (and the snippet
viewsets of our models) must each be in the matrix, or `test_every_project_admin_url_is_in_the_matrix`
fails. The API writes come from the served OpenAPI schema; `test_every_api_write_is_in_the_matrix`
fails when one appears that the matrix does not cover; the same goes for our public URLs (each a
public write in the matrix, or read-only).

The matrix found two holes, both fixed: the snippet choosers of panels, members and surveys listed
and returned every area's (now narrowed to the officer's area, and creating nothing), and the site
history report showed officers every area's log entries for them (now narrowed too). With the
team photos in it, a third: the admin's images API listed every area's photos to anyone who may
use the admin (now narrowed to the collections they may choose from).
"""

import datetime
import json
from dataclasses import dataclass
from io import StringIO
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from newsletters.models import Delivery, NewsletterPage, Send, Subscriber, Subscription
from newsletters.services import send_start
from newsletters.throttles import SignupLimit
from newsletters.tokens import confirm_token, preferences_token, unsubscribe_token
from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodProposal, PriorityCategory, WardPage
from priorities.services import photo_collection_ensure
from sn_site.throttles import AnonymousRateLimit
from ward_panels.models import EqualityPending, Invitation, PanelMember, Response, Survey, WardPanel
from ward_panels.selectors import survey_rules
from ward_panels.services import invitations_send, response_submit
from ward_panels.throttles import JoinLimit, SurveyAnswerLimit
from ward_panels.tokens import invitation_token, join_token, leave_token, receipt_token

NOW = timezone.now()
PASSWORD = "a-long-test-password"  # noqa: S105
WEBHOOK_SECRET = "matrix-webhook-secret"  # noqa: S105

# Ward A (Rye Lane) and A2 (Peckham) are in borough A (Southwark); ward B (St James's) in borough B.
AREAS = {
    "ward_a": "E05011113",
    "ward_a2": "E05011110",
    "borough_a": "E09000028",
    "ward_b": "E05013806",
    "borough_b": "E09000033",
}
WARDS = ["ward_a", "ward_a2", "ward_b"]
NEWSLETTER_AREAS = ["ward_a", "borough_a", "ward_b", "borough_b"]
# A natural neighbourhood under each borough's page: its borough's officers keep it, nobody else.
NEIGHBOURHOODS = {"neighbourhood_a": ("borough_a", "SE15 5RS"), "neighbourhood_b": ("borough_b", "SW1A 1AA")}
ROLES = ["anonymous", "resident", "panel_member", "ward_editor", "borough_editor", "admin"]
OFFICERS = ("ward_editor", "borough_editor")
DEFAULT_GROUPS = ("Editors", "Moderators")  # Wagtail's own, made by its migrations
REACH = {  # the areas each role looks after
    "ward_editor": {"ward_a"},
    "borough_editor": {"ward_a", "ward_a2", "borough_a", "neighbourhood_a"},
    "admin": set(AREAS) | set(NEIGHBOURHOODS),
}


# Known problems, each test kept asserting the right behaviour until they are fixed.


def reaches(role: str, scope: str) -> bool:
    return scope in REACH.get(role, ())


def relation(role: str, scope: str) -> str:
    """How an object's area stands to a role, for the test ids."""
    if role not in REACH or role == "admin":
        return scope
    return f"own_{scope}" if reaches(role, scope) else f"other_{scope}"


# The world ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(
    _sample_london_for_module,
    django_db_blocker,
    add_priority,
    make_survey,
    good_answers,
    survey_page_form,
    survey_admin_form,
):
    """Built once on the module's sample London, in its transaction: rolled back after the module's
    last test, and each test runs in a savepoint of it, as pytest-django's `db` does."""
    with django_db_blocker.unblock(), override_settings(SN_DATA_DIR=""):
        built = _build(add_priority, make_survey, good_answers, survey_page_form)
    built.survey_admin_form = survey_admin_form
    return built


def _build(add_priority, make_survey, good_answers, survey_page_form):
    users = {
        "resident": User.objects.create_user("resident", "resident@example.org", PASSWORD),
        "panel_member": User.objects.create_user("member.a", "holder-ward_a@example.org", PASSWORD),
        "ward_editor": User.objects.create_user("pcso.ryelane", "pcso.ryelane@example.org", PASSWORD),
        "borough_editor": User.objects.create_user("pc.southwark", "pc.southwark@example.org", PASSWORD),
        "admin": User.objects.create_superuser("admin", "admin@example.org", PASSWORD),
        "default_groups": User.objects.create_user("wagtail.editor", "wagtail.editor@example.org", PASSWORD),
    }
    users["default_groups"].groups.set(Group.objects.filter(name__in=DEFAULT_GROUPS))
    call_command("add_officer", "pcso.ryelane", "--ward", AREAS["ward_a"], stdout=StringIO())
    call_command("add_officer", "pc.southwark", "--borough", AREAS["borough_a"], stdout=StringIO())

    pages = {scope: WardPage.objects.get(ward_id=AREAS[scope]) for scope in WARDS}
    pages |= {scope: BoroughPage.objects.get(borough_id=AREAS[scope]) for scope in ("borough_a", "borough_b")}
    for scope in WARDS:
        add_priority(pages[scope], title=f"Priority of {scope}")
    photos, collections = {}, {}
    for scope in AREAS:
        collections[scope] = photo_collection_ensure(page=pages[scope])
        photos[scope] = Image.objects.create(
            title=f"Photo-{scope}-secret",
            file=get_test_image_file(),
            collection=collections[scope],
            description="The team, smiling",
        )

    panels, members = {}, {}
    for scope in WARDS:
        panels[scope] = WardPanel.objects.create(ward_id=AREAS[scope], chair=f"Chair-{scope}-secret")
        for kind in ("holder", "answered"):
            members[scope, kind] = PanelMember.objects.create(
                panel=panels[scope],
                name=f"{kind.title()}-{scope}-secret",
                email=f"{kind}-{scope}@example.org",
                confirmed_at=NOW,
                consent_given_at=NOW,
            )

    surveys = {}
    for scope, code in AREAS.items():
        where = {"ward": code} if scope.startswith("ward") else {"ward": None, "borough_id": code}
        survey = make_survey(**where)
        Survey.objects.filter(pk=survey.pk).update(title=f"Survey-{scope}-secret")
        surveys[scope] = survey
        invitations_send(survey=survey)
    closed = make_survey(ward=AREAS["ward_a"])
    invitations_send(survey=closed)
    Survey.objects.filter(pk=closed.pk).update(closes_at=NOW - datetime.timedelta(hours=1))
    open_survey = make_survey(audience=Survey.Audience.OPEN, ward=AREAS["ward_b"])

    tokens = {(i.survey_id, i.member_id): invitation_token(i.pk, i.nonce) for i in Invitation.objects.all()}
    for scope in WARDS:  # each ward's survey has an answer already
        survey = surveys[scope]
        response_submit(
            survey=survey_rules(survey.pk),
            answers=good_answers(survey),
            token=tokens[survey.pk, members[scope, "answered"].pk],
        )
    for scope in WARDS:  # joined after the invitations went: sending again invites them
        members[scope, "late"] = PanelMember.objects.create(
            panel=panels[scope],
            name=f"Late-{scope}-secret",
            email=f"late-{scope}@example.org",
            confirmed_at=NOW,
            consent_given_at=NOW,
        )
    unconfirmed = PanelMember.objects.create(panel=panels["ward_b"], name="Unconfirmed", email="join-b@example.org")

    subscribers = {}
    for scope, code in AREAS.items():
        subscriber = Subscriber.objects.create(email=f"sub-{scope}@example.org", confirmed_at=NOW)
        area = {"ward_id": code} if scope.startswith("ward") else {"borough_id": code}
        Subscription.objects.create(subscriber=subscriber, confirmed_at=NOW, **area)
        subscribers[scope] = subscriber
    pending = Subscriber.objects.create(email="pending@example.org")
    Subscription.objects.create(subscriber=pending, ward_id=AREAS["ward_b"])

    newsletters, sends, drafts = {}, {}, {}
    for scope in NEWSLETTER_AREAS:
        newsletter = NewsletterPage(title=f"Newsletter of {scope}", summary="News.")
        pages[scope].add_child(instance=newsletter)
        newsletter.save_revision().publish()
        newsletters[scope] = newsletter
        sends[scope] = send_start(newsletter=newsletter, user=users["admin"])
        since = Subscriber.objects.create(email=f"since-{scope}@example.org", confirmed_at=NOW)
        area = {"ward_id": AREAS[scope]} if scope.startswith("ward") else {"borough_id": AREAS[scope]}
        Subscription.objects.create(subscriber=since, confirmed_at=NOW, **area)  # subscribed since the send
        draft = NewsletterPage(title=f"Draft-{scope}-secret", summary="Not yet.", live=False)
        pages[scope].add_child(instance=draft)
        draft.save_revision()
        drafts[scope] = draft

    proposals = {}
    for scope in ("borough_a", "borough_b"):  # a resident's proposal of a natural neighbourhood in each borough
        proposals[scope] = NeighbourhoodProposal.objects.create(
            borough_page=pages[scope],
            name=f"Proposal-{scope}-secret",
            covers="The streets around the park.",
            why="We share it.",
            email=f"proposer-{scope}@example.org",
            submission=f"matrix-{scope}",
        )

    neighbourhoods = {}
    for scope, (borough, listed) in NEIGHBOURHOODS.items():
        neighbourhood = NeighbourhoodPage(title=f"Neighbourhood-{scope}-secret", slug=scope, area_postcodes=listed)
        pages[borough].add_child(instance=neighbourhood)
        neighbourhood.save_revision().publish()
        neighbourhoods[scope] = neighbourhood

    # As the admin leaves them: each object's history names it (the audit log, the site history report).
    for instance in [*surveys.values(), *panels.values(), *members.values()]:
        log(instance=instance, action="wagtail.create", user=users["admin"])

    sessions = {}
    for role, user in users.items():
        signed_in = Client()
        signed_in.force_login(user)
        sessions[role] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value

    return SimpleNamespace(
        users={role: user.pk for role, user in users.items()},
        sessions=sessions,
        pages={scope: page.pk for scope, page in pages.items()},
        panels={scope: panel.pk for scope, panel in panels.items()},
        members={key: member.pk for key, member in members.items()},
        surveys={scope: survey.pk for scope, survey in surveys.items()},
        survey_page_form=survey_page_form(surveys["ward_a"], ""),  # good answers to ward A's survey
        closed_survey=closed.pk,
        open_survey=open_survey.pk,
        tokens=tokens,
        unconfirmed_member=unconfirmed.pk,
        subscribers={scope: s.pk for scope, s in subscribers.items()},
        pending_subscriber=pending.pk,
        newsletters={scope: page.pk for scope, page in newsletters.items()},
        drafts={scope: page.pk for scope, page in drafts.items()},
        neighbourhoods={scope: page.pk for scope, page in neighbourhoods.items()},
        sends={scope: send.pk for scope, send in sends.items()},
        category=PriorityCategory.objects.get(name="Speeding").pk,
        photos={scope: image.pk for scope, image in photos.items()},
        proposals={scope: proposal.pk for scope, proposal in proposals.items()},
        collections={scope: collection.pk for scope, collection in collections.items()},
    )


@pytest.fixture
def as_role(client, world, db):
    """A client signed in as the role (with the session made when the world was built)."""

    def sign_in(role):
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        return client

    return sign_in


# What secrets of each area look like in a page: an officer of another area must never see them.
def secrets_of(scope: str) -> list[str]:
    if scope in NEIGHBOURHOODS:
        return [f"Neighbourhood-{scope}-secret"]
    found = [f"Survey-{scope}-secret", f"Photo-{scope}-secret"]
    if scope in WARDS:
        found += [f"{kind}-{scope}-secret" for kind in ("Holder", "Answered", "Late")] + [f"Chair-{scope}-secret"]
        found += [f"holder-{scope}@example.org", f"answered-{scope}@example.org", f"late-{scope}@example.org"]
    found.append(f"sub-{scope}@example.org")
    if scope in NEWSLETTER_AREAS:
        found += [f"Newsletter of {scope}", f"Draft-{scope}-secret"]
    if scope.startswith("borough"):
        found += [f"Proposal-{scope}-secret", f"proposer-{scope}@example.org"]
    return found


def assert_no_secrets_of_others(role: str, response) -> None:
    if role == "admin" or response.status_code != 200 or response.streaming:
        return
    content = response.content.decode(errors="replace")
    for scope in (*AREAS, *NEIGHBOURHOODS):
        if not reaches(role, scope):
            for secret in secrets_of(scope):
                assert secret not in content, f"{role} sees {secret!r} of {scope}"


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse("wagtailadmin_login")


def is_denied(response) -> bool:
    """Did not get the page: 401/403/404, or Wagtail's answer to a permission denied (back to the
    dashboard, with a message) or to someone who may not use the admin (to the sign-in page)."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        return urlsplit(response["Location"]).path in (reverse("wagtailadmin_home"), reverse("wagtailadmin_login"))
    return False


def assert_denied(role: str, response) -> None:
    if role == "anonymous":
        assert is_login_redirect(response), (response.status_code, response.get("Location"))
        assert "?next=" in response["Location"]
    else:
        assert is_denied(response), (response.status_code, response.get("Location"))


# The admin's URLs ---------------------------------------------------------------------------------

PROJECT_APPS = ("geography", "priorities", "ward_panels", "newsletters", "open_data", "home", "sn_site")
OUR_MODELS = ("ward_panels/", "priorities/", "newsletters/", "sn_site/")


def admin_patterns() -> list[tuple[str, str, URLPattern]]:
    """(name, route, pattern) of every named URL pattern under admin/."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern), pattern

    return [row for row in walk(get_resolver().url_patterns, "", None) if row[1].startswith("admin/")]


def is_project_view(route: str, pattern: URLPattern) -> bool:
    """A view of our own apps, or a snippet viewset (or chooser) of one of our models."""
    view = getattr(pattern.callback, "view_class", None) or pattern.callback
    if (getattr(view, "__module__", "") or "").split(".")[0] in PROJECT_APPS:
        return True
    return any(
        route.startswith(prefix) and route.removeprefix(prefix).startswith(OUR_MODELS)
        for prefix in ("admin/snippets/", "admin/snippets/choose/")
    )


# As the server does: the application, with its middleware, is loaded before a URL is resolved (some
# admin hooks are registered by modules the middleware imports).
get_wsgi_application()
ADMIN_PATTERNS = admin_patterns()
NO_ARG_NAMES = sorted({name for name, route, pattern in ADMIN_PATTERNS if not pattern.pattern.regex.groups})

# Who may open each argument-free admin view: "public" (the sign-in pages), "admin_users" (anyone
# with `wagtailadmin.access_admin`: officers and administrators; what it shows is filtered to their
# area, and checked here for other areas' secrets) or "admin" (administrators only). Wagtail's own
# views not named here are for administrators only. Every project view must be named here.
SNIPPET_LISTS = (
    {
        f"{prefix}_ward_panels_{model}:{view}": "admin_users"
        for model in ("survey", "wardpanel", "panelmember")
        for prefix, views in (
            ("wagtailsnippets", ("list", "list_results", "add")),
            ("wagtailsnippetchoosers", ("choose", "choose_results", "chosen_multiple")),
        )
        for view in views
    }
    | {
        # Panels, members and surveys are made on their own pages, where their area is checked; never
        # from a chooser pop-up (whose form could name any area), by anyone.
        f"wagtailsnippetchoosers_ward_panels_{model}:create": "nobody"
        for model in ("survey", "wardpanel", "panelmember")
    }
    | {
        # The editor's preview of a survey not yet saved: whoever may add one (its form offers only their area).
        "wagtailsnippets_ward_panels_survey:preview_on_add": "admin_users"
    }
)
NO_ARG_AUDIENCE = {
    **SNIPPET_LISTS,
    "wagtailsnippets_priorities_prioritycategory:list": "admin",
    "wagtailsnippets_priorities_prioritycategory:list_results": "admin",
    "wagtailsnippets_priorities_prioritycategory:add": "admin",
    # Categories are public (every priority shows one): an officer picks one in the chooser.
    "wagtailsnippetchoosers_priorities_prioritycategory:choose": "admin_users",
    "wagtailsnippetchoosers_priorities_prioritycategory:choose_results": "admin_users",
    "wagtailsnippetchoosers_priorities_prioritycategory:chosen_multiple": "admin_users",
    "wagtailsnippetchoosers_priorities_prioritycategory:create": "admin",
    # Two-factor authentication: anyone who may use the admin, for themself.
    "two_factor_verify": "admin_users",
    "two_factor_setup": "admin_users",
    "two_factor_disable": "admin_users",
    # Personal data (subject access and erasure): administrators only. Export is POST-only (below).
    "home_personal_data:index": "admin",
    "home_personal_data:erase": "admin",
    # Wagtail's own, open to every admin user and filtered by their page and model permissions.
    "wagtailadmin_home": "admin_users",
    "wagtailadmin_explore_root": "admin_users",
    "wagtailadmin_account": "admin_users",
    "wagtailadmin_dismissibles": "admin_users",
    "wagtailadmin_pages:search": "admin_users",
    "wagtailadmin_pages:search_results": "admin_users",
    "wagtailadmin_api:pages:listing": "admin_users",
    "wagtailadmin_api:images:listing": "admin_users",
    "wagtailadmin_api:documents:listing": "admin_users",
    "wagtailadmin_choose_page": "admin_users",
    "wagtailadmin_choose_page_search": "admin_users",
    "wagtailadmin_choose_page_chosen_multiple": "admin_users",
    "wagtailadmin_choose_page_anchor_link": "admin_users",
    "wagtailadmin_choose_page_email_link": "admin_users",
    "wagtailadmin_choose_page_external_link": "admin_users",
    "wagtailadmin_choose_page_phone_link": "admin_users",
    "wagtailadmin_tag_autocomplete": "admin_users",
    "wagtailadmin_reports:aging_pages": "admin_users",
    "wagtailadmin_reports:aging_pages_results": "admin_users",
    "wagtailadmin_reports:locked_pages": "admin_users",
    "wagtailadmin_reports:locked_pages_results": "admin_users",
    "wagtailadmin_reports:page_types_usage": "admin_users",
    "wagtailadmin_reports:page_types_usage_results": "admin_users",
    "wagtailadmin_reports:site_history": "admin_users",
    "wagtailadmin_reports:site_history_results": "admin_users",
    "wagtailadmin_reports:workflow": "admin_users",
    "wagtailadmin_reports:workflow_results": "admin_users",
    "wagtailadmin_reports:workflow_tasks": "admin_users",
    "wagtailadmin_reports:workflow_tasks_results": "admin_users",
    "wagtailadmin_workflows:task_chooser": "admin_users",
    "wagtailadmin_workflows:task_chooser_results": "admin_users",
    "wagtailadmin_workflows:task_chooser_create": "admin_users",
    "wagtaildocs_chooser:choose": "admin_users",
    "wagtaildocs_chooser:choose_results": "admin_users",
    "wagtaildocs_chooser:chosen_multiple": "admin_users",
    "wagtailimages_chooser:choose": "admin_users",
    "wagtailimages_chooser:choose_results": "admin_users",
    "wagtailimages_chooser:chosen_multiple": "admin_users",
    # Team photos: officers upload into, and see, their own area's collections only.
    "wagtailimages:index": "admin_users",
    "wagtailimages:index_results": "admin_users",
    "wagtailimages:add": "admin_users",
    "wagtailimages:add_multiple": "admin_users",
    "wagtailimages_chooser:create": "admin_users",
    "wagtailadmin_api:images:find": "admin_users",  # the admin's images API, narrowed to them (priorities)
    "wagtailadmin_login": "public",
    "wagtailadmin_logout": "public",
    "wagtailadmin_password_reset": "public",
    "wagtailadmin_password_reset_done": "public",
    "wagtailadmin_password_reset_complete": "public",
    "wagtailadmin_javascript_catalog": "public",
    "wagtailadmin_sprite": "public",
}
# Answer 404 (or 405) without the parameters a page gives them; not a refusal.
NEEDS_PARAMETERS = {
    "wagtailadmin_api:pages:find",
    "wagtailadmin_api:images:find",
    "wagtailadmin_api:documents:find",
    "wagtailadmin_block_preview",
    "wagtailadmin_logout",
}
# Two-factor pages for oneself: someone without a device is sent on (to the dashboard, or to sign in
# again before switching it off); never refused with a 403.
SELF_SERVICE = {"two_factor_verify", "two_factor_disable"}
NOT_PAGES = {"wagtailadmin_error_test", "wagtailadmin_logout"}  # raises on purpose; signs out
POST_ONLY = {  # in the state-changing matrix below
    "home_personal_data:export",
    "priorities_neighbourhood_proposal_decide",
}


def may_open(role: str, audience: str) -> bool:
    if audience == "public":
        return True
    if audience == "nobody":
        return False
    if role == "admin":
        return True
    return audience == "admin_users" and role in OFFICERS


OUTSIDERS = ("anonymous", "resident", "panel_member")
STAFF = ("ward_editor", "borough_editor", "admin")


def check_no_arg(role, name, response):
    audience = NO_ARG_AUDIENCE.get(name, "admin")
    if audience == "public":
        pass  # the sign-in pages: nothing of anyone's
    elif may_open(role, audience):
        if name in SELF_SERVICE:
            assert response.status_code in (200, 302), response.status_code
        elif name in NEEDS_PARAMETERS:
            assert response.status_code != 403 and not is_login_redirect(response)
        else:
            assert not is_denied(response), (response.status_code, response.get("Location"))
    else:
        assert_denied(role, response)
    assert_no_secrets_of_others(role, response)


PROJECT_NAMES = {name for name, route, pattern in ADMIN_PATTERNS if is_project_view(route, pattern)}


def parametrized_no_arg(role: str, name: str) -> bool:
    """Officers against every view open to admin users, the administrator against our own views;
    the rest is walked in one test per role (below)."""
    if name in NOT_PAGES | POST_ONLY or name not in NO_ARG_AUDIENCE:
        return False
    return role in OFFICERS or (role == "admin" and name in PROJECT_NAMES)


def no_arg_cases():
    for name in NO_ARG_NAMES:
        for role in STAFF:
            if parametrized_no_arg(role, name):
                yield pytest.param(role, name, id=f"{role}-{name}")


@pytest.mark.parametrize(("role", "name"), list(no_arg_cases()))
def test_admin_view_without_arguments(as_role, role, name):
    check_no_arg(role, name, as_role(role).get(reverse(name)))


@pytest.mark.parametrize("role", ROLES)
def test_wagtails_administrator_only_views(as_role, role):
    """Every argument-free admin view not in the test above, one test per role: for anonymous,
    resident and panel member all of them; for officers Wagtail's administrators-only views (users,
    groups, sites, settings, workflows ...); for the administrator Wagtail's own views."""
    client = as_role(role)
    names = [name for name in NO_ARG_NAMES if name not in NOT_PAGES | POST_ONLY and not parametrized_no_arg(role, name)]
    failures = []
    for name in names:
        try:
            check_no_arg(role, name, client.get(reverse(name)))
        except AssertionError as failure:
            failures.append(f"{name}: {failure}")
    assert not failures, "\n".join(failures)


# Admin views of one object ------------------------------------------------------------------------

KIND_SCOPES = {
    "survey": list(AREAS),
    "panel": WARDS,
    "member": WARDS,
    "newsletter": NEWSLETTER_AREAS,
    "send": NEWSLETTER_AREAS,
    "page": list(AREAS),  # ward pages and borough pages
    "ward_page": WARDS,
    "category": ["site"],
    "image": list(AREAS),  # each area's team photo, in its collection
    "account": ["site"],  # a person's account (the ward editor's)
    "borough_page": ["borough_a", "borough_b"],
    "proposal": ["borough_a", "borough_b"],  # a resident's proposal of a natural neighbourhood
    "neighbourhood": list(NEIGHBOURHOODS),
}


def object_pk(world, kind: str, scope: str) -> int:
    return {
        "survey": lambda: world.surveys[scope],
        "panel": lambda: world.panels[scope],
        "member": lambda: world.members[scope, "holder"],
        "newsletter": lambda: world.newsletters[scope],
        "send": lambda: world.sends[scope],
        "page": lambda: world.pages[scope],
        "ward_page": lambda: world.pages[scope],
        "category": lambda: world.category,
        "image": lambda: world.photos[scope],
        "account": lambda: world.users["ward_editor"],
        "draft": lambda: world.drafts[scope],
        "borough_page": lambda: world.pages[scope],
        "proposal": lambda: world.proposals[scope],
        "neighbourhood": lambda: world.neighbourhoods[scope],
    }[kind]()


@dataclass(frozen=True)
class ObjectView:
    kind: str
    officer_may: bool = True  # for the objects of their own area (False: only administrators, by design)


SNIPPET_VIEWS = ("edit", "delete", "usage", "history", "history_results", "copy")
OBJECT_VIEWS = {
    "ward_panels_admin:preview": ObjectView("survey"),
    "wagtailsnippets_ward_panels_survey:preview_on_edit": ObjectView("survey"),  # the editor's, of unsaved edits
    "ward_panels_admin:send": ObjectView("survey"),
    "ward_panels_admin:results": ObjectView("survey"),
    "ward_panels_admin:summary": ObjectView("survey"),
    "priorities_ward_update": ObjectView("ward_page"),
    # A borough's residents' proposals of natural neighbourhoods: its own officers (the borough's page's).
    "priorities_neighbourhood_proposals": ObjectView("borough_page"),
    "ward_panels_admin:import": ObjectView("panel"),
    "newsletters_admin:send": ObjectView("newsletter"),
    "newsletters_admin:progress": ObjectView("send"),
    # Officers may not delete surveys or panels (only administrators); they may remove members.
    **{
        f"wagtailsnippets_ward_panels_{model}:{view}": ObjectView(
            kind, officer_may=view != "delete" or kind == "member"
        )
        for model, kind in (("survey", "survey"), ("wardpanel", "panel"), ("panelmember", "member"))
        for view in SNIPPET_VIEWS
    },
    **{
        f"wagtailsnippetchoosers_ward_panels_{model}:chosen": ObjectView(kind)
        for model, kind in (("survey", "survey"), ("wardpanel", "panel"), ("panelmember", "member"))
    },
    **{
        f"wagtailsnippets_priorities_prioritycategory:{view}": ObjectView("category", officer_may=False)
        for view in SNIPPET_VIEWS
    },
    "wagtailsnippetchoosers_priorities_prioritycategory:chosen": ObjectView("category"),
    # Wagtail's image views, for each area's team photo: officers reach their own area's.
    "wagtailimages:edit": ObjectView("image"),
    "wagtailimages:delete": ObjectView("image"),
    "wagtailimages:image_usage": ObjectView("image"),
    "wagtailimages_chooser:chosen": ObjectView("image"),
    "wagtailimages_chooser:select_format": ObjectView("image"),
    "wagtailadmin_api:images:detail": ObjectView("image"),
    # Resetting someone's two-factor: whoever may change their account (administrators).
    "two_factor_reset": ObjectView("account", officer_may=False),
}
# Wagtail's page views, for the ward and borough pages, the newsletters under them and the natural
# neighbourhoods. Officers may edit, publish, unpublish, copy and restrict their area's pages; Wagtail
# lets them delete and move only pages without children (the newsletters, a neighbourhood their
# borough no longer wants), never a ward or borough page.
PAGE_VIEWS = {
    "wagtailadmin_explore": ("page", "neighbourhood"),
    "wagtailadmin_pages:add_subpage": ("page",),  # newsletters go under ward and borough pages only
    "wagtailadmin_pages:edit": ("page", "newsletter", "neighbourhood"),
    "wagtailadmin_pages:history": ("page", "newsletter", "neighbourhood"),
    "wagtailadmin_pages:unpublish": ("page", "newsletter", "neighbourhood"),
    "wagtailadmin_pages:copy": ("page", "newsletter", "neighbourhood"),
    "wagtailadmin_pages:set_privacy": ("page", "newsletter", "neighbourhood"),
    "wagtailadmin_pages:delete": ("page", "newsletter", "neighbourhood"),
    "wagtailadmin_pages:move": ("page", "newsletter", "neighbourhood"),
}
for _name, _kinds in PAGE_VIEWS.items():
    for _kind in _kinds:
        _may = _kind in ("newsletter", "neighbourhood") or not _name.endswith((":delete", ":move"))
        OBJECT_VIEWS[f"{_name}@{_kind}"] = ObjectView(_kind, officer_may=_may)


def pretty(name: str) -> str:
    base, _, kind = name.partition("@")
    namespace, _, view = base.rpartition(":")
    namespace = namespace.removeprefix("wagtailsnippets_").removeprefix("wagtailsnippetchoosers_")
    namespace = namespace.removeprefix("wagtailadmin_") or "wagtailadmin"
    return f"{namespace}:{view}" + (f"_{kind}" if kind else "")


def object_url(world, name: str, scope: str) -> str:
    view = OBJECT_VIEWS[name]
    return reverse(name.split("@")[0], args=[object_pk(world, view.kind, scope)])


def may_reach(role: str, view: ObjectView, scope: str) -> bool:
    if role == "admin":
        return True
    if role not in OFFICERS or not view.officer_may:
        return False
    return scope == "site" or reaches(role, scope)


def officer_scopes(role: str, scopes: list) -> list:
    """Every area for the ward editor; for the borough editor, ward A2 stands for the wards of their
    borough (where there is one: not every kind of object is in ward A2) and ward A is left out."""
    if role == "borough_editor" and "ward_a2" in scopes:
        return [scope for scope in scopes if scope != "ward_a"]
    return list(scopes)


def object_cases():
    """Officers against the objects of every area; the administrator against another borough's (ward
    B's); anonymous, resident and panel member, refused at the admin's door whatever the object,
    against ward A's (the panel member's own)."""
    for name, view in OBJECT_VIEWS.items():
        scopes = KIND_SCOPES[view.kind]
        for role in ROLES:
            if role in OFFICERS:
                chosen = officer_scopes(role, scopes)
            elif role == "admin":
                chosen = ["ward_b" if "ward_b" in scopes else scopes[0]]
            else:
                chosen = [scopes[0]]
            for scope in chosen:
                yield pytest.param(
                    role,
                    name,
                    scope,
                    id=f"{role}-{pretty(name)}-{relation(role, scope)}",
                )


@pytest.mark.parametrize(("role", "name", "scope"), list(object_cases()))
def test_admin_view_of_one_object(as_role, world, role, name, scope):
    url = object_url(world, name, scope)
    response = as_role(role).get(url)

    if may_reach(role, OBJECT_VIEWS[name], scope):
        if name.startswith("wagtailadmin_pages:add_subpage@") and response.status_code == 302:
            # Only one kind of page may go under a ward page: straight to its form.
            assert urlsplit(response["Location"]).path.startswith("/admin/pages/add/")
        else:
            assert response.status_code == 200, (response.status_code, response.get("Location"))
    elif role in OFFICERS and name.startswith("wagtailadmin_explore@") and response.status_code == 302:
        # Wagtail's explorer sends an officer from a page outside their area back to their own pages.
        assert urlsplit(response["Location"]).path != url
    else:
        assert_denied(role, response)
    assert_no_secrets_of_others(role, response)


# Admin writes: a refused POST changes nothing -------------------------------------------------------


def area_fields(scope: str) -> dict:
    """A survey's ward and borough boxes as the admin's form posts them, for a scope of the matrix."""
    code = AREAS[scope]
    return {"ward": code if scope.startswith("ward") else "", "borough": code if scope.startswith("borough") else ""}


def _page(pk):
    return Page.objects.get(pk=pk)


def neighbourhood_form(title: str, listed: str, action: str = "publish") -> dict:
    """A natural neighbourhood's page form as the editor posts it."""
    return nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "introduction": rich_text("<p>Where we live.</p>"),
            "email": "",
            "area_postcodes": listed,
            "area_drawing": "",
            "updates": inline_formset([]),
            "events": inline_formset([]),
            "comments": inline_formset([]),
            f"action-{action}": action,
        }
    )


def _live_title(pk):
    return Page.objects.get(pk=pk).title


@dataclass(frozen=True)
class AdminWrite:
    kind: str
    post: object  # (client, world, scope) -> response
    state: object  # (world, scope) -> what the POST would change
    officer_may: bool = True
    scopes: tuple = ()
    refused_with_form: bool = False  # an officer (who may add) is refused by the form's errors


ADMIN_WRITES = {
    "send_invitations": AdminWrite(
        "survey",
        lambda c, w, s: c.post(reverse("ward_panels_admin:send", args=[w.surveys[s]])),
        lambda w, s: Invitation.objects.filter(survey_id=w.surveys[s]).count(),
    ),
    "import_members": AdminWrite(
        "panel",
        lambda c, w, s: c.post(
            reverse("ward_panels_admin:import", args=[w.panels[s]]),
            {"file": SimpleUploadedFile("m.csv", b"name,email\nNew Person,new-person@example.org\n", "text/csv")},
        ),
        lambda w, s: PanelMember.objects.filter(panel_id=w.panels[s]).count(),
    ),
    "send_newsletter": AdminWrite(
        "newsletter",
        lambda c, w, s: c.post(
            reverse("newsletters_admin:send", args=[w.newsletters[s]]),
            # As the Send page posts it: the sends it showed (the world's one), and its button, to
            # the one person who subscribed since.
            {"sends_seen": Send.objects.filter(newsletter_id=w.newsletters[s]).count(), "audience": "new"},
        ),
        lambda w, s: Send.objects.filter(newsletter_id=w.newsletters[s]).count(),
    ),
    "test_send_newsletter": AdminWrite(
        "newsletter",
        lambda c, w, s: c.post(reverse("newsletters_admin:send", args=[w.newsletters[s]]), {"action": "test"}),
        lambda w, s: len(mail.outbox),
    ),
    "unpublish_newsletter": AdminWrite(
        "newsletter",
        lambda c, w, s: c.post(reverse("wagtailadmin_pages:unpublish", args=[w.newsletters[s]])),
        lambda w, s: _page(w.newsletters[s]).live,
    ),
    "accept_neighbourhood_proposal": AdminWrite(
        "proposal",
        lambda c, w, s: c.post(
            reverse("priorities_neighbourhood_proposal_decide", args=[w.proposals[s]]), {"action": "accept"}
        ),
        lambda w, s: NeighbourhoodProposal.objects.get(pk=w.proposals[s]).status,
    ),
    "decline_neighbourhood_proposal": AdminWrite(
        "proposal",
        lambda c, w, s: c.post(
            reverse("priorities_neighbourhood_proposal_decide", args=[w.proposals[s]]), {"action": "decline"}
        ),
        lambda w, s: NeighbourhoodProposal.objects.get(pk=w.proposals[s]).status,
    ),
    "add_neighbourhood": AdminWrite(
        "page",
        lambda c, w, s: c.post(
            reverse("wagtailadmin_pages:add", args=["priorities", "neighbourhoodpage", w.pages[s]]),
            neighbourhood_form(f"Added in {s}", NEIGHBOURHOODS[f"neighbourhood_{s[-1]}"][1]),
        ),
        lambda w, s: NeighbourhoodPage.objects.filter(title=f"Added in {s}", live=True).exists(),
        scopes=("borough_a", "borough_b"),
    ),
    "publish_neighbourhood": AdminWrite(
        "neighbourhood",
        lambda c, w, s: c.post(
            reverse("wagtailadmin_pages:edit", args=[w.neighbourhoods[s]]),
            neighbourhood_form(f"Renamed {s}", NEIGHBOURHOODS[s][1]),
        ),
        lambda w, s: _live_title(w.neighbourhoods[s]),
    ),
    "delete_neighbourhood": AdminWrite(
        "neighbourhood",
        lambda c, w, s: c.post(reverse("wagtailadmin_pages:delete", args=[w.neighbourhoods[s]])),
        lambda w, s: Page.objects.filter(pk=w.neighbourhoods[s]).exists(),
    ),
    "lock_page": AdminWrite(
        "page",
        lambda c, w, s: c.post(reverse("wagtailadmin_pages:lock", args=[w.pages[s]])),
        lambda w, s: _page(w.pages[s]).locked,
    ),
    "move_newsletter_to_ward_b": AdminWrite(
        "newsletter",
        lambda c, w, s: c.post(reverse("wagtailadmin_pages:move_confirm", args=[w.newsletters[s], w.pages["ward_b"]])),
        lambda w, s: _page(w.newsletters[s]).get_parent().pk,
        officer_may=False,  # into another borough's ward: no officer of ours may add pages there
        scopes=("ward_a", "borough_a"),
    ),
    "delete_member": AdminWrite(
        "member",
        lambda c, w, s: c.post(
            reverse("wagtailsnippets_ward_panels_panelmember:delete", args=[w.members[s, "holder"]])
        ),
        lambda w, s: PanelMember.objects.filter(pk=w.members[s, "holder"]).exists(),
    ),
    "delete_survey": AdminWrite(
        "survey",
        lambda c, w, s: c.post(reverse("wagtailsnippets_ward_panels_survey:delete", args=[w.surveys[s]])),
        lambda w, s: Survey.objects.filter(pk=w.surveys[s]).exists(),
        officer_may=False,
    ),
    "add_survey": AdminWrite(
        "survey",
        lambda c, w, s: c.post(
            reverse("wagtailsnippets_ward_panels_survey:add"),
            w.survey_admin_form(title=f"Added for {s}", **area_fields(s)),
        ),
        lambda w, s: Survey.objects.filter(title=f"Added for {s}").exists(),
        refused_with_form=True,
    ),
    "upload_photo": AdminWrite(
        "image",
        lambda c, w, s: c.post(
            reverse("wagtailimages_chooser:create"),
            {
                "image-chooser-upload-title": f"Uploaded for {s}",
                "image-chooser-upload-file": SimpleUploadedFile(
                    "team.png", get_test_image_file().file.getvalue(), "image/png"
                ),
                "image-chooser-upload-description": "The team at the station",
                "image-chooser-upload-collection": w.collections[s],
            },
        ),
        lambda w, s: Image.objects.filter(collection_id=w.collections[s]).count(),
        refused_with_form=True,  # another area's collection is not one of the form's choices
    ),
    "edit_photo": AdminWrite(
        "image",
        lambda c, w, s: c.post(
            reverse("wagtailimages:edit", args=[w.photos[s]]),
            {"title": "Renamed", "description": "The team", "collection": w.collections[s], "tags": ""},
        ),
        lambda w, s: Image.objects.get(pk=w.photos[s]).title,
    ),
    "delete_photo": AdminWrite(
        "image",
        lambda c, w, s: c.post(reverse("wagtailimages:delete", args=[w.photos[s]])),
        lambda w, s: Image.objects.filter(pk=w.photos[s]).exists(),
    ),
    "reset_two_factor": AdminWrite(
        "account",
        lambda c, w, s: c.post(reverse("two_factor_reset", args=[w.users["ward_editor"]])),
        lambda w, s: ModelLogEntry.objects.filter(action="sn_site.two_factor_reset").count(),
        officer_may=False,
    ),
    "export_personal_data": AdminWrite(
        "site",
        lambda c, w, s: c.post(reverse("home_personal_data:export"), {"email": "holder-ward_a@example.org"}),
        lambda w, s: None,
        officer_may=False,
    ),
    "erase_personal_data": AdminWrite(
        "site",
        lambda c, w, s: c.post(
            reverse("home_personal_data:erase"), {"email": "holder-ward_a@example.org", "confirm": "yes"}
        ),
        lambda w, s: PanelMember.objects.filter(email="holder-ward_a@example.org").exists(),
        officer_may=False,
    ),
}
KIND_SCOPES["site"] = ["site"]
KIND_SCOPES["draft"] = NEWSLETTER_AREAS


def admin_write_cases():
    for action, write in ADMIN_WRITES.items():
        scopes = list(write.scopes or KIND_SCOPES[write.kind])
        for role in ROLES:
            if role in OFFICERS:
                chosen = officer_scopes(role, scopes)
            elif role == "admin":
                chosen = ["ward_b" if "ward_b" in scopes else scopes[-1]]
            else:
                chosen = [scopes[0]]
            for scope in chosen:
                yield pytest.param(role, action, scope, id=f"{role}-{action}-{relation(role, scope)}")


@pytest.mark.parametrize(("role", "action", "scope"), list(admin_write_cases()))
def test_admin_write(as_role, world, role, action, scope, django_capture_on_commit_callbacks):
    write = ADMIN_WRITES[action]
    client = as_role(role)
    before = write.state(world, scope)

    with django_capture_on_commit_callbacks(execute=True):  # the tasks it queues run, as they would
        response = write.post(client, world, scope)

    after = write.state(world, scope)
    if may_reach(role, ObjectView(write.kind, officer_may=write.officer_may), scope):
        assert not is_denied(response), (response.status_code, response.get("Location"))
        if action == "export_personal_data":
            assert b"holder-ward_a@example.org" in response.content
        else:
            assert after != before, response.content.decode()[:2000]
    else:
        if write.refused_with_form and role in OFFICERS:
            assert response.status_code == 200  # the form again, saying the area is not theirs
        else:
            assert_denied(role, response)
        assert after == before
        assert b"holder-ward_a@example.org" not in response.content


def test_with_sergeant_approval_a_neighbourhoods_changes_wait_for_the_boroughs_sergeant(
    as_role, world, django_capture_on_commit_callbacks
):
    """The borough's approval setting covers its natural neighbourhoods as it does its ward pages."""
    borough = BoroughPage.objects.get(pk=world.pages["borough_a"])
    borough.sergeant_approval = True
    with django_capture_on_commit_callbacks(execute=True):
        borough.save_revision().publish()
    sergeant = User.objects.create_user("ps.southwark", password=PASSWORD)
    call_command("add_officer", "ps.southwark", "--borough", AREAS["borough_a"], "--sergeant", stdout=StringIO())
    pk = world.neighbourhoods["neighbourhood_a"]
    url = reverse("wagtailadmin_pages:edit", args=[pk])
    client = as_role("borough_editor")

    published = client.post(url, neighbourhood_form("Renamed by the PC", "SE15 5RS"))
    submitted = client.post(url, neighbourhood_form("Renamed by the PC", "SE15 5RS", action="submit"))

    assert published.status_code in (200, 302) and submitted.status_code == 302
    assert _live_title(pk) == "Neighbourhood-neighbourhood_a-secret"  # not live until a sergeant approves
    state = WorkflowState.objects.get(object_id=str(pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert state.workflow.name == "Southwark: sergeant approval"
    with django_capture_on_commit_callbacks(execute=True):
        state.current_task_state.task.specific.on_action(state.current_task_state, sergeant, "approve")
    assert _live_title(pk) == "Renamed by the PC"


def test_wagtails_default_groups_reach_no_area(as_role, world, django_capture_on_commit_callbacks):
    """A member of Wagtail's "Editors" and "Moderators" groups opens the admin, and nothing of any
    area: no page, photo, panel, survey or newsletter, to look at or to change."""
    client = as_role("default_groups")
    failures = []
    for name, view in OBJECT_VIEWS.items():
        for scope in KIND_SCOPES[view.kind]:
            if scope == "site":
                continue  # not an area's (the priority categories every officer chooses from)
            response = client.get(object_url(world, name, scope))
            explored_away = name.startswith("wagtailadmin_explore@") and response.status_code == 302
            if not (is_denied(response) or explored_away):
                failures.append(f"{name} of {scope}: {response.status_code}")
            assert_no_secrets_of_others("default_groups", response)
    for name, audience in NO_ARG_AUDIENCE.items():
        if audience == "admin_users" and name not in NOT_PAGES | POST_ONLY:
            assert_no_secrets_of_others("default_groups", client.get(reverse(name)))
    for action, write in ADMIN_WRITES.items():
        for scope in write.scopes or KIND_SCOPES[write.kind]:
            before = write.state(world, scope)
            with django_capture_on_commit_callbacks(execute=True):
                response = write.post(client, world, scope)
            if write.state(world, scope) != before or not (is_denied(response) or response.status_code == 200):
                failures.append(f"{action} of {scope}: {response.status_code}")
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert not failures, "\n".join(failures)


# Views that take ids in their query: Wagtail's bulk actions and the choosers' "chosen" steps -------
#
# Each lists what it was asked for by id, and ids are sequential: asked for every area's objects, an
# officer sees (and acts on) their own area's only, and nothing at all of another's.

BULK = "/admin/bulk/{}/{}/{}/"
BY_IDS = {
    "page_delete": (BULK.format("wagtailcore", "page", "delete"), ("newsletter", "draft")),
    "page_publish": (BULK.format("wagtailcore", "page", "publish"), ("page", "newsletter", "draft")),
    "page_unpublish": (BULK.format("wagtailcore", "page", "unpublish"), ("page", "newsletter", "draft")),
    "page_move": (BULK.format("wagtailcore", "page", "move"), ("newsletter", "draft")),
    "member_delete": (BULK.format("ward_panels", "panelmember", "delete"), ("member",)),
    "panel_delete": (BULK.format("ward_panels", "wardpanel", "delete"), ("panel",)),
    "survey_delete": (BULK.format("ward_panels", "survey", "delete"), ("survey",)),
    "page_chosen": ("/admin/choose-page/chosen-multiple/", ("page", "newsletter", "draft")),
    "member_chosen": ("/admin/snippets/choose/ward_panels/panelmember/chosen-multiple/", ("member",)),
    "panel_chosen": ("/admin/snippets/choose/ward_panels/wardpanel/chosen-multiple/", ("panel",)),
    "survey_chosen": ("/admin/snippets/choose/ward_panels/survey/chosen-multiple/", ("survey",)),
}
# What of its own area each role finds there (and so sees at all), by kind of object.
OWN_NAME = {
    "page": lambda scope: None,
    "newsletter": lambda scope: f"Newsletter of {scope}",
    "draft": lambda scope: f"Draft-{scope}-secret",
    "member": lambda scope: f"Holder-{scope}-secret",
    "panel": lambda scope: None,  # a panel's name is its ward's
    "survey": lambda scope: f"Survey-{scope}-secret",
}


def ids_query(world, kinds, scopes) -> str:
    return "&".join(
        f"id={object_pk(world, kind, scope)}" for kind in kinds for scope in KIND_SCOPES[kind] if scope in scopes
    )


def by_ids_cases():
    for name in BY_IDS:
        for role in STAFF:
            yield pytest.param(role, name, id=f"{role}-{name}")


@pytest.mark.parametrize(("role", "name"), list(by_ids_cases()))
def test_views_by_ids_show_only_the_officers_area(as_role, world, role, name):
    url, kinds = BY_IDS[name]
    client = as_role(role)

    every_area = client.get(f"{url}?{ids_query(world, kinds, AREAS)}")
    other_areas = client.get(f"{url}?{ids_query(world, kinds, [s for s in AREAS if not reaches(role, s)])}")

    assert every_area.status_code == 200, every_area.status_code
    own = [
        OWN_NAME[kind](scope)
        for kind in kinds
        for scope in KIND_SCOPES[kind]
        if (role == "admin" or reaches(role, scope)) and OWN_NAME[kind](scope)
    ]
    content = every_area.content.decode()
    assert not own or any(json.dumps(text)[1:-1] in content or text in content for text in own), own
    assert_no_secrets_of_others(role, every_area)
    if role != "admin":  # the choosers' "chosen" step answers with an empty list
        assert other_areas.status_code in ((200, 404) if "_chosen" in name else (404,)), other_areas.status_code
        assert_no_secrets_of_others(role, other_areas)


def test_bulk_actions_on_every_page_under_another_area_show_none_of_them(as_role, world):
    response = as_role("ward_editor").get(
        BULK.format("wagtailcore", "page", "publish") + f"?id=all&childOf={world.pages['ward_b']}"
    )

    assert response.status_code == 404
    assert b"ward_b" not in response.content


@pytest.mark.parametrize("role", STAFF)
def test_page_chooser_offers_only_the_officers_area(as_role, world, role):
    client = as_role(role)
    own = "ward_b" if role == "admin" else "ward_a"

    searched = client.get("/admin/choose-page/search/?q=Newsletter")
    searched_drafts = client.get("/admin/choose-page/search/?q=Draft")
    browsed_own = client.get(f"/admin/choose-page/{world.pages[own]}/")
    browsed = {scope: client.get(f"/admin/choose-page/{world.pages[scope]}/") for scope in NEWSLETTER_AREAS}

    assert f"Newsletter of {own}" in searched.content.decode()
    assert f"Draft-{own}-secret" in browsed_own.content.decode()
    for response in (searched, searched_drafts, *browsed.values()):
        assert_no_secrets_of_others(role, response)
    for scope, response in browsed.items():  # the ward editor passes through their borough's page
        passes = role == "admin" or reaches(role, scope) or (role, scope) == ("ward_editor", "borough_a")
        assert response.status_code == (200 if passes else 404), scope


@pytest.mark.parametrize("role", OFFICERS)
@pytest.mark.parametrize("name", [name for name in BY_IDS if "_chosen" not in name])
def test_bulk_actions_on_another_areas_objects_change_nothing(as_role, world, role, name):
    url, kinds = BY_IDS[name]
    others = [scope for scope in AREAS if not reaches(role, scope)]
    before = (
        PanelMember.objects.count(),
        WardPanel.objects.count(),
        Survey.objects.count(),
        sorted(Page.objects.values_list("pk", "live", "path")),
    )

    data = {"include_descendants": "on"}
    if name == "page_move":
        data["chooser"] = world.pages["ward_a"]
    response = as_role(role).post(f"{url}?{ids_query(world, kinds, others)}", data)

    after = (
        PanelMember.objects.count(),
        WardPanel.objects.count(),
        Survey.objects.count(),
        sorted(Page.objects.values_list("pk", "live", "path")),
    )
    assert after == before
    assert response.status_code in (403, 404), response.status_code


# The API's writes (and the officers' results) -----------------------------------------------------

RESPONSES = "/api/v1/surveys/{id}/responses/"
EQUALITY = "/api/v1/surveys/{id}/equality/"
COVERED_API_WRITES = {("POST", RESPONSES), ("POST", EQUALITY)}


@pytest.fixture
def unthrottled(monkeypatch):
    for limit in (AnonymousRateLimit, SurveyAnswerLimit, JoinLimit, SignupLimit):
        monkeypatch.setattr(limit, "rate", "100000/second", raising=False)


def schema_writes(client) -> set[tuple[str, str]]:
    schema = client.get("/api/v1/schema/").json()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.lower() in ("post", "put", "patch", "delete")
    }


def test_every_api_write_is_in_the_matrix(client, world, db):
    assert schema_writes(client) == COVERED_API_WRITES


def held_token(world, role: str, survey: str | int):
    """The invitation token a role holds for a survey: only the panel member holds one (ward A's)."""
    if role != "panel_member":
        return None
    survey_pk = world.surveys.get(survey) if isinstance(survey, str) else survey
    return world.tokens.get((survey_pk, world.members["ward_a", "holder"]))


# (situation, the survey answered, may the panel member's answer be taken?)
ANSWER_SITUATIONS = {
    "own_ward_survey": ("ward_a", True),
    "own_borough_survey": ("borough_a", True),  # a borough-wide survey invites ward A's panel too
    "other_ward_survey": ("ward_b", False),  # ward A's token for ward B's survey
    "other_ward_in_borough_survey": ("ward_a2", False),
    "closed_survey": ("closed", False),  # their own invitation, but the survey has closed
}


def survey_pk_for(world, which: str) -> int:
    return world.closed_survey if which == "closed" else world.surveys[which]


def answer_cases():
    for situation in ANSWER_SITUATIONS:
        for role in ROLES:
            yield pytest.param(role, situation, id=f"{role}-answer-{situation}")


def own_token_for(world, role, which):
    """The panel member uses their ward A token wherever they try (their own survey's, if it has one)."""
    if role != "panel_member":
        return None
    pk = survey_pk_for(world, which)
    holder = world.members["ward_a", "holder"]
    return world.tokens.get((pk, holder)) or world.tokens[world.surveys["ward_a"], holder]


@pytest.mark.parametrize(("role", "situation"), list(answer_cases()))
def test_api_answer(as_role, world, unthrottled, role, situation, good_answers):
    which, may = ANSWER_SITUATIONS[situation]
    survey = Survey.objects.get(pk=survey_pk_for(world, which))
    token = own_token_for(world, role, which)
    body = {"answers": good_answers(survey)} | ({"token": token} if token else {})
    url = RESPONSES.format(id=survey.pk)
    client = as_role(role)
    before = Response.objects.count()

    response = client.post(url, body, content_type="application/json")

    if role == "panel_member" and may:
        assert response.status_code == 201, response.content
        assert Response.objects.count() == before + 1
        again = client.post(url, body, content_type="application/json")  # once only
        assert again.status_code == 400 and Response.objects.count() == before + 1
    else:  # no invitation for this survey: not even an officer or an administrator may answer it
        assert response.status_code in (400, 403, 404), response.content
        assert Response.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_api_answer_open_survey_is_for_anyone_once_per_address(as_role, world, unthrottled, role, good_answers):
    survey = Survey.objects.get(pk=world.open_survey)
    body = {"email": f"{role}@example.net", "answers": good_answers(survey)}
    client = as_role(role)

    first = client.post(RESPONSES.format(id=survey.pk), body, content_type="application/json")
    again = client.post(RESPONSES.format(id=survey.pk), body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 400)
    assert Response.objects.filter(survey=survey).count() == 1


EQUALITY_SITUATIONS = {
    "own_receipt": True,  # the panel member's receipt from answering ward A's survey
    "own_receipt_other_survey": False,  # that receipt sent for ward B's survey
    "forged_receipt": False,
}


def equality_cases():
    for situation in EQUALITY_SITUATIONS:
        for role in ROLES:
            yield pytest.param(role, situation, id=f"{role}-equality-{situation}")


@pytest.mark.parametrize(("role", "situation"), list(equality_cases()))
def test_api_equality(as_role, world, unthrottled, role, situation, good_answers):
    survey = Survey.objects.get(pk=world.surveys["ward_a"])
    receipt = "not-a-receipt"
    if role == "panel_member" and situation != "forged_receipt":
        token = world.tokens[survey.pk, world.members["ward_a", "holder"]]
        answered = response_submit(survey=survey_rules(survey.pk), answers=good_answers(survey), token=token)
        receipt = receipt_token(answered.survey_id)
    elif situation != "forged_receipt":  # someone else's receipt, made up with the wrong key
        receipt = signing.dumps(Response.objects.filter(survey=survey).first().pk, salt="not-the-receipt-salt")
    target = world.surveys["ward_b"] if situation == "own_receipt_other_survey" else survey.pk
    before = EqualityPending.objects.count()

    response = as_role(role).post(
        EQUALITY.format(id=target),
        {"receipt": receipt, "answers": {"age_band": "25_34"}},
        content_type="application/json",
    )

    if role == "panel_member" and EQUALITY_SITUATIONS[situation]:
        assert response.status_code == 204, response.content
        assert EqualityPending.objects.count() == before + 1
    else:
        assert response.status_code in (400, 403, 404), response.content
        assert EqualityPending.objects.count() == before


def results_cases():
    for suffix in ("results/", "results.csv"):
        for scope in AREAS:
            for role in ROLES:
                if role == "admin" and scope != "ward_b":
                    continue
                yield pytest.param(role, suffix, scope, id=f"{role}-api_{suffix.strip('/')}-{relation(role, scope)}")


@pytest.mark.parametrize(("role", "suffix", "scope"), list(results_cases()))
def test_api_results_are_for_the_areas_officers(as_role, world, role, suffix, scope):
    response = as_role(role).get(f"/api/v1/surveys/{world.surveys[scope]}/{suffix}")

    if role == "admin" or reaches(role, scope):
        assert response.status_code == 200
    else:
        assert response.status_code in (401, 403, 404)
        assert f"Survey-{scope}-secret".encode() not in response.content


# The public writes beyond the API -----------------------------------------------------------------

# Every URL of our apps outside the admin and the API, as a public write in the matrix or read-only.
PUBLIC_WRITES = {
    "newsletters:subscribe",
    "newsletters:confirm",
    "newsletters:preferences",
    "newsletters:unsubscribe",
    "newsletters:delivery_events",
    "ward_panels:join",
    "ward_panels:join_confirm",
    "ward_panels:leave",
    "ward_panels:survey",
    "ward_panels:thanks",
    "remember_my_area",
    "neighbourhood_propose",
}
PUBLIC_READ_ONLY = {
    "search",
    "find_your_team",
    "neighbourhood_propose_thanks",
    "privacy",
    "healthz",
    "readyz",
    "robots_txt",
    "sitemap",
    "favicon",
}


def public_patterns() -> set[str]:
    names = set()

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix, pattern

    for name, prefix, pattern in walk(get_resolver().url_patterns, "", None):
        if (prefix + str(pattern.pattern)).startswith(("admin/", "api/")):
            continue
        view = getattr(pattern.callback, "view_class", None) or pattern.callback
        if (getattr(view, "__module__", "") or "").split(".")[0] in PROJECT_APPS:
            names.add(name)
    return names


def test_every_public_write_is_in_the_matrix():
    assert public_patterns() == PUBLIC_WRITES | PUBLIC_READ_ONLY


@dataclass(frozen=True)
class PublicWrite:
    post: object  # (client, world, genuine: bool) -> response
    state: object  # (world) -> what it would change
    for_anyone: bool = False  # True: any role may; False: only with the genuine link or secret


PUBLIC_WRITE_CASES = {
    "subscribe": PublicWrite(
        lambda c, w, g: c.post("/newsletters/subscribe/", {"email": "new@example.net", "ward": AREAS["ward_a"]}),
        lambda w: (Subscriber.objects.filter(email="new@example.net", confirmed_at__isnull=True).count(),),
        for_anyone=True,  # asks for a confirmation email; nobody is subscribed until its link is used
    ),
    "confirm_subscription": PublicWrite(
        lambda c, w, g: c.post(
            "/newsletters/confirm/"
            + (confirm_token(w.pending_subscriber) if g else join_token(w.pending_subscriber))
            + "/"
        ),
        lambda w: Subscriber.objects.get(pk=w.pending_subscriber).confirmed_at is None,
    ),
    "preferences": PublicWrite(
        lambda c, w, g: c.post(
            "/newsletters/preferences/"
            + (preferences_token(w.subscribers["ward_a"]) if g else unsubscribe_link(w, "ward_a"))
            + "/",
            {"unsubscribe_all": "1"},
        ),
        lambda w: Subscription.objects.filter(subscriber_id=w.subscribers["ward_a"]).count(),
    ),
    "unsubscribe": PublicWrite(
        lambda c, w, g: c.post(
            "/newsletters/unsubscribe/"
            + (unsubscribe_link(w, "ward_b") if g else preferences_token(w.subscribers["ward_b"]))
            + "/"
        ),
        lambda w: Subscription.objects.filter(subscriber_id=w.subscribers["ward_b"]).count(),
    ),
    "delivery_events": PublicWrite(
        lambda c, w, g: c.post(
            "/newsletters/delivery-events/",
            json.dumps([{"event_type": "bounced", "recipient": "sub-ward_b@example.org"}]),
            content_type="application/json",
            **({"HTTP_AUTHORIZATION": f"Bearer {WEBHOOK_SECRET}"} if g else {"HTTP_AUTHORIZATION": "Bearer guessed"}),
        ),
        lambda w: Subscriber.objects.get(pk=w.subscribers["ward_b"]).suppressed_at is None,
    ),
    "join_panel": PublicWrite(
        lambda c, w, g: c.post(
            f"/ward-panels/{AREAS['ward_b']}/join/", {"name": "New", "email": "joiner@example.net", "consent": "on"}
        ),
        lambda w: PanelMember.objects.filter(email="joiner@example.net", confirmed_at__isnull=True).count(),
        for_anyone=True,  # a request: nothing happens until its emailed link is used
    ),
    "confirm_joining": PublicWrite(
        lambda c, w, g: c.post(
            "/ward-panels/join/"
            + (join_token(w.unconfirmed_member) if g else confirm_token(w.unconfirmed_member))
            + "/"
        ),
        lambda w: PanelMember.objects.get(pk=w.unconfirmed_member).confirmed_at is None,
    ),
    "leave_panel": PublicWrite(
        lambda c, w, g: c.post(
            "/ward-panels/leave/"
            + (leave_token(w.members["ward_a", "holder"]) if g else join_token(w.members["ward_a", "holder"]))
            + "/"
        ),
        lambda w: PanelMember.objects.get(pk=w.members["ward_a", "holder"]).left_on is None,
    ),
    "answer_on_the_survey_page": PublicWrite(
        lambda c, w, g: c.post(
            f"/surveys/{w.surveys['ward_a']}/",
            page_form(w, w.tokens[w.surveys["ward_a"], w.members["ward_a", "holder"]] if g else "forged"),
        ),
        lambda w: Response.objects.filter(survey_id=w.surveys["ward_a"]).count(),
    ),
    "equality_on_the_thank_you_page": PublicWrite(
        lambda c, w, g: thank_you(c, w, g),
        lambda w: EqualityPending.objects.count(),
    ),
    "propose_a_neighbourhood": PublicWrite(
        lambda c, w, g: c.post(
            "/propose-a-neighbourhood/",
            {"borough_page": w.pages["borough_a"], "name": "New place", "covers": "Streets.", "why": "Shared."},
        ),
        lambda w: NeighbourhoodProposal.objects.filter(name="New place").count(),
        for_anyone=True,  # a proposal waits for the borough's officers; nothing is published
    ),
    "remember_my_area": PublicWrite(
        lambda c, w, g: c.post("/my-area/", {"ward": AREAS["ward_a"]}),
        lambda w: None,  # a cookie on the person's own device: nothing stored here
        for_anyone=True,
    ),
}


def unsubscribe_link(world, scope: str) -> str:
    """The unsubscribe token in the copy of the area's newsletter sent to the area's own subscriber."""
    delivery = Delivery.objects.get(send_id=world.sends[scope], subscriber_id=world.subscribers[scope])
    return unsubscribe_token(
        subscriber_id=delivery.subscriber_id, subscription_id=delivery.subscription_id, area_code=AREAS[scope]
    )


def page_form(world, token: str) -> dict:
    return {**world.survey_page_form, "token": token}


def thank_you(client, world, genuine):
    """The equality step takes the receipt from the session of whoever just answered."""
    if genuine:
        client.post(
            f"/surveys/{world.surveys['ward_a']}/", page_form(world, held_token(world, "panel_member", "ward_a"))
        )
    return client.post(f"/surveys/{world.surveys['ward_a']}/thank-you/", {"age_band": "25_34"})


def public_write_cases():
    for action, write in PUBLIC_WRITE_CASES.items():
        for role in ROLES:
            yield pytest.param(role, action, False, id=f"{role}-{action}" + ("" if write.for_anyone else "-forged"))
        if not write.for_anyone:
            yield pytest.param("panel_member", action, True, id=f"holder-{action}-genuine")


@pytest.mark.parametrize(("role", "action", "genuine"), list(public_write_cases()))
def test_public_write(as_role, world, unthrottled, settings, role, action, genuine):
    settings.SN_NEWSLETTER_WEBHOOK_SECRET = WEBHOOK_SECRET
    write = PUBLIC_WRITE_CASES[action]
    client = as_role(role)
    before = write.state(world)

    response = write.post(client, world, genuine)

    after = write.state(world)
    if write.for_anyone or genuine:
        assert response.status_code in (200, 302), response.status_code
        assert after != before or action == "remember_my_area"
    else:  # a signed-in session (even an administrator's) is no substitute for the link or the secret
        assert response.status_code in (400, 401, 403, 404), response.status_code
        assert after == before


# The matrix cannot fall behind ----------------------------------------------------------------------


def test_every_project_admin_url_is_in_the_matrix():
    """A new admin view of ours (or a snippet viewset of one of our models) fails this test until it
    is given its place, and its expected audience, in the matrix above."""
    covered = set(NO_ARG_AUDIENCE) | {name.split("@")[0] for name in OBJECT_VIEWS} | POST_ONLY
    missing = sorted(
        f"{name} ({route})"
        for name, route, pattern in ADMIN_PATTERNS
        if is_project_view(route, pattern) and name not in covered
    )
    assert not missing, "not in the permission matrix: " + ", ".join(missing)
