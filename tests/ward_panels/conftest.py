"""Fixtures shared by the ward panel tests."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command


@pytest.fixture
def officers(sample_london):
    southwark = User.objects.create_user("pc.southwark", password="a-long-test-password")
    westminster = User.objects.create_user("pc.westminster", password="a-long-test-password")
    call_command("add_officer", "pc.southwark", "--borough", "E09000028", stdout=StringIO())
    call_command("add_officer", "pc.westminster", "--borough", "E09000033", stdout=StringIO())
    return southwark, westminster
