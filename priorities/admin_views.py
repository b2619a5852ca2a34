"""The officers' "Update my ward" (one page for the whole after-meeting update), their borough's
residents' proposals of natural neighbourhoods (accept or decline), and Wagtail's admin
views that name pages of any area, narrowed to the officer's own: mounted before the admin's own in
sn_site/urls.py. (The page chooser's browsing and searching are narrowed by the
construct_page_chooser_queryset hook in wagtail_hooks.py; its two views here take ids from the URL.)"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail.admin.views import chooser
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.models import Page

from .forms import EventAddForm, PriorityAddForm, PriorityProgressForm
from .models import BoroughPage, Event, NeighbourhoodProposal, Priority, PriorityUpdate, WardPage
from .selectors import (
    draft_priorities,
    neighbourhood_proposals_of,
    officer_boroughs,
    page_draft,
    page_lock_reason,
    pages_explorable,
    pages_in_area,
)
from .services import (
    PriorityProgress,
    Revised,
    neighbourhood_proposal_accept,
    neighbourhood_proposal_decline,
    team_page_submit,
    ward_update_save,
)


def _add_errors(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's ValidationError on the form it came from: a model field's message on the form's
    field of that name (or its alias), the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, found in error.message_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, found)


def _error_summary(forms) -> list[tuple[str, str]]:
    """(id to go to, message) for every error of the forms, for the summary at the top."""
    found = []
    for form in forms:
        found += [(f"{form.prefix}-form", error) for error in form.non_field_errors()]
        found += [(field.id_for_label, error) for field in form for error in field.errors]
    return found


@require_http_methods(["GET", "HEAD", "POST"])
def ward_update(request, pk: int):
    """A ward's active priorities, each with its section (a "we did" update, its status, its review
    date), and sections to add a priority and a meeting: the whole after-meeting update as one form,
    saved with one button as one revision through services.ward_update_save, so that nothing typed
    in one section is lost by saving another. It goes live or to a sergeant as the borough's
    approval setting says. Outside the officer's area, a 404."""
    page = get_object_or_404(pages_in_area(WardPage.objects.select_related("ward__borough"), request.user), pk=pk)
    permissions = page.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise PermissionDenied
    draft = page_draft(page)
    priorities = draft_priorities(draft)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action == "save" else None

    def progress_form(key, priority):
        initial = {"status": priority.status, "outcome": priority.outcome, "review_by": priority.review_by}
        prefix = f"priority-{key}"
        # A section the post does not carry at all is left alone, as if unchanged.
        posted = data is not None and any(name.startswith(f"{prefix}-") for name in data)
        return PriorityProgressForm(data if posted else None, initial=initial, prefix=prefix)

    progress = [
        (key, priority, progress_form(key, priority))
        for key, priority in priorities.items()
        if priority.status == Priority.Status.ACTIVE
    ]
    optional = {"empty_permitted": True, "use_required_attribute": False}
    add_priority = PriorityAddForm(data, prefix="new-priority", **optional)
    add_event = EventAddForm(data, prefix="meeting", **optional)
    locked = page_lock_reason(page, request.user)
    if action and locked:
        messages.error(request, f"Nothing was saved. {locked}")
        return redirect("priorities_ward_update", page.pk)
    needs_approval = page.get_workflow() is not None and not permissions.can_publish()
    # "Save and send to a sergeant for approval": saved as by Save, then sent, in one click.
    send = data is not None and needs_approval and request.POST.get("then") == "submit"

    forms = [form for _, _, form in progress] + [add_priority, add_event]
    page_errors = []
    if data is not None:
        gone = {name.split("-")[1] for name in data if name.startswith("priority-")} - {key for key, *_ in progress}
        if gone:
            page_errors.append(
                "A priority you changed is no longer active on the ward page (someone else may have retired it). "
                "Nothing was saved: reload the page and try again."
            )
        elif all(form.is_valid() for form in forms if form.is_bound):
            saved = _ward_update_save(request, page, priorities, progress, add_priority, add_event, send)
            if saved:
                return saved
    workflow_state = page.current_workflow_state
    waiting = workflow_state is not None and workflow_state.status == workflow_state.STATUS_IN_PROGRESS
    return TemplateResponse(
        request,
        "priorities/admin/ward_update.html",
        {
            "page": page,
            "progress": progress,
            "add_priority": add_priority,
            "add_event": add_event,
            "errors": [("ward-update-form", error) for error in page_errors]
            + _error_summary(form for form in forms if form.is_bound),
            "awaiting_approval": waiting,
            "changes_asked_for": workflow_state is not None and not waiting,
            "locked": locked,
            "unsent": needs_approval and page.has_unpublished_changes and not waiting,
            "needs_approval": needs_approval,
            "upcoming_events": [e for e in draft.events.all() if e.ends_at >= timezone.now()],
        },
    )


