"""core.bulk writes plain rows the way the ORM would, on PostgreSQL and SQLite alike."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Connection, Member
from core.bulk import ids_subquery, insert_rows, update_rows
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 14, 9, 30, 15, 123456, tzinfo=UTC)


def test_inserted_rows_come_back_in_order_with_their_ids():
    # 380 rows: more than one SQLite statement takes (999 parameters).
    members = [MemberFactory().pk for _ in range(20)]
    rows = [
        (a, b, AT + timedelta(microseconds=n))
        for n, (a, b) in enumerate((a, b) for a in members for b in members if a != b)
    ]

    ids = insert_rows(Connection, ["member", "other", "created_at"], rows, returning=True)

    stored = Connection.objects.in_bulk(ids)
    assert [
        (stored[pk].member_id, stored[pk].other_id, stored[pk].created_at) for pk in ids
    ] == rows
    assert ids == sorted(ids)


def test_rows_without_returning():
    a, b = MemberFactory(), MemberFactory()

    assert insert_rows(Connection, ["member", "other", "created_at"], [(a.pk, b.pk, AT)]) == []
    assert list(Connection.objects.values_list("member", "other", "created_at")) == [
        (a.pk, b.pk, AT)
    ]


def test_updated_rows_change_and_the_others_do_not():
    members = [MemberFactory(headline="Gardener") for _ in range(700)]
    update_rows(
        Member,
        ["headline", "date_joined"],
        [(member.pk, f"Baker {n}", AT) for n, member in enumerate(members[:500])],
    )

    assert Member.objects.filter(headline__startswith="Baker", date_joined=AT).count() == 500
    assert Member.objects.get(pk=members[499].pk).headline == "Baker 499"
    assert Member.objects.filter(headline="Gardener").count() == 200


def test_ids_subquery_selects_those_ids():
    members = [MemberFactory() for _ in range(4)]
    chosen = [members[0].pk, members[2].pk]
    assert (
        sorted(Member.objects.filter(pk__in=ids_subquery(chosen)).values_list("pk", flat=True))
        == chosen
    )
