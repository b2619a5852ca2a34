"""One invitation, two submissions at the same moment: exactly one is stored. Each commits on a
connection of its own, so this has a file of its own: see tests/conftest.py."""

import pytest
from django.db import connection
from django.utils import timezone

from ward_panels.models import Answer, Invitation, PanelMember, Response, WardPanel
from ward_panels.selectors import survey_rules
from ward_panels.services import response_submit
from ward_panels.tokens import invitation_token

NOW = timezone.now()
RYE_LANE = "E05011113"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite lets only one connection write at a time"
)
def test_two_submissions_with_one_token_at_once_store_exactly_one(
    sample_london_committed, good_answers, make_survey, at_once
):
    """Real concurrency: two threads, two database connections, one invitation."""
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    member = PanelMember.objects.create(
        panel=panel, name="A", email="a@example.org", confirmed_at=NOW, consent_given_at=NOW
    )
    survey = make_survey()
    invitation = Invitation.objects.create(survey=survey, member=member)
    token, answers = invitation_token(invitation.pk, invitation.nonce), good_answers(survey)
    outcomes = at_once(lambda: response_submit(survey=survey_rules(survey.pk), answers=answers, token=token))
    told = ["stored" if isinstance(o, Response) else o.errors["token"][0] for o in outcomes]

    assert sorted(told) == ["This invitation has already been used to answer.", "stored"]
    assert Response.objects.count() == 1 and Answer.objects.count() == 5
