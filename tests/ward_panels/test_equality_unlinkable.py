"""Equality answers cannot be joined back to the person who gave them, even by a reader of the
database who knows how PostgreSQL keeps its rows: each write here commits on its own, as a live
site's do, so this file holds tests that commit (see tests/conftest.py)."""

import pytest
from django.db import connection

from ward_panels.models import EqualityPending, Survey
from ward_panels.services import equality_pool_flush

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="xmin, the transaction that wrote a row, is PostgreSQL's"
)

AGES = ["18_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_over"]


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_no_join_on_the_transaction_or_its_neighbours_names_who_gave_equality_answers(
    client, sample_london_committed, make_survey, answer_with_equality, settings
):
    settings.SN_EQUALITY_BATCH = 10
    survey = make_survey(audience=Survey.Audience.OPEN)
    written = []  # the response rows as each person's equality step begins
    for n in range(12):
        answer_with_equality(
            client,
            survey,
            n,
            {"age_band": AGES[n % len(AGES)], "ethnic_group": "white_roma"},
            before_equality=lambda: written.append(rows("SELECT id, xmin::text FROM ward_panels_response ORDER BY id")),
        )
        # The equality step leaves every response row as it was: not even its transaction id moves.
        assert rows("SELECT id, xmin::text FROM ward_panels_response ORDER BY id") == written[-1]

    # While they wait in the pool, the answers are sealed: nothing in the row can be read.
    assert EqualityPending.objects.count() == 12
    assert not rows(
        "SELECT 1 FROM ward_panels_equalitypending WHERE strpos(sealed, 'white_roma') > 0 OR strpos(sealed, 'age') > 0"
    )
    # ... and no row was written in the same transaction as a response, or the next one after it.
    same_or_next = """
        SELECT count(*) FROM {table} e JOIN ward_panels_response r
        ON e.xmin::text::bigint BETWEEN r.xmin::text::bigint AND r.xmin::text::bigint + {gap}"""
    assert rows(same_or_next.format(table="ward_panels_equalitypending", gap=0)) == [(0,)]

    assert equality_pool_flush() == 12  # 12 waiting, more than a batch: written out together
    assert not EqualityPending.objects.exists()
    assert rows(same_or_next.format(table="ward_panels_equalitymonitoring", gap=0)) == [(0,)]
    # All twelve share one transaction, so the transaction singles out no one.
    assert rows("SELECT count(DISTINCT xmin::text), count(*) FROM ward_panels_equalitymonitoring") == [(1, 12)]
    # And nothing in them holds a key, an order or a time to join on.
    assert (
        rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'ward_panels_equalitymonitoring' "
            "AND (data_type LIKE 'timestamp%' OR data_type IN ('integer', 'bigint') OR column_name LIKE '%response%')"
        )
        == [("survey_id",)]  # the survey's, which everyone who answered it shares
    )


def test_a_pool_smaller_than_a_batch_waits_until_the_survey_closes(
    client, sample_london_committed, make_survey, answer_with_equality, settings
):
    settings.SN_EQUALITY_BATCH = 10
    survey = make_survey(audience=Survey.Audience.OPEN)
    for n in range(3):
        answer_with_equality(client, survey, n, {"sex": "female"})

    assert equality_pool_flush() == 0  # three would be told apart by when they were written: they wait
    assert equality_pool_flush(now=survey.closes_at) == 3
