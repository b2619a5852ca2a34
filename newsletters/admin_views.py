"""Sending a newsletter from the admin. One page for each issue: it names the issue, whose
subscribers it goes to and how many, and sends it once to everyone, then only to people who
subscribe later (for those who may publish it); and it sends a test copy to the signed-in editor
(for everyone who may edit it)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from wagtail.log_actions import log

from priorities.models import NeighbourhoodPage
from sn_site.operations import queued
from sn_site.views import when_to_try_again

from .forms import OUT_OF_DATE, SendForm
from .models import NewsletterPage, Send, newsletter_name
from .selectors import audience, audience_not_yet_reached, newsletter_area, send_progress_of, sent_too_long_ago
from .services import TOO_LONG_AGO, SendRefused, SendStartedMeanwhile, newsletter_test_send, send_start
from .tasks import send_queue
from .throttles import SelfTestLimit


@require_http_methods(["GET", "HEAD", "POST"])
def newsletter_send(request, page_id: int):
    newsletter = get_object_or_404(NewsletterPage, pk=page_id)
    permissions = newsletter.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise PermissionDenied
    may_send = permissions.can_publish()
    if request.method == "POST":
        if request.POST.get("action") == "test":
            return _test_send(request, newsletter, may_send)
        if not may_send:
            raise PermissionDenied
        if not newsletter.live:
            messages.error(request, "Publish the newsletter first: the email links to its web version.")
            return redirect("newsletters_admin:send", page_id)
        form = SendForm(request.POST)
        if not form.is_valid():  # a page from before this one, or a made-up post: nothing is sent
            return _send_page(request, newsletter, may_send, status=400, send_refused=OUT_OF_DATE)
        return _send(request, newsletter, form.cleaned_data["audience"], form.cleaned_data["sends_seen"])
    return _send_page(request, newsletter, may_send)


def _send_page(
    request,
    newsletter: NewsletterPage,
    may_send: bool,
    status: int = 200,
    test_refused: str = "",
    send_refused: str = "",
):
    sends = list(newsletter.sends.all())
    area = newsletter_area(newsletter)
    sent = bool(sends)
    too_late = sent and sent_too_long_ago(sends[-1])
    recipients = 0 if too_late else (audience_not_yet_reached if sent else audience)(newsletter).count()
    context = {
        "newsletter": newsletter,
        "newsletter_name": newsletter_name(area),
        "for_neighbourhood": isinstance(area, NeighbourhoodPage),
        "may_send": may_send,
        "sends": sends,
        "first": sends[-1] if sent else None,
        "too_late": TOO_LONG_AGO if too_late else "",
        "recipients": recipients,
        "form": SendForm(
            initial={
                "sends_seen": len(sends),
                "audience": Send.Audience.NEW_SUBSCRIBERS if sent else Send.Audience.EVERYONE,
            }
        ),
        "test_refused": test_refused,
        "send_refused": send_refused,
    }
    return TemplateResponse(request, "newsletters/admin/send.html", context, status=status)


def _send(request, newsletter: NewsletterPage, to: str, sends_seen: int):
    try:
        send = send_start(newsletter=newsletter, user=request.user, to=to, sends_seen=sends_seen)
    except SendStartedMeanwhile as meanwhile:
        messages.info(request, meanwhile.message)
        return redirect("newsletters_admin:progress", meanwhile.send.pk)
    except SendRefused as refused:
        messages.error(request, f"Nothing was sent. {refused.message}")
        return redirect("newsletters_admin:send", newsletter.pk)
    log(
        instance=newsletter,
        action="newsletters.send",
        user=request.user,
        data={"recipients": send.total, "audience": send.audience},
    )
    people = f"{send.total} {pluralize(send.total, 'person,people')}"
    if send.audience == Send.Audience.NEW_SUBSCRIBERS:
        people += " who subscribed since it was sent"
    if queued(send_queue, send.pk):
        messages.success(request, f"Sending to {people}.")
    else:  # the send is recorded: the minutely sweep queues its batches once the claim time has passed
        minutes = settings.SN_NEWSLETTER_CLAIM_SECONDS // 60
        messages.warning(request, f"Sending to {people} will start within {minutes} minutes.")
    return redirect("newsletters_admin:progress", send.pk)


def _test_send(request, newsletter: NewsletterPage, may_send: bool):
    limit = SelfTestLimit()
    if not limit.allow_request(request, None):
        refused = f"You have sent yourself as many tests as you may for now: {when_to_try_again(limit.wait())}."
        return _send_page(request, newsletter, may_send, status=429, test_refused=refused)
    try:
        address = newsletter_test_send(newsletter=newsletter, user=request.user)
    except SendRefused as refused:  # shown on the send page, by the button that was refused
        return _send_page(request, newsletter, may_send, status=refused.status, test_refused=refused.message)
    log(instance=newsletter, action="newsletters.test_send", user=request.user)
    messages.success(request, f"A test copy is on its way to {address}. It went to nobody else.")
    return redirect("newsletters_admin:send", newsletter.pk)


def send_progress(request, send_id: int):
    """Sent / total, failures and the time left, for one send."""
    send = get_object_or_404(Send.objects.select_related("newsletter"), pk=send_id)
    if not send.newsletter.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return TemplateResponse(
        request, "newsletters/admin/progress.html", {"send": send, "progress": send_progress_of(send)}
    )
