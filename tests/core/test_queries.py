"""core.queries.Compiled: a query built by the ORM once, run with each call's values."""

from datetime import UTC, datetime, timedelta
from unittest.mock import Mock

import pytest
from django.db.models import Exists, OuterRef

from accounts.models import Member
from core.queries import Compiled
from tests.factories import MemberFactory

JOINED = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def joined_after(*, member_id: int, since: datetime):
    later = Member.objects.filter(pk=OuterRef("pk"), date_joined__gt=since)
    return Member.objects.filter(pk=member_id).values(joined_after=Exists(later))


@pytest.mark.django_db
def test_each_call_runs_with_its_own_values_and_the_query_is_built_once():
    ada = MemberFactory(date_joined=JOINED)
    bob = MemberFactory(date_joined=JOINED + timedelta(days=2))
    build = Mock(wraps=joined_after)
    compiled = Compiled(build, member_id=int, since=datetime)

    answers = [
        bool(compiled.first(member_id=member.pk, since=since)["joined_after"])
        for member in (ada, bob)
        for since in (JOINED - timedelta(days=1), JOINED + timedelta(days=1))
    ]

    assert answers == [True, False, True, True]
    assert build.call_count == 1


@pytest.mark.django_db
def test_no_row_is_none():
    compiled = Compiled(joined_after, member_id=int, since=datetime)

    assert compiled.first(member_id=123456, since=JOINED) is None


def test_a_value_the_query_does_not_use_is_refused(db):
    def ignores_since(*, member_id: int, since: datetime):
        return Member.objects.filter(pk=member_id).values(
            joined_after=Exists(Member.objects.none())
        )

    with pytest.raises(ValueError, match="missing"):
        Compiled(ignores_since, member_id=int, since=datetime).first(member_id=1, since=JOINED)
