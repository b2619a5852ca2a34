"""Site-wide admin and serving hooks."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp import user_has_device
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import two_factor
from .page_cache import mark_cacheable


@hooks.register("before_serve_page")
def allow_page_caching(page, request, serve_args, serve_kwargs):
    # Only live pages served through the tree reach here; previews go another way.
    mark_cacheable(request)


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


# Two-factor sign-in (sn_site/two_factor.py). Registered here, where Wagtail looks for hooks as the
# admin's URLs are built, and not as a side effect of loading the middleware: the development
# server builds the URLs first.


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/", two_factor.verify, name="two_factor_verify"),
        path("two-factor/setup/", two_factor.setup, name="two_factor_setup"),
        path("two-factor/off/", two_factor.disable, name="two_factor_disable"),
        # Not under two-factor/, which is open to a session that has not yet given its code.
        path("reset-two-factor/<int:user_id>/", two_factor.reset, name="two_factor_reset"),
    ]


@hooks.register("register_user_listing_buttons")
def two_factor_reset_button(user, request_user):
    if two_factor.may_reset(request_user, user):
        yield Button("Reset two-factor", reverse("two_factor_reset", args=[user.pk]), icon_name="key", priority=60)


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    on = user_has_device(request.user)
    return {
        "url": reverse("two_factor_setup"),
        "label": "Two-factor authentication",
        "help_text": (
            "On: a code from your authenticator app is asked for at sign-in. Set up a new phone here."
            if on
            else "Off: switch it on so that a stolen password alone cannot open your account."
        ),
    }


@hooks.register("register_log_actions")
def two_factor_log_actions(actions):
    actions.register_action("sn_site.two_factor_enable", "Switch on two-factor", "Two-factor switched on")
    actions.register_action("sn_site.two_factor_disable", "Switch off two-factor", "Two-factor switched off")
    actions.register_action(
        "sn_site.two_factor_reset",
        "Reset two-factor",
        "Two-factor reset by an administrator: a new authenticator app is asked for at the next sign-in",
    )
