"""Signing in to the admin: lock-out after wrong passwords, a limit per address, two-factor codes
(required for admins when switched on), and the audit log of who changed what."""

import datetime
import html
import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry, PageLogEntry

from priorities.models import WardPage
from sn_site.security import AdminSignInLimit
from sn_site.two_factor import two_factor_reset

PASSWORD = "a-long-test-password"  # noqa: S105


def sign_in(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wait_over(device) -> None:
    """As if the wait django-otp sets after a wrong code (1, 2, 4... seconds) had passed."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=5)
    )


def after_wrong_codes(device, count: int) -> None:
    """As if `count` wrong codes in a row had just been given: the next is checked 2**(count-1) seconds on."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_count=count, throttling_failure_timestamp=timezone.now()
    )


def words(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))).strip()


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("chief", "chief@example.org", PASSWORD)


def test_wrong_passwords_lock_the_username_out_from_that_address(client, officers):
    for _ in range(4):
        assert sign_in(client, "pc.southwark", "wrong").status_code == 200  # the form, with its error
    assert sign_in(client, "pc.southwark", "wrong").status_code == 429  # the fifth locks it

    locked = sign_in(client, "pc.southwark")  # even the right password, now
    assert locked.status_code == 429 and "locked" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # not signed in

    elsewhere = Client()
    assert sign_in(elsewhere, "pc.southwark", address="10.0.0.2").status_code == 302  # only that address
    assert elsewhere.get("/admin/").status_code == 200
    assert sign_in(Client(), "pc.westminster").status_code == 302  # and only that username


