from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import admin_views
from .models import NewsletterPage


@hooks.register("register_admin_urls")
def admin_urls():
    return [
        path(
            "newsletters/",
            (
                [
                    path("<int:page_id>/send/", admin_views.newsletter_send, name="send"),
                    path("sends/<int:send_id>/", admin_views.send_progress, name="progress"),
                ],
                "newsletters_admin",
                "newsletters_admin",
            ),
        )
    ]


@hooks.register("register_page_header_buttons")
def send_button(page, user, view_name, next_url=None):
    """In the page header's menu too, for everyone who may edit the issue: the edit form's own
    "Test and send" panel is where most find it."""
    if not isinstance(page.specific_deferred, NewsletterPage):
        return
    permissions = page.permissions_for_user(user)
    if permissions.can_edit():
        label = "Send…" if permissions.can_publish() else "Send yourself a test…"
        yield Button(label, reverse("newsletters_admin:send", args=[page.pk]), icon_name="mail", priority=30)


@hooks.register("register_log_actions")
def newsletter_log_actions(actions):
    actions.register_action("newsletters.send", "Send newsletter", "Newsletter sent to subscribers")
    actions.register_action("newsletters.test_send", "Send a test copy", "Test copy sent")
