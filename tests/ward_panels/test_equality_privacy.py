"""Equality monitoring that cannot be linked back to a person, and figures that cannot be worked
back to one: the pool, the receipt, the frozen tables and the public summary's floor."""

import datetime

from django.core import signing
from django.db import connection, models
from django.utils import timezone

from ward_panels.models import EqualityMonitoring, EqualityPending, EqualityReceiptUsed, EqualityTables, Survey
from ward_panels.services import equality_pool_flush, equality_tables_freeze
from ward_panels.tokens import RECEIPT_SALT

SEXES = ["female", "male", "prefer_not"]
AGES = ["18_24", "25_34", "35_44", "45_54"]


def test_a_receipt_names_no_response_and_nothing_stored_holds_its_secret(
    client, sample_london, make_survey, answer_with_equality
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    receipt = answer_with_equality(client, survey, 0, {"sex": "female"})

    opened = signing.loads(receipt, salt=RECEIPT_SALT)
    assert set(opened) == {"survey", "nonce"} and opened["survey"] == survey.pk
    assert opened["nonce"] not in str(list(EqualityReceiptUsed.objects.values_list("digest", flat=True)))
    assert EqualityReceiptUsed.objects.get().used_on == timezone.localdate()  # a day, not a time


def test_nothing_in_the_equality_tables_can_join_them_to_a_person_by_key_or_time():
    for model in (EqualityMonitoring, EqualityPending, EqualityReceiptUsed):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateTimeField), (model, field.name)
            assert not isinstance(field, models.AutoField | models.BigAutoField), (model, field.name)
            if field.is_relation:
                assert field.related_model is Survey, (model, field.name)  # only ever the survey


def test_the_pool_is_written_out_in_an_order_unlike_the_one_people_answered_in(
    client, sample_london, make_survey, answer_with_equality
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    given = [(AGES[n % 4], SEXES[n // 4]) for n in range(12)]  # twelve different pairs
    for n, (age, sex) in enumerate(given):
        answer_with_equality(client, survey, n, {"age_band": age, "sex": sex})

    assert equality_pool_flush() == 12
    table = EqualityMonitoring._meta.db_table
    place = "ctid" if connection.vendor == "postgresql" else "rowid"  # where each row physically sits
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT age_band, sex FROM {table} ORDER BY {place}")  # noqa: S608
        stored = cursor.fetchall()
    assert sorted(stored) == sorted(given) and stored != given  # 1 chance in 479,001,600 of the same order
    assert sorted(EqualityMonitoring.objects.values_list("age_band", "sex")) == sorted(given)


def test_equality_figures_are_made_once_a_day_after_closing_with_small_counts_hidden(
    client, officers, make_survey, answer_with_equality
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    for n in range(13):  # 11 women and 2 men
        answer_with_equality(client, survey, n, {"sex": "female" if n < 11 else "male"})
    client.force_login(officers[0])
    results = f"/api/v1/surveys/{survey.pk}/results/"

    assert client.get(results).json()["equality"] is None  # open: nothing yet
    assert equality_tables_freeze(survey=survey, now=survey.closes_at + datetime.timedelta(hours=23)) is None
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=20), closes_at=timezone.now() - datetime.timedelta(days=2)
    )

    first = client.get(results).json()
    sex = dict(map(tuple, ([o["label"], o["count"]] for o in first["equality"]["sex"])))
    assert first["equality_answered"] == 13
    # 2 men is under 10: hidden, with the other small figures, so that 13 - 11 says only that two
    # people are somewhere among them.
    assert sex == {"Female": 11, "Male": None, "Prefer not to say": None, "Not answered": None}
    # Made once: a straggler written afterwards changes nothing anyone is shown.
    EqualityMonitoring.objects.create(survey_id=survey.pk, sex="male")
    assert client.get(results).json() == first
    assert EqualityTables.objects.filter(survey=survey).count() == 1
    page = client.get(f"/admin/ward-panels/surveys/{survey.pk}/results/").content.decode()
    assert "What is your sex?" in page and "13 people answered some or all" in page


def test_equality_answers_after_the_figures_are_made_are_refused(client, sample_london, make_survey, good_answers):
    survey = make_survey(audience=Survey.Audience.OPEN)
    receipt = client.post(
        f"/api/v1/surveys/{survey.pk}/responses/",
        {"email": "late@example.org", "answers": good_answers(survey)},
        content_type="application/json",
    ).json()["receipt"]
    equality_tables_freeze(survey=survey, now=survey.closes_at + datetime.timedelta(days=1))

    late = client.post(
        f"/api/v1/surveys/{survey.pk}/equality/", {"receipt": receipt, "answers": {"sex": "male"}}, "application/json"
    )

    assert late.status_code == 400 and "closed" in str(late.json()["errors"])
    assert not EqualityPending.objects.exists()


def test_a_summary_cannot_be_published_for_fewer_than_five_answers(client, officers, make_survey):
    from priorities.models import WardPage

    survey = make_survey(
        audience=Survey.Audience.OPEN,
        opens_at=timezone.now() - datetime.timedelta(days=20),
        closes_at=timezone.now() - datetime.timedelta(days=1),
        answered=4,
        summary="Both of you said parking.",
    )
    client.force_login(officers[0])

    page = client.post(f"/admin/ward-panels/surveys/{survey.pk}/summary/", follow=True)

    said = [str(m) for m in page.context["messages"]]
    assert "only when at least 5 people answered" in said[0] and "this survey has 4" in said[0]
    assert not WardPage.objects.get(ward_id=survey.ward_id).survey_summaries.exists()


def test_pooled_answers_survive_a_rotated_secret_key_kept_as_a_fallback(
    client, sample_london, make_survey, answer_with_equality, settings, caplog
):
    survey = make_survey(audience=Survey.Audience.OPEN)
    answer_with_equality(client, survey, 0, {"sex": "female"})
    answer_with_equality(client, survey, 1, {"sex": "male"})
    old = settings.SECRET_KEY

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" * 5, [old]
    assert equality_pool_flush(survey=survey) == 2  # sealed under the old key, opened with the fallback
    answer_with_equality(client, survey, 2, {"sex": "male"})
    settings.SECRET_KEY_FALLBACKS = []
    settings.SECRET_KEY = "another-key-" * 5
    assert equality_pool_flush(survey=survey) == 0  # sealed with a key the site no longer has: unreadable
    assert "SECRET_KEY_FALLBACKS" in caplog.text  # and the operator is told why
    assert not EqualityPending.objects.exists()  # and not left to block the pool
    assert sorted(EqualityMonitoring.objects.values_list("sex", flat=True)) == ["female", "male"]