def test_sign_in_attempts_are_limited_per_address_whatever_the_username(client, officers, monkeypatch):
    monkeypatch.setattr(AdminSignInLimit, "rate", "3/hour", raising=False)
    answers = [sign_in(client, f"guess{n}", "wrong", address="10.0.0.9").status_code for n in range(3)]
    assert answers == [200, 200, 200]
    refused = sign_in(client, "pc.southwark", address="10.0.0.9")
    assert refused.status_code == 429 and "Too many sign-in attempts" in refused.content.decode()
    minutes = -(-int(refused["Retry-After"]) // 60)  # when the hour's window ends, and the page agrees
    assert 0 < minutes <= 60 and f"Please try again in {minutes} minute" in refused.content.decode()
    assert sign_in(Client(), "pc.southwark", address="10.0.0.10").status_code == 302


def test_two_factor_asks_for_a_code_after_the_password(client, officers):
    officer = officers[0]
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)

    assert sign_in(client, officer.username).status_code == 302
    asked = client.get("/admin/pages/")
    assert asked.status_code == 302 and asked["Location"].startswith("/admin/two-factor/?next=/admin/pages/")

    wrong = client.post("/admin/two-factor/", {"code": "000000", "next": "/admin/pages/"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/admin/pages/").status_code == 302
    wait_over(device)

    right = client.post("/admin/two-factor/", {"code": code_for(device), "next": "/admin/pages/"})
    assert right.status_code == 302 and right["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_the_code_page_has_the_admins_icons_before_the_code_is_given(client, officers):
    """The admin's pages fetch their icons (Wagtail's sprite) with JavaScript: sent to the code page
    instead, the browser put a hidden second code form on the page, which a keyboard user could
    tab into and, after a right code, land on the raw icons."""
    TOTPDevice.objects.create(user=officers[0], name="phone", confirmed=True)
    sign_in(client, officers[0].username)

    page = client.get("/admin/two-factor/?next=/admin/").content.decode()
    icons = client.get(re.search(r'data-icon-url="([^"]+)"', page).group(1))

    assert icons.status_code == 200 and icons["Content-Type"].startswith("image/svg+xml")
    assert 'id="icon-' in icons.content.decode()
    assert client.get("/admin/").status_code == 302  # the admin itself still waits for the code


def test_a_right_code_given_too_soon_after_wrong_ones_is_told_how_long_to_wait(client, officers):
    officer = officers[0]
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    sign_in(client, officer.username)
    after_wrong_codes(device, 3)

    early = client.post("/admin/two-factor/", {"code": code_for(device), "next": "/admin/pages/"})

    assert early.status_code == 200
    assert "Too many wrong codes in a row. Wait 4 seconds, then enter the newest code." in words(early)
    wait_over(device)
    assert client.post("/admin/two-factor/", {"code": code_for(device)}).status_code == 302


def test_setting_up_two_factor_asks_for_the_apps_code_and_waits_after_wrong_ones(client, officers):
    sign_in(client, officers[0].username)

    page = client.get("/admin/two-factor/setup/")

    assert "Set up two-factor authentication" in words(page) and "Switch on two-factor" in words(page)
    assert "The 6-digit code your authenticator app shows." in words(page)  # no backup codes yet
    device = TOTPDevice.objects.get(user=officers[0], confirmed=False)
    client.post("/admin/two-factor/setup/", {"code": "000000"})

    early = client.post("/admin/two-factor/setup/", {"code": code_for(device)})

    assert "Too many wrong codes in a row. Wait 1 second, then enter the newest code." in words(early)
    wait_over(device)
    done = client.post("/admin/two-factor/setup/", {"code": code_for(device)})
    assert "Two-factor is on: keep your backup codes" in words(done)

    again = client.get("/admin/two-factor/setup/")  # already on: a new app replaces the old one

    assert "Change your authenticator app" in words(again) and "Replace my authenticator app" in words(again)
    assert '<a href="/admin/">Keep your current app</a>' in again.content.decode()


def test_admins_must_set_up_two_factor_when_it_is_required(client, admin_user, officers, settings):
    settings.SN_TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    sign_in(client, "chief")
    sent = client.get("/admin/")
    assert sent.status_code == 302 and sent["Location"].startswith("/admin/two-factor/setup/")

    setup = client.get("/admin/two-factor/setup/")
    assert "<svg" in setup.content.decode() and "Key:" in setup.content.decode()
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    done = client.post("/admin/two-factor/setup/", {"code": code_for(device)})
    codes = StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get("/admin/").status_code == 200
    entry = ModelLogEntry.objects.get(action="sn_site.two_factor_enable")
    assert entry.user == admin_user

    # A backup code works once, on a new session.
    backup = codes[0]
    again = Client()
    sign_in(again, "chief", address="10.0.0.3")
    assert again.post("/admin/two-factor/", {"code": backup}).status_code == 302
    assert again.get("/admin/").status_code == 200
    third = Client()
    sign_in(third, "chief", address="10.0.0.4")
    assert "That code is not right" in third.post("/admin/two-factor/", {"code": backup}).content.decode()

    # Officers who are not admins are not made to; an admin who lost everything is reset.
    officer = Client()
    sign_in(officer, "pc.southwark", address="10.0.0.5")
    assert officer.get("/admin/").status_code == 200
    assert two_factor_reset(user=admin_user, by=None) == 2
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def with_two_factor(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True).token_set.create(token="backup1")
    return device


def test_an_administrator_resets_someones_two_factor_and_they_must_set_it_up_again(client, admin_user, officers):
    """They lost their phone and their backup codes: the administrator resets it, which the site
    history records, and at their next sign-in they set up a new authenticator app."""
    officer = officers[0]
    with_two_factor(officer)
    client.force_login(admin_user)
    reset_url = f"/admin/reset-two-factor/{officer.pk}/"

    users = client.get("/admin/users/").content.decode()
    asked = client.get(reset_url)
    done = client.post(reset_url)

    assert f'href="{reset_url}"' in users  # in the user's "More" menu
    assert "has two-factor authentication on" in words(asked)
    assert done.status_code == 302 and done["Location"] == "/admin/users/"
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    entry = ModelLogEntry.objects.get(action="sn_site.two_factor_reset")
    assert (entry.user, entry.object_id) == (admin_user, str(officer.pk))
    assert "Reset two-factor" in words(client.get("/admin/reports/site-history/"))

    again = Client()
    assert sign_in(again, officer.username).status_code == 302
    sent = again.get("/admin/pages/")
    assert sent.status_code == 302 and sent["Location"].startswith("/admin/two-factor/setup/")
    setup = again.get(sent["Location"])
    assert "An administrator reset your two-factor authentication" in words(setup)
    assert again.get("/api/v1/surveys/1/results/").status_code in (401, 403, 404)  # not signed in elsewhere
    new_app = TOTPDevice.objects.get(user=officer, confirmed=False)
    again.post("/admin/two-factor/setup/", {"code": code_for(new_app)})
    assert again.get("/admin/").status_code == 200


def test_only_someone_who_may_change_a_users_account_resets_their_two_factor(client, admin_user, officers):
    from django.contrib.auth.models import Permission

    officer, other_officer = officers
    with_two_factor(officer)
    with_two_factor(admin_user)
    manager = get_user_model().objects.create_user("user.manager", password=PASSWORD)
    manager.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "change_user"]))

    def refused(response) -> bool:  # Wagtail sends someone refused back to the dashboard, with a message
        return response.status_code == 302 and response["Location"] == "/admin/"

    client.force_login(other_officer)
    assert refused(client.get(f"/admin/reset-two-factor/{officer.pk}/"))
    assert refused(client.post(f"/admin/reset-two-factor/{officer.pk}/"))
    client.force_login(manager)  # may change users' accounts, but is no administrator
    assert f"/admin/reset-two-factor/{officer.pk}/" in client.get("/admin/users/").content.decode()
    assert f"/admin/reset-two-factor/{admin_user.pk}/" not in client.get("/admin/users/").content.decode()
    assert refused(client.post(f"/admin/reset-two-factor/{admin_user.pk}/"))
    assert client.post(f"/admin/reset-two-factor/{officer.pk}/").status_code == 302

    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert ModelLogEntry.objects.get(action="sn_site.two_factor_reset").user == manager