def _ward_update_save(request, page, priorities, progress, add_priority, add_event, send=False):
    """Save every changed section of a valid "Update my ward" in one revision (and if `send`, then
    send the page's saved changes to a sergeant with team_page_submit, even if this save changed
    nothing); say what happened and where it stands, and go back to the page. On a mistake found by
    the models' rules, put each message on its section's field and answer None, for the page to show
    them all, with nothing saved or sent."""
    changed = {}
    for key, _, form in progress:
        if form.is_bound and form.has_changed():
            c = form.cleaned_data
            we_did = c["we_did"].strip()
            changed[key] = PriorityProgress(
                status=c["status"],
                outcome=c["outcome"].strip(),
                review_by=c["review_by"],
                update=PriorityUpdate(date=c["date"], we_did=we_did) if we_did else None,
            )
    priority = event = None
    if add_priority.has_changed():
        priority = Priority(**add_priority.cleaned_data)
    if add_event.has_changed():
        starts_at, ends_at = add_event.moments()
        fields = {k: v for k, v in add_event.cleaned_data.items() if k not in ("day", "starts", "ends")}
        event = Event(starts_at=starts_at, ends_at=ends_at, **fields)
    try:
        done = ward_update_save(page=page, user=request.user, progress=changed, priority=priority, event=event)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):  # the three-priority rule: only a new priority breaks it
            _add_errors(add_priority, error)
            return None
        sections = {key: form for key, _, form in progress} | {"new_priority": add_priority, "meeting": add_event}
        for name, found in error.message_dict.items():
            part, field = name.split(":", 1)
            form = sections[part]
            aliases = EventAddForm.ALIASES if form is add_event else {}
            _add_errors(form, ValidationError({field: found}), aliases)
        return None
    what = [f"“{priorities[key].title}” updated" for key in changed] if done != Revised.UNCHANGED else []
    what += [f"priority “{priority.title}” added"] if priority else []
    what += [f"meeting “{event.title}” added"] if event else []
    said = ", ".join(what)
    said = f"{said[:1].upper()}{said[1:]}. " if said else ""
    if send:
        try:
            done = team_page_submit(page=WardPage.objects.get(pk=page.pk), user=request.user)
        except ValidationError as error:
            if said:
                messages.success(request, f"{said}{done}.")
            messages.error(request, f"Nothing was sent. {' '.join(error.messages)}")
        else:
            messages.success(request, f"{said}{done}.")
    elif done == Revised.UNCHANGED:
        messages.info(request, f"{done}.")
    else:
        messages.success(request, f"{said}{done}.")
    return redirect("priorities_ward_update", page.pk)


def _proposal_borough(user, pk: int) -> BoroughPage:
    """A borough page whose proposals the officer may see: one they may edit; a 404 for any other."""
    return get_object_or_404(BoroughPage.objects.filter(borough__in=officer_boroughs(user)), pk=pk)


@require_http_methods(["GET", "HEAD"])
def neighbourhood_proposals(request, pk: int):
    """A borough's residents' proposals of natural neighbourhoods: those waiting, each with accept
    and decline, and those decided."""
    borough_page = _proposal_borough(request.user, pk)
    waiting, decided = neighbourhood_proposals_of(borough_page)
    context = {"borough_page": borough_page, "waiting": waiting, "decided": decided}
    return TemplateResponse(request, "priorities/admin/neighbourhood_proposals.html", context)


@require_http_methods(["POST"])
def neighbourhood_proposal_decide(request, pk: int):
    """Accept (a draft page, opened in the editor) or decline a waiting proposal of the officer's
    borough; another borough's is a 404."""
    proposal = get_object_or_404(
        NeighbourhoodProposal.objects.select_related("borough_page").filter(
            borough_page__borough__in=officer_boroughs(request.user)
        ),
        pk=pk,
    )
    action = request.POST.get("action")
    if action not in ("accept", "decline"):
        messages.error(request, "Choose Accept or Decline.")
        return redirect("priorities_neighbourhood_proposals", proposal.borough_page_id)
    try:
        if action == "accept":
            page = neighbourhood_proposal_accept(proposal=proposal, user=request.user)
        else:
            neighbourhood_proposal_decline(proposal=proposal, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("priorities_neighbourhood_proposals", proposal.borough_page_id)
    if action == "decline":
        messages.success(request, f"“{proposal.name}” declined.")
        return redirect("priorities_neighbourhood_proposals", proposal.borough_page_id)
    messages.success(
        request,
        f"“{page.title}” is a draft natural neighbourhood: refine it (its area, its officers), then publish it.",
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


class PageChooserBrowse(chooser.BrowseView):
    """Browsing the children of a page outside the officer's area (or above it) is a 404, not its
    title."""

    def get(self, request, parent_page_id=None):
        if parent_page_id and not pages_explorable(Page.objects.filter(pk=parent_page_id), request.user).exists():
            raise Http404
        return super().get(request, parent_page_id)


class PageChooserChosenMultiple(chooser.ChosenMultipleView):
    """The chosen pages, by id: only those of the officer's area (others are left out)."""

    def get(self, request):
        ids = [pk for pk in request.GET.getlist("id") if pk.isdigit()]
        theirs = pages_in_area(Page.objects.filter(pk__in=ids), request.user).values_list("pk", flat=True)
        query = request.GET.copy()
        query.setlist("id", [str(pk) for pk in theirs])
        request.GET = query
        return super().get(request)


class PageTypesUsage(PageTypesUsageReportView):
    """Wagtail's page types report names the last edited page of each type, whatever its area (a
    draft of another borough's, say): for an officer, only one of their own area's."""

    def decorate_paginated_queryset(self, page_types):
        page_types = super().decorate_paginated_queryset(page_types)
        ids = [item.last_edited_page.pk for item in page_types if item.last_edited_page]
        theirs = set(pages_in_area(Page.objects.filter(pk__in=ids), self.request.user).values_list("pk", flat=True))
        for item in page_types:
            if item.last_edited_page and item.last_edited_page.pk not in theirs:
                item.last_edited_page = None
        return page_types
