"""Sending a newsletter from the admin: how many it will reach, a test send to the editor, then the
send itself, queued for the workers. Only for those who may publish the issue."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from wagtail.log_actions import log

from sn_site.operations import queued

from .emails import issue_render
from .models import NewsletterPage, Send
from .selectors import audience, send_progress_of
from .services import SendStartedMeanwhile, send_start
from .tasks import send_queue


class SendForm(forms.Form):
    """The send button's form. It carries how many sends of the issue the page showed: a second
    click (or a colleague's send meanwhile) then starts nothing more, and an issue shown as sent
    before goes again only with its box ticked."""

    sends_seen = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": "This page was out of date: check what it says now and send again."},
    )
    again = forms.BooleanField(
        label="Send it again to everyone",
        required=False,
        help_text="Everyone subscribed now gets it, including those who had it before.",
    )

    def clean(self):
        if self.cleaned_data.get("sends_seen") and not self.cleaned_data.get("again"):
            self.add_error("again", "Tick “Send it again to everyone” to send this issue a second time.")
        return self.cleaned_data


@require_http_methods(["GET", "HEAD", "POST"])
def newsletter_send(request, page_id: int):
    newsletter = get_object_or_404(NewsletterPage, pk=page_id)
    if not newsletter.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    sends = newsletter.sends.all()
    form = SendForm(initial={"sends_seen": sends.count()})
    if request.method == "POST":
        if request.POST.get("action") == "test":
            if not request.user.email:
                messages.error(request, "Add an email address to your account to get a test.")
            else:
                _test_send(newsletter, request.user.email)
                log(instance=newsletter, action="newsletters.test_send", user=request.user)
                messages.success(request, f"A test copy is on its way to {request.user.email}.")
            return redirect("newsletters_admin:send", page_id)
        if not newsletter.live:
            messages.error(request, "Publish the newsletter first: the email links to its web version.")
            return redirect("newsletters_admin:send", page_id)
        form = SendForm(request.POST)
        if form.is_valid():
            return _send(request, newsletter, form.cleaned_data["sends_seen"])
    recipients = audience(newsletter).count()
    context = {"newsletter": newsletter, "recipients": recipients, "sends": sends[:5], "form": form}
    return TemplateResponse(request, "newsletters/admin/send.html", context, status=400 if form.errors else 200)


def _send(request, newsletter: NewsletterPage, sends_seen: int):
    try:
        send = send_start(newsletter=newsletter, user=request.user, sends_seen=sends_seen)
    except SendStartedMeanwhile as meanwhile:
        messages.info(request, "This issue had already started sending: here is how far it has got.")
        return redirect("newsletters_admin:progress", meanwhile.send.pk)
    log(instance=newsletter, action="newsletters.send", user=request.user, data={"recipients": send.total})
    subscribers = f"{send.total} subscriber{pluralize(send.total)}"
    if queued(send_queue, send.pk):
        messages.success(request, f"Sending to {subscribers}.")
    else:  # the send is recorded: the minutely sweep queues its batches once the claim time has passed
        minutes = settings.SN_NEWSLETTER_CLAIM_SECONDS // 60
        messages.warning(request, f"Sending to {subscribers} will start within {minutes} minutes.")
    return redirect("newsletters_admin:progress", send.pk)


def _test_send(newsletter: NewsletterPage, email: str) -> None:
    from django.core.mail import EmailMultiAlternatives

    from .emails import PREFERENCES, UNSUBSCRIBE

    subject, html, text = issue_render(newsletter)
    message = EmailMultiAlternatives(
        f"[Test] {subject}", text.replace(UNSUBSCRIBE, "#").replace(PREFERENCES, "#"), to=[email]
    )
    message.attach_alternative(html.replace(UNSUBSCRIBE, "#").replace(PREFERENCES, "#"), "text/html")
    message.send()


def send_progress(request, send_id: int):
    """Sent / total, failures and the time left, for one send."""
    send = get_object_or_404(Send.objects.select_related("newsletter"), pk=send_id)
    if not send.newsletter.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return TemplateResponse(
        request, "newsletters/admin/progress.html", {"send": send, "progress": send_progress_of(send)}
    )
