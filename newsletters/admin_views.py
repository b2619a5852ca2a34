"""Sending a newsletter from the admin: how many it will reach, a test send to the editor, then the
send itself, queued for the workers. Only for those who may publish the issue."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from wagtail.log_actions import log

from sn_site.operations import queued

from .emails import issue_render
from .models import NewsletterPage, Send
from .selectors import audience, send_progress_of
from .services import send_start
from .tasks import send_queue


@require_http_methods(["GET", "HEAD", "POST"])
def newsletter_send(request, page_id: int):
    newsletter = get_object_or_404(NewsletterPage, pk=page_id)
    if not newsletter.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    recipients = audience(newsletter).count()
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
        send = send_start(newsletter=newsletter, user=request.user)
        log(instance=newsletter, action="newsletters.send", user=request.user, data={"recipients": send.total})
        if queued(send_queue, send.pk):
            messages.success(request, f"Sending to {send.total} subscribers.")
        else:  # the send is recorded: the minutely sweep queues its batches once the claim time has passed
            minutes = settings.SN_NEWSLETTER_CLAIM_SECONDS // 60
            messages.warning(request, f"Sending to {send.total} subscribers will start within {minutes} minutes.")
        return redirect("newsletters_admin:progress", send.pk)
    sends = newsletter.sends.all()[:5]
    return TemplateResponse(
        request, "newsletters/admin/send.html", {"newsletter": newsletter, "recipients": recipients, "sends": sends}
    )


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