def test_switching_ones_own_two_factor_off_asks_for_no_new_app(client, officers):
    officer = officers[0]
    device = with_two_factor(officer)
    sign_in(client, officer.username)
    client.post("/admin/two-factor/", {"code": code_for(device)})

    client.post("/admin/two-factor/off/")

    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert ModelLogEntry.objects.get(action="sn_site.two_factor_disable").user == officer
    fresh = Client()
    sign_in(fresh, officer.username, address="10.0.0.7")
    assert fresh.get("/admin/").status_code == 200


def test_the_audit_log_records_who_changed_a_ward_page_and_who_sent_invitations(
    client, officers, settings, make_survey
):

    officer = officers[0]
    client.force_login(officer)
    page = WardPage.objects.get(ward_id="E05011113")
    revision = page.save_revision(user=officer, log_action=True)
    revision.publish(user=officer)
    assert PageLogEntry.objects.filter(page=page, user=officer, action="wagtail.publish").exists()

    survey = make_survey()
    client.post(f"/admin/ward-panels/surveys/{survey.pk}/send/")
    entry = ModelLogEntry.objects.get(action="ward_panels.invitations_send")
    assert entry.user == officer and entry.object_id == str(survey.pk)
    history = client.get(f"/admin/snippets/ward_panels/survey/history/{survey.pk}/")
    assert history.status_code == 200 and "Invitations sent" in history.content.decode()


def test_a_password_alone_opens_nothing_outside_the_admin_either(client, officers, make_survey):

    officer = officers[0]
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    survey = make_survey()
    sign_in(client, officer.username)

    assert client.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 403  # no code given yet
    client.post("/admin/two-factor/", {"code": code_for(device)})
    assert client.get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 200


def test_the_two_factor_pages_exist_however_the_server_starts():
    """The development server builds the admin's URLs before it loads any middleware: the two-factor
    pages, the account menu's link to them and their audit log entries must not depend on which
    comes first (under runserver, /admin/account/ was a 500 and the set-up pages were 404)."""
    script = (
        "import django; django.setup()\n"
        "from django.urls import reverse\n"
        "from wagtail import hooks\n"
        "print(reverse('two_factor_setup'), reverse('two_factor_verify'))\n"
        "print(' '.join(hook.__name__ for hook in hooks.get_hooks('register_account_menu_item')))\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "sn_site.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    urls, menu_items = result.stdout.split("\n")[:2]
    assert urls == "/admin/two-factor/setup/ /admin/two-factor/"
    assert "two_factor_menu_item" in menu_items.split()
