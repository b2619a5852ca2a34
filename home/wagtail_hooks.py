"""The personal-data admin page's place in the admin: its addresses, menu item and log actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import personal_data

# Personal data: find, copy and erase what is held about one address (administrators only) --------


@hooks.register("register_admin_urls")
def personal_data_urls():
    urls = [
        path("", personal_data.index, name="index"),
        path("export/", personal_data.export, name="export"),
        path("erase/", personal_data.erase, name="erase"),
    ]
    return [path("personal-data/", include((urls, "home_personal_data"), namespace="home_personal_data"))]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def personal_data_menu_item():
    return AdministratorsMenuItem(
        "Personal data", reverse("home_personal_data:index"), name="personal-data", icon_name="user", order=900
    )


@hooks.register("register_log_actions")
def personal_data_log_actions(actions):
    actions.register_action(
        personal_data.EXPORT_ACTION,
        "Personal data: copy",
        "Downloaded a copy of the personal data held about an address",
    )
    actions.register_action(
        personal_data.ERASE_ACTION, "Personal data: erase", "Erased the personal data held about an address"
    )
